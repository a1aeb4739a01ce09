//! `/api/service-health` end to end inside the process: payloads of both schemas, the
//! secure-webhook token against a loopback JWKS endpoint, dedupe of retried deliveries, the
//! tenant's date, and the work queued (messages kept in a local state folder).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use warp::http::{HeaderMap, HeaderValue, Method};
use warp::Filter;

use super::service_health_http::ServiceHealth;
use super::AppContext;
use crate::config::Config;
use crate::functions::{ForwardedRequest, HttpHandler, HttpReply, InvocationLog};
use crate::ids::TenantId;
use crate::jobs::{JobMessage, NotifyMessage};
use crate::lifecycle::enforcement::noticed_date;
use crate::queue::{MessageQueue, QueueError, QueueName, StateQueues};
use crate::state::{get_json, LocalDirStore, StateStore};

const COMMON_MFA: &str = include_str!("../../tests/fixtures/alerts/common_mfa_notice.json");
const LEGACY_MFA: &str = include_str!("../../tests/fixtures/alerts/activity_log_mfa_notice.json");
const COMMON_TEST: &str =
    include_str!("../../tests/fixtures/alerts/common_service_health_test.json");
const METRIC: &str = include_str!("../../tests/fixtures/alerts/common_metric_alert.json");

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
const AUDIENCE: &str = "api://stepup-alerts";

fn now() -> DateTime<Utc> {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

/// A queue that fails while `failing` is set, and keeps messages in state otherwise.
struct Flaky {
    failing: AtomicBool,
    inner: StateQueues,
}

#[async_trait]
impl MessageQueue for Flaky {
    async fn send(&self, queue: &QueueName, text: String) -> Result<(), QueueError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(QueueError::Failed {
                queue: queue.to_string(),
                message: "503 Server Busy".into(),
            });
        }
        self.inner.send(queue, text).await
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    store: Arc<dyn StateStore>,
    queue: Arc<Flaky>,
    handler: ServiceHealth,
}

impl Harness {
    fn new(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut settings: HashMap<String, String> = HashMap::new();
        settings.insert("STEPUP_TENANT_ID".into(), TENANT.into());
        settings.insert("STEPUP_STATE_DIR".into(), dir.path().display().to_string());
        for (k, v) in extra {
            settings.insert((*k).into(), (*v).into());
        }
        let config = Config::from_lookup(|k| settings.get(k).cloned()).unwrap();
        let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
        let queue = Arc::new(Flaky {
            failing: AtomicBool::new(false),
            inner: StateQueues::new(store.clone()),
        });
        let ctx = AppContext::new(config, store.clone(), Arc::new(now)).with_queues(queue.clone());
        Self {
            _dir: dir,
            store,
            queue,
            handler: ServiceHealth::new(Arc::new(ctx)),
        }
    }

    async fn post(&self, body: &str, headers: &[(&str, &str)], query: Option<&str>) -> HttpReply {
        let mut map = HeaderMap::new();
        map.insert("content-type", HeaderValue::from_static("application/json"));
        for (k, v) in headers {
            map.insert(
                warp::http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let request = ForwardedRequest {
            method: Method::POST,
            route: "service-health".into(),
            query: query.map(str::to_string),
            headers: map,
            body: Bytes::from(body.to_string()),
        };
        self.handler
            .handle(request, &InvocationLog::new("service-health", "test"))
            .await
    }

    async fn queued(&self, queue: &QueueName) -> Vec<Value> {
        let mut out = Vec::new();
        for key in self.store.list(&StateQueues::prefix(queue)).await.unwrap() {
            out.push(get_json(self.store.as_ref(), &key).await.unwrap().unwrap());
        }
        out
    }
}

fn json_of(reply: &HttpReply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
}

fn tenant() -> TenantId {
    TenantId::parse(TENANT).unwrap()
}

#[tokio::test]
async fn five_deliveries_of_a_notice_have_one_effect() {
    let h = Harness::new(&[]);
    let first = h.post(COMMON_MFA, &[], None).await;
    assert_eq!(first.status, 202, "{:?}", json_of(&first));
    assert_eq!(json_of(&first)["action"], "enforcement-notice");
    assert_eq!(json_of(&first)["enforcementDate"], "2025-10-01");
    for _ in 0..4 {
        let again = h.post(COMMON_MFA, &[], None).await;
        assert_eq!(again.status, 202);
        assert_eq!(json_of(&again)["action"], "duplicate");
    }
    let broadcasts = h.queued(&QueueName::notify()).await;
    assert_eq!(broadcasts.len(), 1);
    let NotifyMessage::Broadcast(b) = serde_json::from_value(broadcasts[0].clone()).unwrap() else {
        panic!("{:?}", broadcasts[0]);
    };
    assert_eq!(b.tenant, tenant());
    assert_eq!(
        b.enforcement_date.map(|d| d.to_string()).as_deref(),
        Some("2025-10-01")
    );
    assert_eq!(b.notice.tracking_id.as_deref(), Some("YT4M-9QZ"));
    let plans = h.queued(&QueueName::jobs()).await;
    assert_eq!(plans.len(), 1);
    let JobMessage::Plan(plan) = serde_json::from_value(plans[0].clone()).unwrap() else {
        panic!("{:?}", plans[0]);
    };
    assert_eq!(plan.tenant, tenant());
    assert_eq!(plan.requested_by, "service-health:YT4M-9QZ");
}

#[tokio::test]
async fn concurrent_deliveries_have_one_effect() {
    let h = Harness::new(&[]);
    let replies =
        futures_util::future::join_all((0..5).map(|_| h.post(LEGACY_MFA, &[], None))).await;
    let actions: Vec<String> = replies
        .iter()
        .map(|r| json_of(r)["action"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "enforcement-notice")
            .count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "duplicate").count(),
        4,
        "{actions:?}"
    );
    assert_eq!(h.queued(&QueueName::notify()).await.len(), 1);
    assert_eq!(h.queued(&QueueName::jobs()).await.len(), 1);
}

#[tokio::test]
async fn a_later_notice_supersedes_and_a_late_older_one_does_not() {
    let h = Harness::new(&[]);
    assert_eq!(
        json_of(&h.post(LEGACY_MFA, &[], None).await)["enforcementDate"],
        "2026-03-15"
    );
    // The August 2025 notice arrives afterwards: older, so the March 2026 date stays.
    let late = h.post(COMMON_MFA, &[], None).await;
    assert_eq!(late.status, 202);
    assert_eq!(json_of(&late)["action"], "outdated");
    assert_eq!(json_of(&late)["enforcementDate"], "2026-03-15");
    let stored = noticed_date(h.store.as_ref(), &tenant())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.date.to_string(), "2026-03-15");
    assert_eq!(h.queued(&QueueName::notify()).await.len(), 1);
}

#[tokio::test]
async fn other_service_health_events_are_acknowledged_and_ignored() {
    let h = Harness::new(&[]);
    let reply = h.post(COMMON_TEST, &[], None).await;
    assert_eq!(reply.status, 202);
    assert_eq!(json_of(&reply)["action"], "ignored");
    assert!(h.queued(&QueueName::notify()).await.is_empty());
    assert!(h.queued(&QueueName::jobs()).await.is_empty());
    // Unless its tracking id is configured as the notice.
    let configured = Harness::new(&[("STEPUP_ALERT_TRACKING_IDS", "TEST-TTT")]);
    let reply = configured.post(COMMON_TEST, &[], None).await;
    assert_eq!(json_of(&reply)["action"], "enforcement-notice");
    assert_eq!(json_of(&reply)["enforcementDate"], Value::Null);
}

#[tokio::test]
async fn a_failed_queue_releases_the_delivery_for_the_retry() {
    let h = Harness::new(&[]);
    h.queue.failing.store(true, Ordering::SeqCst);
    let failed = h.post(COMMON_MFA, &[], None).await;
    assert_eq!(failed.status, 503, "{:?}", json_of(&failed));
    assert!(json_of(&failed)["error"]
        .as_str()
        .unwrap()
        .contains("503 Server Busy"));
    h.queue.failing.store(false, Ordering::SeqCst);
    let retried = h.post(COMMON_MFA, &[], None).await;
    assert_eq!(json_of(&retried)["action"], "enforcement-notice");
    assert_eq!(h.queued(&QueueName::notify()).await.len(), 1);
}

#[tokio::test]
async fn bad_requests_get_a_4xx_and_a_reason() {
    let h = Harness::new(&[("STEPUP_TENANTS", OTHER_TENANT)]);
    /// Body, headers, query, status, reason.
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("{}", vec![], None, 400, "no schemaId"),
        ("{not json", vec![], None, 400, "not valid JSON"),
        (
            r#"{"schemaId":"AzureMonitorMetricAlert","data":{}}"#,
            vec![],
            None,
            400,
            "unsupported alert schema",
        ),
        (METRIC, vec![], None, 422, "not a Service Health event"),
        (
            COMMON_MFA,
            vec![("content-type", "text/plain")],
            None,
            415,
            "expected application/json",
        ),
        (COMMON_MFA, vec![], Some("tenant=contoso"), 400, "?tenant"),
        (
            COMMON_MFA,
            vec![],
            Some("code=k&tenant=00000000-0000-0000-0000-0000000000bb"),
            400,
            "not a configured tenant",
        ),
    ];
    for (body, headers, query, status, reason) in cases {
        let reply = h.post(body, &headers, query).await;
        let error = json_of(&reply)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(reply.status.as_u16(), status, "{reason}: {error}");
        assert!(error.contains(reason), "{error} lacks {reason}");
    }
    // A notice for the other configured tenant goes to that tenant.
    let other = h
        .post(COMMON_MFA, &[], Some(&format!("tenant={OTHER_TENANT}")))
        .await;
    assert_eq!(json_of(&other)["tenant"], OTHER_TENANT);
    let get = h
        .handler
        .handle(
            ForwardedRequest {
                method: Method::GET,
                route: "service-health".into(),
                query: None,
                headers: HeaderMap::new(),
                body: Bytes::new(),
            },
            &InvocationLog::new("service-health", "t"),
        )
        .await;
    assert_eq!(get.status, 405);
}

#[tokio::test]
async fn oversized_bodies_are_413_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        Config::from_lookup(|k| (k == "STEPUP_TENANT_ID").then(|| TENANT.to_string())).unwrap();
    let store: Arc<dyn StateStore> = Arc::new(LocalDirStore::new(dir.path()));
    let ctx = Arc::new(AppContext::new(config, store, Arc::new(now)));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(crate::functions::serve(
        "127.0.0.1:0".parse().unwrap(),
        super::registry(ctx),
        move |addr| {
            let _ = tx.send(addr);
        },
        async {
            let _ = stopped.await;
        },
    ));
    let addr = rx.await.unwrap();
    let big = format!(
        "{{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"pad\":\"{}\"}}",
        "x".repeat(300 * 1024)
    );
    let reply = reqwest::Client::new()
        .post(format!("http://{addr}/api/service-health"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 413);
    let _ = stop.send(());
}

/// Signs tokens with an RSA key whose public half a loopback JWKS endpoint serves.
struct Issuer {
    key: EncodingKey,
    kid: String,
}

impl Issuer {
    fn new(kid: &str) -> Self {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let key = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap();
        Self {
            key,
            kid: kid.to_string(),
        }
    }

    /// The JWKS entry, as Entra ID serves it (with its extra members).
    fn jwk(&self) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.key, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        let mut value = serde_json::to_value(jwk).unwrap();
        value["use"] = json!("sig");
        value["issuer"] = json!(format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
        value["cloud_instance_name"] = json!("microsoftonline.com");
        value.as_object_mut().unwrap().remove("alg");
        value
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

/// The keys a loopback Entra ID serves (tests rotate them).
type Keys = Arc<std::sync::Mutex<Vec<Value>>>;

/// A loopback Entra ID serving `/{tenant}/discovery/v2.0/keys`; counts fetches.
async fn jwks_server(keys: Keys) -> (String, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let route = warp::path!(String / "discovery" / "v2.0" / "keys").map(move |_tenant: String| {
        counter.fetch_add(1, Ordering::SeqCst);
        let set = json!({ "keys": keys.lock().unwrap().clone() });
        let _: JwkSet = serde_json::from_value(set.clone()).unwrap();
        warp::reply::json(&set)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(warp::serve(route).incoming(listener).run());
    (format!("http://{addr}"), fetches)
}

fn claims(authority: &str) -> Value {
    let t = now().timestamp();
    json!({
        "aud": AUDIENCE,
        "iss": format!("https://sts.windows.net/{TENANT}/"),
        "tid": TENANT,
        "appid": "461e8683-5575-4561-ac7f-899cc907d62a",
        "roles": ["ActionGroupsSecureWebhook"],
        "iat": t - 60, "nbf": t - 60, "exp": t + 3600,
        "ver": "1.0",
        "_authority": authority,
    })
}

#[tokio::test]
async fn secure_webhook_tokens_are_checked() {
    let issuer = Issuer::new("key-1");
    let stranger = Issuer::new("key-1"); // same kid, another key: the signature fails
    let served: Keys = Arc::new(std::sync::Mutex::new(vec![issuer.jwk()]));
    let (authority, fetches) = jwks_server(served.clone()).await;
    let h = Harness::new(&[
        ("STEPUP_ALERT_AUDIENCE", AUDIENCE),
        ("AZURE_AUTHORITY_HOST", &authority),
    ]);
    let good = claims(&authority);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        f(&mut c);
        c
    };
    let t = now().timestamp();
    let bearer = |token: String| format!("Bearer {token}");
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "missing Authorization"),
        (Some("Basic dXNlcjpwYXNz".into()), "must be Bearer"),
        (Some("Bearer not.a.jwt".into()), "malformed"),
        (
            Some(bearer(stranger.sign(&good))),
            "signature does not verify",
        ),
        (
            Some(bearer(issuer.sign(&with(&|c| c["exp"] = json!(t - 3600))))),
            "expired",
        ),
        (
            Some(bearer(issuer.sign(&with(&|c| c["nbf"] = json!(t + 3600))))),
            "not valid yet",
        ),
        (
            Some(bearer(
                issuer.sign(&with(&|c| c["aud"] = json!("api://someone-else"))),
            )),
            "another audience",
        ),
        (
            Some(bearer(issuer.sign(&with(&|c| {
                c["iss"] = json!("https://sts.windows.net/00000000-0000-0000-0000-000000000001/")
            })))),
            "issuer",
        ),
        (
            Some(bearer(
                issuer.sign(&with(&|c| c["tid"] = json!(OTHER_TENANT))),
            )),
            "not a configured tenant",
        ),
        (
            Some(bearer(
                issuer.sign(&with(&|c| c["roles"] = json!(["Reader"]))),
            )),
            "ActionGroupsSecureWebhook",
        ),
        (
            Some(bearer(issuer.sign(&with(&|c| {
                c.as_object_mut().unwrap().remove("roles");
            })))),
            "ActionGroupsSecureWebhook",
        ),
        (
            Some(bearer(Issuer::new("key-2").sign(&good))),
            "not among the tenant's keys",
        ),
    ];
    for (header, reason) in cases {
        let headers: Vec<(&str, &str)> = header
            .iter()
            .map(|h| ("authorization", h.as_str()))
            .collect();
        let reply = h.post(COMMON_MFA, &headers, None).await;
        let error = json_of(&reply)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(reply.status, 401, "{reason}: {error}");
        assert!(error.contains(reason), "{error} lacks {reason}");
    }
    assert!(h.queued(&QueueName::notify()).await.is_empty());
    // The unknown kid fetched the keys once more; nothing else did.
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // The same unknown kid again: no new fetch within the minute.
    let again = h
        .post(
            COMMON_MFA,
            &[("authorization", &bearer(Issuer::new("key-2").sign(&good)))],
            None,
        )
        .await;
    assert_eq!(again.status, 401);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // Keys roll over: a token signed with a new key is accepted after one fetch.
    let rolled = Issuer::new("key-3");
    served.lock().unwrap().push(rolled.jwk());
    let reply = h
        .post(
            COMMON_TEST,
            &[("authorization", &bearer(rolled.sign(&good)))],
            None,
        )
        .await;
    assert_eq!(reply.status, 202, "{:?}", json_of(&reply));
    assert_eq!(fetches.load(Ordering::SeqCst), 3);

    // v1 and v2 issuers both pass; the keys are cached.
    let v1 = h
        .post(
            COMMON_TEST,
            &[("authorization", &bearer(issuer.sign(&good)))],
            None,
        )
        .await;
    assert_eq!(v1.status, 202, "{:?}", json_of(&v1));
    let v2 = with(&|c| c["iss"] = json!(format!("{authority}/{TENANT}/v2.0")));
    let reply = h
        .post(
            COMMON_MFA,
            &[("authorization", &bearer(issuer.sign(&v2)))],
            None,
        )
        .await;
    assert_eq!(reply.status, 202, "{:?}", json_of(&reply));
    assert_eq!(json_of(&reply)["action"], "enforcement-notice");
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
    // A token names its tenant; ?tenant may not name another.
    let mismatch = h
        .post(
            COMMON_MFA,
            &[("authorization", &bearer(issuer.sign(&good)))],
            Some(&format!("tenant={TENANT}")),
        )
        .await;
    assert_eq!(mismatch.status, 202);
}
