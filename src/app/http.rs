//! HTTP functions: Teams chat commands (Service Health alerts: `service_health_http`).

use async_trait::async_trait;
use warp::http::{Method, StatusCode};

use crate::functions::{ForwardedRequest, HttpHandler, HttpReply, InvocationLog};

/// Checks what every JSON POST endpoint needs: the method, the content type, a JSON body.
pub(super) fn json_post(request: &ForwardedRequest) -> Result<serde_json::Value, HttpReply> {
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

/// `teams`: a Teams outgoing webhook, authenticated by HMAC.
pub struct Teams;

#[async_trait]
impl HttpHandler for Teams {
    async fn handle(&self, request: ForwardedRequest, log: &InvocationLog) -> HttpReply {
        if request.method != Method::POST {
            return HttpReply::error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("only POST is accepted, not {}", request.method),
            );
        }
        let Some(header) = request.header("authorization") else {
            return HttpReply::error(
                StatusCode::UNAUTHORIZED,
                "missing Authorization: HMAC <signature>",
            );
        };
        if !header.starts_with("HMAC ") {
            return HttpReply::error(
                StatusCode::UNAUTHORIZED,
                "Authorization must be HMAC <signature>",
            );
        }
        log.warn("teams: chat commands are not configured in this build");
        HttpReply::error(
            StatusCode::UNAUTHORIZED,
            "chat commands are not configured: no HMAC secret to verify the signature",
        )
    }
}
