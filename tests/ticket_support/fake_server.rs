//! A loopback HTTP server for ticket-system fakes: it counts requests, answers injected
//! faults (a status sequence per route) first, and hands everything else to the fake's
//! handler, a plain function from [`FakeRequest`] to [`FakeResponse`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use warp::http::HeaderMap;
use warp::Filter;

/// A request as the fake's handler sees it.
#[derive(Debug, Clone)]
pub struct FakeRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, percent-decoded, split on `/` (empty segments dropped).
    pub segments: Vec<String>,
    /// The query pairs, decoded.
    pub query: HashMap<String, String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl FakeRequest {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The segments as `&str`s, for matching.
    pub fn path(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct FakeResponse {
    /// The status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body (JSON unless a header says otherwise).
    pub body: Vec<u8>,
}

impl FakeResponse {
    /// A JSON answer.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// An error answer with a message.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, &serde_json::json!({ "message": message }))
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Which requests a fault applies to: a method (or any) and a substring of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `Some("POST")` or any method.
    pub method: Option<&'static str>,
    /// A substring of the `/`-joined path; empty matches every path.
    pub path_contains: &'static str,
}

impl Route {
    /// Every request.
    pub fn any() -> Self {
        Self {
            method: None,
            path_contains: "",
        }
    }

    /// Requests of `method` whose path contains `path_contains`.
    pub fn new(method: &'static str, path_contains: &'static str) -> Self {
        Self {
            method: Some(method),
            path_contains,
        }
    }

    fn matches(&self, req: &FakeRequest) -> bool {
        self.method
            .is_none_or(|m| m.eq_ignore_ascii_case(&req.method))
            && req.segments.join("/").contains(self.path_contains)
    }
}

/// One injected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// The status to answer.
    pub status: u16,
    /// A `Retry-After` in seconds, if any.
    pub retry_after: Option<u64>,
}

impl Fault {
    /// A bare status.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
        }
    }

    /// A status with `Retry-After: secs`.
    pub fn retry_after(status: u16, secs: u64) -> Self {
        Self {
            status,
            retry_after: Some(secs),
        }
    }
}

/// Pending faults, per route, answered in order.
#[derive(Debug, Default)]
pub struct FaultPlan {
    queues: Mutex<Vec<(Route, VecDeque<Fault>)>>,
    fired: AtomicUsize,
}

impl FaultPlan {
    /// Queues `faults` for the next requests matching `route`.
    pub fn push(&self, route: Route, faults: &[Fault]) {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        queues.push((route, faults.iter().copied().collect()));
    }

    /// Faults answered so far.
    pub fn fired(&self) -> usize {
        self.fired.load(Ordering::SeqCst)
    }

    /// Forgets every pending fault.
    pub fn clear(&self) {
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn take(&self, req: &FakeRequest) -> Option<Fault> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        queues.retain(|(_, q)| !q.is_empty());
        let fault = queues
            .iter_mut()
            .find(|(route, _)| route.matches(req))
            .and_then(|(_, q)| q.pop_front());
        if fault.is_some() {
            self.fired.fetch_add(1, Ordering::SeqCst);
        }
        fault
    }
}

/// The handler of a fake.
pub type Handler = Arc<dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync>;

/// A running fake on `127.0.0.1:<random port>`; stops when dropped.
pub struct FakeServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// Injected faults.
    pub faults: Arc<FaultPlan>,
    requests: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
    raw: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeServer {
    /// Starts serving `handler`.
    pub async fn start(handler: Handler) -> Self {
        let faults = Arc::new(FaultPlan::default());
        let requests = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (f, r, l, w) = (faults.clone(), requests.clone(), log.clone(), raw.clone());
        let routes = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .map(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: HeaderMap,
                      body: Bytes| {
                    w.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(if query.is_empty() {
                            format!("{method} {}", path.as_str())
                        } else {
                            format!("{method} {}?{query}", path.as_str())
                        });
                    let req = FakeRequest {
                        method: method.as_str().to_string(),
                        segments: path
                            .as_str()
                            .split('/')
                            .filter(|s| !s.is_empty())
                            .map(|s| {
                                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                                    .next()
                                    .map(|(_, v)| v.into_owned())
                                    .unwrap_or_default()
                            })
                            .collect(),
                        query: url::form_urlencoded::parse(query.as_bytes())
                            .into_owned()
                            .collect(),
                        headers,
                        body,
                    };
                    r.fetch_add(1, Ordering::SeqCst);
                    l.lock().unwrap_or_else(|e| e.into_inner()).push(format!(
                        "{} /{}",
                        req.method,
                        req.segments.join("/")
                    ));
                    let resp = match f.take(&req) {
                        Some(fault) => {
                            let resp = FakeResponse::error(fault.status, "injected fault");
                            match fault.retry_after {
                                Some(s) => resp.with_header("retry-after", &s.to_string()),
                                None => resp,
                            }
                        }
                        None => handler(&req),
                    };
                    let mut out = warp::reply::Response::new(resp.body.into());
                    *out.status_mut() = warp::http::StatusCode::from_u16(resp.status)
                        .unwrap_or(warp::http::StatusCode::INTERNAL_SERVER_ERROR);
                    for (k, v) in &resp.headers {
                        if let (Ok(k), Ok(v)) = (
                            warp::http::HeaderName::from_bytes(k.as_bytes()),
                            warp::http::HeaderValue::from_str(v),
                        ) {
                            out.headers_mut().append(k, v);
                        }
                    }
                    out
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
            faults,
            requests,
            log,
            raw,
            stop: Some(stop),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far (faults included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// `METHOD /path` of every request so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `METHOD /raw/path?raw-query` of every request so far, as it came over the wire
    /// (still percent-encoded).
    pub fn raw_log(&self) -> Vec<String> {
        self.raw.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
