//! A loopback fake of Teams webhooks, both kinds, on `127.0.0.1:<random port>`:
//!
//! - Workflows URLs (`/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sig=…`)
//!   answer `202 Accepted` with an empty body; a wrong `sig` gets 401.
//! - Legacy incoming-webhook URLs (`/webhookb2/<id>/IncomingWebhook/<key>/<guid>`) answer
//!   `200` with the body `1`, and their errors as a `200` with the connector's text
//!   ("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP
//!   error 429 …"), as the real ones do.
//!
//! Every URL enforces its rate the way Teams documents it for connectors: a fixed
//! one-second window and a counter; over the limit the request is throttled until the window
//! refreshes (Workflows: 429 with `Retry-After`; legacy: the 429 text). After a 429 with
//! `Retry-After`, requests to that URL before the time is up are refused again and counted
//! as `early`. Faults (statuses, legacy error texts, timeouts) can be injected per URL.
//! A message counts as received only when it was accepted; everything is counted.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;
use warp::http::StatusCode;
use warp::Filter;

/// Which kind of webhook a URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Power Automate Workflows ("When a Teams webhook request is received").
    Workflows,
    /// A legacy Office 365 connector incoming webhook.
    Legacy,
}

/// An injected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// This status (with `Retry-After: secs` when given); the message is not taken.
    Status(u16, Option<u64>),
    /// A legacy connector's `200` with "HTTP error <code>" text; the message is not taken.
    LegacyText(u16),
    /// Hold the request this long, then answer 504 without taking the message.
    Timeout(Duration),
}

/// What the fake saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests in all.
    pub requests: usize,
    /// Messages taken.
    pub accepted: usize,
    /// Requests throttled for going over the rate.
    pub throttled: usize,
    /// Requests that came before a `Retry-After` was up.
    pub early: usize,
    /// Injected faults answered.
    pub injected: usize,
    /// Requests with a wrong signature or to an unknown URL.
    pub unauthorized: usize,
}

struct Endpoint {
    kind: Kind,
    secret: String,
    window: u64,
    count: u32,
    blocked_until: Option<Instant>,
    faults: VecDeque<Fault>,
    received: Vec<Value>,
}

struct State {
    rate: u32,
    started: Instant,
    endpoints: HashMap<String, Endpoint>,
    stats: Stats,
}

/// A running fake; stops when dropped.
pub struct FakeWebhook {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the handler decided, before any waiting.
enum Reply {
    Now(StatusCode, Vec<(&'static str, String)>, String),
    After(Duration),
}

impl FakeWebhook {
    /// Starts a fake allowing `rate` requests per second per URL.
    pub async fn start(rate: u32) -> Self {
        let state = Arc::new(Mutex::new(State {
            rate,
            started: Instant::now(),
            endpoints: HashMap::new(),
            stats: Stats::default(),
        }));
        let shared = state.clone();
        let routes = warp::post()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::body::bytes())
            .and_then(
                move |path: warp::path::FullPath, query: String, body: Bytes| {
                    let state = shared.clone();
                    async move {
                        let reply = decide(&state, path.as_str(), &query, &body);
                        let (status, headers, text) = match reply {
                            Reply::Now(s, h, t) => (s, h, t),
                            Reply::After(wait) => {
                                tokio::time::sleep(wait).await;
                                (StatusCode::GATEWAY_TIMEOUT, Vec::new(), String::new())
                            }
                        };
                        let mut resp = warp::reply::Response::new(text.into());
                        *resp.status_mut() = status;
                        for (k, v) in headers {
                            if let Ok(v) = warp::http::HeaderValue::from_str(&v) {
                                resp.headers_mut().insert(k, v);
                            }
                        }
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                },
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(
            warp::serve(routes)
                .incoming(listener)
                .graceful(async {
                    let _ = stopped.await;
                })
                .run(),
        );
        Self {
            addr,
            state,
            stop: Some(stop),
        }
    }

    /// Adds a URL of `kind` named `id`; returns the URL (with its secret).
    pub fn add(&self, kind: Kind, id: &str) -> String {
        let secret = format!("sig-{id}-{}", std::process::id());
        let (path, url) = match kind {
            Kind::Workflows => {
                let path = format!("/workflows/{id}/triggers/manual/paths/invoke");
                let url = format!(
                    "http://{}{path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={secret}",
                    self.addr
                );
                (path, url)
            }
            Kind::Legacy => {
                let path = format!("/webhookb2/{id}/IncomingWebhook/{secret}/0000");
                let url = format!("http://{}{path}", self.addr);
                (path, url)
            }
        };
        self.lock().endpoints.insert(
            path,
            Endpoint {
                kind,
                secret,
                window: u64::MAX,
                count: 0,
                blocked_until: None,
                faults: VecDeque::new(),
                received: Vec::new(),
            },
        );
        url
    }

    /// Queues `faults` for the next requests to the URL named `id`.
    pub fn inject(&self, id: &str, faults: &[Fault]) {
        let mut state = self.lock();
        if let Some(e) = state
            .endpoints
            .iter_mut()
            .find(|(p, _)| p.split('/').nth(2) == Some(id))
            .map(|(_, e)| e)
        {
            e.faults.extend(faults.iter().copied());
        }
    }

    /// Forgets the faults still queued for the URL named `id`.
    pub fn clear(&self, id: &str) {
        let mut state = self.lock();
        if let Some(e) = state
            .endpoints
            .iter_mut()
            .find(|(p, _)| p.split('/').nth(2) == Some(id))
            .map(|(_, e)| e)
        {
            e.faults.clear();
        }
    }

    /// The envelopes the URL named `id` took, in order.
    pub fn received(&self, id: &str) -> Vec<Value> {
        self.lock()
            .endpoints
            .iter()
            .find(|(p, _)| p.split('/').nth(2) == Some(id))
            .map(|(_, e)| e.received.clone())
            .unwrap_or_default()
    }

    /// What the fake saw so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeWebhook {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn legacy_error(code: u16) -> String {
    format!(
        "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error {code} with ContextId tcid=0,server=msgapi-fake,cv=fake.0.."
    )
}

/// Decides the answer to one request (under the lock; no waiting here).
fn decide(state: &Mutex<State>, path: &str, query: &str, body: &[u8]) -> Reply {
    let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
    let st = &mut *guard;
    st.stats.requests += 1;
    let now = Instant::now();
    let window = now.duration_since(st.started).as_millis() as u64 / 1000;
    let window_end = st.started + Duration::from_secs(window + 1);
    let rate = st.rate;
    let Some(e) = st.endpoints.get_mut(path) else {
        st.stats.unauthorized += 1;
        return Reply::Now(
            StatusCode::NOT_FOUND,
            Vec::new(),
            "{\"error\":{\"code\":\"NotFound\"}}".into(),
        );
    };
    if e.kind == Kind::Workflows {
        let sig = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "sig")
            .map(|(_, v)| v.into_owned());
        if sig.as_deref() != Some(e.secret.as_str()) {
            st.stats.unauthorized += 1;
            return Reply::Now(
                StatusCode::UNAUTHORIZED,
                Vec::new(),
                "{\"error\":{\"code\":\"DirectApiAuthorizationRequired\"}}".into(),
            );
        }
    }
    // The fixed window: every request counts.
    if e.window != window {
        e.window = window;
        e.count = 0;
    }
    e.count += 1;
    let throttle = |e: &mut Endpoint, until: Instant| -> Reply {
        let secs = until
            .saturating_duration_since(now)
            .as_secs_f64()
            .ceil()
            .max(1.0) as u64;
        match e.kind {
            Kind::Workflows => {
                e.blocked_until = Some(now + Duration::from_secs(secs));
                Reply::Now(
                    StatusCode::TOO_MANY_REQUESTS,
                    vec![("retry-after", secs.to_string())],
                    "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Rate limit is exceeded.\"}}".into(),
                )
            }
            Kind::Legacy => Reply::Now(StatusCode::OK, Vec::new(), legacy_error(429)),
        }
    };
    if let Some(until) = e.blocked_until.filter(|u| now < *u) {
        st.stats.early += 1;
        return throttle(e, until);
    }
    if e.count > rate {
        st.stats.throttled += 1;
        return throttle(e, window_end);
    }
    if let Some(fault) = e.faults.pop_front() {
        st.stats.injected += 1;
        return match fault {
            Fault::Status(status, retry_after) => {
                let mut headers = Vec::new();
                if let Some(secs) = retry_after {
                    headers.push(("retry-after", secs.to_string()));
                    if status == 429 {
                        e.blocked_until = Some(now + Duration::from_secs(secs));
                    }
                }
                Reply::Now(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    headers,
                    "{\"error\":{\"code\":\"Injected\"}}".into(),
                )
            }
            Fault::LegacyText(code) => Reply::Now(StatusCode::OK, Vec::new(), legacy_error(code)),
            Fault::Timeout(wait) => Reply::After(wait),
        };
    }
    let Ok(envelope) = serde_json::from_slice::<Value>(body) else {
        return Reply::Now(
            StatusCode::BAD_REQUEST,
            Vec::new(),
            "{\"error\":{\"code\":\"InvalidRequestContent\"}}".into(),
        );
    };
    let well_formed = envelope["type"] == "message"
        && envelope["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
        && envelope["attachments"][0]["content"]["type"] == "AdaptiveCard";
    if !well_formed {
        return Reply::Now(
            StatusCode::BAD_REQUEST,
            Vec::new(),
            "{\"error\":{\"code\":\"InvalidRequestContent\"}}".into(),
        );
    }
    e.received.push(envelope);
    st.stats.accepted += 1;
    match e.kind {
        Kind::Workflows => Reply::Now(StatusCode::ACCEPTED, Vec::new(), String::new()),
        Kind::Legacy => Reply::Now(StatusCode::OK, Vec::new(), "1".into()),
    }
}
