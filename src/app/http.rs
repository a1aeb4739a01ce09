//! HTTP functions: Azure Service Health alerts (Teams chat commands: [`super::teams_http`]).

use async_trait::async_trait;
use warp::http::{Method, StatusCode};

use crate::functions::{ForwardedRequest, HttpHandler, HttpReply, InvocationLog};

/// Checks what every JSON POST endpoint needs: the method, the content type, a JSON body.
fn json_post(request: &ForwardedRequest) -> Result<serde_json::Value, HttpReply> {
    if request.method != Method::POST {
        return Err(HttpReply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("only POST is accepted, not {}", request.method),
        ));
    }
    match request.content_type().as_deref() {
        Some("application/json") | Some("text/json") => {}
        Some(other) => {
            return Err(HttpReply::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("expected application/json, got {other}"),
            ))
        }
        None => {
            return Err(HttpReply::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "missing Content-Type: expected application/json",
            ))
        }
    }
    serde_json::from_slice(&request.body).map_err(|e| {
        HttpReply::error(
            StatusCode::BAD_REQUEST,
            &format!("body is not valid JSON: {e}"),
        )
    })
}

/// `service-health`: receives Azure Monitor action-group webhooks.
pub struct ServiceHealth;

#[async_trait]
impl HttpHandler for ServiceHealth {
    async fn handle(&self, request: ForwardedRequest, log: &InvocationLog) -> HttpReply {
        let body = match json_post(&request) {
            Ok(b) => b,
            Err(reply) => return reply,
        };
        let schema = body
            .get("schemaId")
            .and_then(|s| s.as_str())
            .unwrap_or_default();
        match schema {
            "azureMonitorCommonAlertSchema" | "Microsoft.Insights/activityLogs" => {
                log.info(format!(
                    "service-health: {schema} alert accepted; notice handling is not enabled in this build"
                ));
                HttpReply::json(StatusCode::ACCEPTED, &serde_json::json!({ "accepted": true }))
            }
            "" => HttpReply::error(
                StatusCode::BAD_REQUEST,
                "not an alert: no schemaId (expected azureMonitorCommonAlertSchema or Microsoft.Insights/activityLogs)",
            ),
            other => HttpReply::error(
                StatusCode::BAD_REQUEST,
                &format!("unsupported alert schema {other:?}"),
            ),
        }
    }
}
