//! `service-health`: Azure Monitor action-group webhooks (`POST /api/service-health`).
//!
//! In order: POST with a JSON body (256 KiB at most, enforced by the shim); with
//! `STEPUP_ALERT_AUDIENCE` set, a valid secure-webhook bearer token (else 401); the common
//! alert schema or the legacy activity-log schema (else 400), a Service Health event (else
//! 422). An MFA enforcement notice is handled once per delivery (see
//! [`super::service_health_notice`]); other Service Health events are acknowledged and
//! logged. Every answer is quick: work is queued, never done here.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use warp::http::{Method, StatusCode};

use super::context::AppContext;
use super::http::json_post;
use super::jwks::{JwksCache, DEFAULT_AUTHORITY};
use super::service_health_notice::{handle_notice, NoticeOutcome};
use crate::alerts::token::{bearer, key_hint, verify, AuthError, Expected};
use crate::alerts::{parse_value, AlertError, NoticeMatcher};
use crate::functions::{ForwardedRequest, HttpHandler, HttpReply, InvocationLog};
use crate::ids::TenantId;

/// The handler.
pub struct ServiceHealth {
    ctx: Arc<AppContext>,
    matcher: NoticeMatcher,
    /// The tenants' signing keys, when tokens are required; an error when the authority
    /// setting is unusable (every request is then refused).
    keys: Option<Result<JwksCache, String>>,
}

impl ServiceHealth {
    /// A handler sharing `ctx`.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        let alerts = &ctx.config.orchestration.alerts;
        let matcher = NoticeMatcher::new(&alerts.tracking_ids);
        let keys = alerts.audience.as_ref().map(|_| {
            let authority = ctx
                .config
                .identity
                .authority_host
                .clone()
                .unwrap_or_else(|| DEFAULT_AUTHORITY.to_string());
            JwksCache::new(&authority)
        });
        Self { ctx, matcher, keys }
    }

    /// Checks the bearer token; `Ok(None)` when none is required.
    async fn authenticate(
        &self,
        request: &ForwardedRequest,
    ) -> Result<Option<TenantId>, AuthError> {
        let (Some(keys), Some(audience)) =
            (&self.keys, &self.ctx.config.orchestration.alerts.audience)
        else {
            return Ok(None);
        };
        let keys = keys
            .as_ref()
            .map_err(|e| AuthError::KeysUnavailable(e.clone()))?;
        let token = bearer(request.header("authorization"))?;
        let tenants = self.ctx.tenants();
        let hint = key_hint(token, &tenants)?;
        let set = keys.keys(hint.tenant, &hint.kid).await?;
        let expected = Expected {
            audience,
            tenants: &tenants,
            authority: keys.authority(),
        };
        Ok(Some(verify(token, &set, &expected, self.ctx.now())?.tenant))
    }

    /// The tenant an alert is for: the token's, `?tenant=`, or the primary tenant.
    fn tenant(
        &self,
        request: &ForwardedRequest,
        from_token: Option<TenantId>,
    ) -> Result<Option<TenantId>, HttpReply> {
        let named = request
            .query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "tenant")
            .map(|(_, v)| v);
        let named = match named {
            None => None,
            Some(text) => {
                let tenant = TenantId::parse(text).map_err(|e| {
                    HttpReply::error(StatusCode::BAD_REQUEST, &format!("?tenant: {e}"))
                })?;
                if !self.ctx.tenants().contains(&tenant) {
                    return Err(HttpReply::error(
                        StatusCode::BAD_REQUEST,
                        &format!("?tenant: {tenant} is not a configured tenant"),
                    ));
                }
                Some(tenant)
            }
        };
        match (from_token, named) {
            (Some(t), Some(n)) if t != n => Err(HttpReply::error(
                StatusCode::FORBIDDEN,
                "the token's tenant is not the tenant named in ?tenant",
            )),
            (Some(t), _) => Ok(Some(t)),
            (None, Some(n)) => Ok(Some(n)),
            (None, None) => Ok(self.ctx.tenants().first().copied()),
        }
    }
}

#[async_trait]
impl HttpHandler for ServiceHealth {
    async fn handle(&self, request: ForwardedRequest, log: &InvocationLog) -> HttpReply {
        if request.method != Method::POST {
            return HttpReply::error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("only POST is accepted, not {}", request.method),
            );
        }
        let from_token = match self.authenticate(&request).await {
            Ok(t) => t,
            Err(e) => {
                log.warn(format!("service-health: refused: {e}"));
                return HttpReply::error(StatusCode::UNAUTHORIZED, &e.to_string());
            }
        };
        let body = match json_post(&request) {
            Ok(b) => b,
            Err(reply) => return reply,
        };
        let event = match parse_value(&body) {
            Ok(e) => e,
            Err(e @ AlertError::NotServiceHealth(_)) => {
                return HttpReply::error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
            }
            Err(e) => return HttpReply::error(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        let tenant = match self.tenant(&request, from_token) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        let tracking = event.tracking_id.as_deref().unwrap_or("-");
        let Some(recognition) = self.matcher.recognise(&event) else {
            log.info(format!(
                "service-health: {} event {tracking} ({:?}) is not an MFA enforcement notice; acknowledged",
                event.incident_type.as_deref().unwrap_or("Service Health"),
                event.title
            ));
            return HttpReply::json(
                StatusCode::ACCEPTED,
                &json!({ "accepted": true, "action": "ignored", "trackingId": event.tracking_id }),
            );
        };
        let Some(tenant) = tenant else {
            log.error(
                "service-health: an MFA enforcement notice arrived but no tenant is configured",
            );
            return HttpReply::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "no tenant is configured (STEPUP_TENANT_ID)",
            );
        };
        match handle_notice(&self.ctx, tenant, &event, &recognition, log).await {
            Ok(NoticeOutcome::Duplicate) => {
                log.info(format!(
                    "service-health: notice {tracking} delivered again; nothing to do"
                ));
                HttpReply::json(
                    StatusCode::ACCEPTED,
                    &json!({ "accepted": true, "action": "duplicate", "trackingId": event.tracking_id }),
                )
            }
            Ok(NoticeOutcome::Outdated { kept }) => HttpReply::json(
                StatusCode::ACCEPTED,
                &json!({ "accepted": true, "action": "outdated", "trackingId": event.tracking_id,
                         "tenant": tenant, "enforcementDate": kept }),
            ),
            Ok(NoticeOutcome::Queued {
                announced,
                in_force,
            }) => HttpReply::json(
                StatusCode::ACCEPTED,
                &json!({ "accepted": true, "action": "enforcement-notice", "trackingId": event.tracking_id,
                         "tenant": tenant, "announcedDate": announced, "enforcementDate": in_force }),
            ),
            Err(e) => {
                log.error(format!("service-health: notice {tracking}: {e:#}"));
                HttpReply::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("the notice could not be queued; retry later: {e:#}"),
                )
            }
        }
    }
}
