//! `teams`: the Teams outgoing webhook (`POST /api/teams`). Checks, in order: method (405),
//! content type (415), a configured secret and a valid `Authorization: HMAC` over the raw
//! body (401), a readable activity (400), a message of the configured tenant (400/403),
//! sent within the last minutes (401, replays). Then answers the command from stored state
//! within [`ANSWER_BUDGET`], as a message activity (200). Neither the secret nor the
//! `Authorization` header is ever logged.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use warp::http::{Method, StatusCode};

use super::context::AppContext;
use crate::functions::{ForwardedRequest, HttpHandler, HttpReply, InvocationLog};
use crate::teams::chat::activity::check_fresh;
use crate::teams::chat::reply::text_message;
use crate::teams::chat::{
    verify_any, Activity, ChatDeps, ChatService, Directory, HmacKey, StateDirectory,
};

/// Time to answer a command: Teams gives up after 5 seconds, and the host forwards both ways.
pub const ANSWER_BUDGET: Duration = Duration::from_millis(4000);

/// The `teams` HTTP function.
pub struct TeamsChat {
    keys: Vec<HmacKey>,
    chat: Option<Arc<ChatService>>,
    ctx: Arc<AppContext>,
}

impl TeamsChat {
    /// The function over `ctx`, telling senders apart with the people index in state.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        let directory: Option<Arc<dyn Directory>> =
            ctx.config.tenant.tenant_id.map(|t| {
                Arc::new(StateDirectory::new(ctx.store.clone(), &t)) as Arc<dyn Directory>
            });
        Self::build(ctx, directory)
    }

    /// The function over `ctx` with another directory (the hook for a Graph-backed one).
    pub fn with_directory(ctx: Arc<AppContext>, directory: Arc<dyn Directory>) -> Self {
        Self::build(ctx, Some(directory))
    }

    fn build(ctx: Arc<AppContext>, directory: Option<Arc<dyn Directory>>) -> Self {
        let keys = ctx.config.chat.hmac_keys.clone();
        let chat = match (ctx.config.tenant.tenant_id, directory) {
            (Some(tenant), Some(directory)) if !keys.is_empty() => {
                Some(Arc::new(ChatService::new(ChatDeps {
                    store: ctx.store.clone(),
                    clock: ctx.clock.clone(),
                    scans: ctx.scans.clone(),
                    tenant,
                    settings: ctx.config.chat.clone(),
                    directory,
                })))
            }
            _ => None,
        };
        if let (Some(chat), Ok(runtime)) = (&chat, tokio::runtime::Handle::try_current()) {
            // Read the latest report now, so the first command after a cold start is fast.
            let chat = chat.clone();
            runtime.spawn(async move {
                if let Err(e) = chat.warm_up().await {
                    tracing::warn!("teams: cannot read the latest scan yet: {e}");
                }
            });
        }
        Self { keys, chat, ctx }
    }

    /// Everything before the command: the 4xx answers.
    fn admit(&self, request: &ForwardedRequest) -> Result<(Activity, Arc<ChatService>), HttpReply> {
        let refuse = |status, reason: &str| Err(HttpReply::error(status, reason));
        if request.method != Method::POST {
            return refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("only POST is accepted, not {}", request.method),
            );
        }
        match request.content_type().as_deref() {
            Some("application/json") | Some("text/json") => {}
            Some(other) => {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    &format!("expected application/json, got {other}"),
                )
            }
            None => {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "missing Content-Type: expected application/json",
                )
            }
        }
        if self.keys.is_empty() {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "chat commands are not configured (STEPUP_TEAMS_HMAC_SECRET)",
            );
        }
        if let Err(e) = verify_any(&self.keys, request.header("authorization"), &request.body) {
            return refuse(StatusCode::UNAUTHORIZED, &e.to_string());
        }
        let activity = match Activity::parse(&request.body) {
            Ok(a) => a,
            Err(e) => return refuse(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        if activity.kind != "message" {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!(
                    "only message activities are answered, not {:?}",
                    activity.kind
                ),
            );
        }
        let Some(chat) = &self.chat else {
            return refuse(
                StatusCode::FORBIDDEN,
                "stepup serves no tenant: set STEPUP_TENANT_ID",
            );
        };
        match activity.tenant {
            None => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "the activity names no tenant (channelData.tenant.id)",
                )
            }
            Some(t) if t != chat.tenant() => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    &format!("this stepup answers for tenant {}, not {t}", chat.tenant()),
                )
            }
            Some(_) => {}
        }
        if let Err(reason) = check_fresh(activity.timestamp, self.ctx.now()) {
            return refuse(StatusCode::UNAUTHORIZED, &reason);
        }
        Ok((activity, chat.clone()))
    }
}

#[async_trait]
impl HttpHandler for TeamsChat {
    async fn handle(&self, request: ForwardedRequest, log: &InvocationLog) -> HttpReply {
        let (activity, chat) = match self.admit(&request) {
            Ok(admitted) => admitted,
            Err(reply) => {
                log.warn(format!("teams: refused with {}", reply.status.as_u16()));
                return reply;
            }
        };
        let sender = activity
            .from
            .aad_object_id
            .map_or_else(|| "-".to_string(), |id| id.to_string());
        match tokio::time::timeout(ANSWER_BUDGET, chat.answer(&activity)).await {
            Ok(answer) => {
                log.info(format!("teams: {} from {sender}", answer.verb));
                HttpReply {
                    status: StatusCode::OK,
                    content_type: "application/json",
                    body: answer.message,
                }
            }
            Err(_) => {
                log.warn(format!(
                    "teams: no answer within {ANSWER_BUDGET:?} for {sender}"
                ));
                HttpReply::json(
                    StatusCode::OK,
                    &text_message(
                        "stepup is still reading its state; please ask again in a minute.",
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::state::LocalDirStore;
    use bytes::Bytes;
    use chrono::{DateTime, Duration, Utc};
    use warp::http::HeaderMap;

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const TOKEN: &str = "7kK8rH0CK9Ek0zI4QwDXHhJTHBLA/0w/BBGdp7S+xsM=";

    fn now() -> DateTime<Utc> {
        "2026-11-22T10:00:00Z".parse().unwrap()
    }

    fn handler(dir: &std::path::Path, pairs: &[(&str, &str)]) -> TeamsChat {
        let config = Config::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
        let store = Arc::new(LocalDirStore::new(dir));
        TeamsChat::new(Arc::new(AppContext::new(config, store, Arc::new(now))))
    }

    fn configured(dir: &std::path::Path) -> TeamsChat {
        handler(
            dir,
            &[
                ("STEPUP_TENANT_ID", TENANT),
                ("STEPUP_TEAMS_HMAC_SECRET", TOKEN),
            ],
        )
    }

    fn body(tenant: &str, sent: DateTime<Utc>, kind: &str) -> Vec<u8> {
        serde_json::json!({
            "type": kind, "text": "<at>stepup</at> help", "timestamp": sent.to_rfc3339(),
            "from": {"id": "29:x", "name": "Ada", "aadObjectId": "6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11"},
            "channelData": {"tenant": {"id": tenant}}
        })
        .to_string()
        .into_bytes()
    }

    fn signed(body: &[u8]) -> String {
        let key = HmacKey::from_base64(&crate::secret::Secret::new(TOKEN)).unwrap();
        key.authorization(body)
    }

    fn request(
        method: Method,
        content_type: Option<&str>,
        auth: Option<&str>,
        body: &[u8],
    ) -> ForwardedRequest {
        let mut headers = HeaderMap::new();
        if let Some(c) = content_type {
            headers.insert("content-type", c.parse().unwrap());
        }
        if let Some(a) = auth {
            headers.insert("authorization", a.parse().unwrap());
        }
        ForwardedRequest {
            method,
            route: "teams".into(),
            query: None,
            headers,
            body: Bytes::copy_from_slice(body),
        }
    }

    async fn send(h: &TeamsChat, r: ForwardedRequest) -> (u16, serde_json::Value) {
        let reply = h.handle(r, &InvocationLog::new("teams", "test")).await;
        let json = serde_json::from_slice(&reply.body).unwrap();
        (reply.status.as_u16(), json)
    }

    #[tokio::test]
    async fn a_signed_message_gets_a_card_and_everything_else_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let h = configured(dir.path());
        let good = body(TENANT, now(), "message");
        let json = Some("application/json; charset=utf-8");

        let (status, reply) =
            send(&h, request(Method::POST, json, Some(&signed(&good)), &good)).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["type"], "message");
        assert_eq!(reply["attachments"][0]["content"]["type"], "AdaptiveCard");

        let other_tenant = body("00000000-0000-0000-0000-0000000000ff", now(), "message");
        let old = body(TENANT, now() - Duration::minutes(6), "message");
        let typing = body(TENANT, now(), "conversationUpdate");
        let cases: Vec<(ForwardedRequest, u16, &str)> = vec![
            (
                request(Method::GET, json, Some(&signed(&good)), &good),
                405,
                "only POST",
            ),
            (
                request(
                    Method::POST,
                    Some("text/plain"),
                    Some(&signed(&good)),
                    &good,
                ),
                415,
                "expected application/json",
            ),
            (
                request(Method::POST, None, Some(&signed(&good)), &good),
                415,
                "missing Content-Type",
            ),
            (
                request(Method::POST, json, None, &good),
                401,
                "missing Authorization",
            ),
            (
                request(Method::POST, json, Some("Bearer x"), &good),
                401,
                "must be HMAC",
            ),
            (
                request(Method::POST, json, Some(&signed(b"other")), &good),
                401,
                "does not match",
            ),
            (
                request(Method::POST, json, Some(&signed(b"{nope")), b"{nope"),
                400,
                "not a Teams activity",
            ),
            (
                request(Method::POST, json, Some(&signed(&typing)), &typing),
                400,
                "only message activities",
            ),
            (
                request(
                    Method::POST,
                    json,
                    Some(&signed(&other_tenant)),
                    &other_tenant,
                ),
                403,
                "answers for tenant",
            ),
            (
                request(Method::POST, json, Some(&signed(&old)), &old),
                401,
                "replay",
            ),
        ];
        for (r, want, reason) in cases {
            let (status, reply) = send(&h, r).await;
            assert_eq!(status, want, "{reply}");
            let text = reply["error"].as_str().unwrap();
            assert!(text.contains(reason), "{want}: {text}");
            assert!(!text.contains(TOKEN) && !text.contains('\n'));
        }
    }

    #[tokio::test]
    async fn without_a_secret_or_a_tenant_chat_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = body(TENANT, now(), "message");
        let json = Some("application/json");
        let no_secret = handler(dir.path(), &[("STEPUP_TENANT_ID", TENANT)]);
        let (status, reply) = send(
            &no_secret,
            request(Method::POST, json, Some(&signed(&good)), &good),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(
            reply["error"],
            "chat commands are not configured (STEPUP_TEAMS_HMAC_SECRET)"
        );
        let no_tenant = handler(dir.path(), &[("STEPUP_TEAMS_HMAC_SECRET", TOKEN)]);
        let (status, reply) = send(
            &no_tenant,
            request(Method::POST, json, Some(&signed(&good)), &good),
        )
        .await;
        assert_eq!(status, 403, "{reply}");
        assert!(reply["error"]
            .as_str()
            .unwrap()
            .contains("STEPUP_TENANT_ID"));
    }
}
