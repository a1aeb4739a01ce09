//! HTTP helpers shared by the HTTP functions (Service Health alerts: `service_health_http`; Teams chat commands: [`super::teams_http`]).

use warp::http::{Method, StatusCode};

use crate::functions::{ForwardedRequest, HttpReply};

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
