//! The HTTP layer every ticket sink shares: one `reqwest` client per sink, a base URL that
//! must be HTTPS (plain HTTP only for loopback fakes), bounded retries with exponential
//! backoff and jitter on 5xx, timeouts and connection failures, `Retry-After` honoured on
//! 429/503, and failures mapped to [`TicketError`] without ever carrying a secret.
//!
//! ```no_run
//! # async fn demo() -> Result<(), stepup::tickets::TicketError> {
//! use stepup::secret::Secret;
//! use stepup::tickets::http::{Auth, HttpClient, RetryPolicy};
//! let http = HttpClient::new(
//!     "github",
//!     "https://api.github.com",
//!     "STEPUP_GITHUB_API_URL",
//!     Auth::Bearer { token: Secret::new("ghp_…"), setting: "STEPUP_GITHUB_TOKEN" },
//!     RetryPolicy::default(),
//! )?;
//! let issues: serde_json::Value = http.get(&["repos", "o", "r", "issues"]).send().await?.json()?;
//! # let _ = issues; Ok(()) }
//! ```

use std::net::IpAddr;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::TicketError;
use crate::secret::Secret;

/// How a sink authenticates. Secrets stay inside; errors name only the setting.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No credential (tests of unauthenticated fakes).
    None,
    /// `Authorization: Bearer <token>` (GitHub token, Entra access token, OAuth token).
    Bearer {
        /// The token.
        token: Secret,
        /// The setting that holds it, named in `Unauthorized` errors.
        setting: &'static str,
    },
    /// `Authorization: Basic base64(user:password)` (Azure DevOps PAT with an empty user,
    /// Jira e-mail + API token, ServiceNow user + password).
    Basic {
        /// The user (may be empty).
        user: String,
        /// The password or token.
        password: Secret,
        /// The setting that holds the password, named in `Unauthorized` errors.
        setting: &'static str,
    },
}

impl Auth {
    /// The setting to fix when the system says 401/403.
    fn setting(&self) -> &'static str {
        match self {
            Auth::None => "the ticket system credential",
            Auth::Bearer { setting, .. } | Auth::Basic { setting, .. } => setting,
        }
    }

    /// The forms in which the credential could come back in an answer: the token or
    /// password, and the base64 of `user:password` a Basic header carries.
    fn secrets(&self) -> Vec<String> {
        match self {
            Auth::None => Vec::new(),
            Auth::Bearer { token, .. } => vec![token.expose().to_owned()],
            Auth::Basic { user, password, .. } => vec![
                password.expose().to_owned(),
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.expose())),
            ],
        }
    }

    /// `text` (an answer from the system) without the credential, should it echo it.
    fn redact(&self, text: &str) -> String {
        let secrets = self.secrets();
        crate::secret::redact(text, secrets.iter().map(String::as_str))
    }

    /// The `Authorization` header value, marked sensitive so it never shows in debug output.
    fn header(&self) -> Option<HeaderValue> {
        let raw = match self {
            Auth::None => return None,
            Auth::Bearer { token, .. } => format!("Bearer {}", token.expose()),
            Auth::Basic { user, password, .. } => {
                let pair = format!("{user}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        };
        let mut value = HeaderValue::from_str(&raw).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

/// Bounded retries: exponential backoff with jitter between `min_delay` and `max_delay`,
/// at most `max_attempts` attempts in all, and a `Retry-After` capped at `max_retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: usize,
    /// The first backoff delay.
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` we are willing to wait; longer hints are cut to this.
    pub max_retry_after: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A fast policy for tests against loopback fakes.
    pub fn fast() -> Self {
        Self {
            max_attempts: 3,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Parses a base URL: `https://…` anywhere, `http://…` only on a loopback host.
/// A trailing `/` is added so relative segments append instead of replacing the last one.
pub fn parse_base_url(
    system: &'static str,
    setting: &'static str,
    raw: &str,
) -> Result<Url, TicketError> {
    let invalid = |why: &str| TicketError::Failed {
        system,
        message: format!("{setting} is not a usable base URL ({why}): {raw:?}"),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(invalid("plain http is allowed only for localhost")),
        _ => return Err(invalid("the scheme must be https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials belong in their own setting, not in the URL",
        ));
    }
    if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("expected scheme://host[/path]"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Whether the URL's host is `localhost` or a loopback address.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A ticket system's HTTP client.
#[derive(Clone, Debug)]
pub struct HttpClient {
    system: &'static str,
    base: Url,
    auth: Auth,
    policy: RetryPolicy,
    client: reqwest::Client,
}

impl HttpClient {
    /// A client for `system` at `base_url` (read from `url_setting`, named in errors).
    pub fn new(
        system: &'static str,
        base_url: &str,
        url_setting: &'static str,
        auth: Auth,
        policy: RetryPolicy,
    ) -> Result<Self, TicketError> {
        let base = parse_base_url(system, url_setting, base_url)?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("stepup/", env!("CARGO_PKG_VERSION")))
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| TicketError::Failed {
                system,
                message: format!("cannot build the HTTP client: {}", e.without_url()),
            })?;
        Ok(Self {
            system,
            base,
            auth,
            policy,
            client,
        })
    }

    /// The system this client talks to.
    pub fn system(&self) -> &'static str {
        self.system
    }

    /// The base URL (always ending in `/`).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The base URL with `segments` appended, each percent-encoded as one path segment
    /// (`/`, `\`, `%`, `?` and `#` included). URL rules drop a segment that is `.` or `..`;
    /// [`HttpClient::request`] refuses such segments instead.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A request to `base/segments…`. A segment that is empty, `.` or `..` (an id or a
    /// project name that came from elsewhere) fails the request when sent: the URL rules
    /// would drop it or climb the path, and the request would reach another resource.
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestSpec<'_> {
        let mut spec = self.request_url(method, self.url(segments));
        spec.refused = segments
            .iter()
            .find(|s| matches!(**s, "" | "." | ".."))
            .map(|s| format!("refusing a request with the path segment {s:?}"));
        spec
    }

    /// A request to an absolute URL (a `Link: rel="next"` page); it must share the base's
    /// origin, so credentials never leave for another host.
    pub fn request_url(&self, method: Method, url: Url) -> RequestSpec<'_> {
        let idempotent = method != Method::POST;
        RequestSpec {
            http: self,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent,
            refused: None,
        }
    }

    /// `GET base/segments…`.
    pub fn get(&self, segments: &[&str]) -> RequestSpec<'_> {
        self.request(Method::GET, segments)
    }

    /// `POST base/segments…` (not retried on 5xx unless marked idempotent).
    pub fn post(&self, segments: &[&str]) -> RequestSpec<'_> {
        self.request(Method::POST, segments)
    }

    /// `PATCH base/segments…`.
    pub fn patch(&self, segments: &[&str]) -> RequestSpec<'_> {
        self.request(Method::PATCH, segments)
    }

    /// `PUT base/segments…`.
    pub fn put(&self, segments: &[&str]) -> RequestSpec<'_> {
        self.request(Method::PUT, segments)
    }

    /// A `Failed` error of this system.
    pub fn failed(&self, message: impl Into<String>) -> TicketError {
        TicketError::Failed {
            system: self.system,
            message: message.into(),
        }
    }
}

/// One request, rebuilt for every attempt.
#[derive(Debug)]
pub struct RequestSpec<'a> {
    http: &'a HttpClient,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    idempotent: bool,
    /// Why the request must not be sent (a path segment that would move it elsewhere).
    refused: Option<String>,
}

impl RequestSpec<'_> {
    /// Adds query pairs.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.url.query_pairs_mut().extend_pairs(pairs);
        self
    }

    /// Adds a header (ignored if the value is not a valid header value).
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.json_as(body, "application/json")
    }

    /// A JSON body with another content type (`application/json-patch+json`).
    pub fn json_as<T: Serialize + ?Sized>(mut self, body: &T, content_type: &'static str) -> Self {
        // Serialising our own request types cannot fail; an empty body would be rejected.
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self
    }

    /// Marks a POST as safe to repeat (a search), so 5xx and timeouts are retried too.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Sends with retries; a 2xx answer is `Ok`, anything else a [`TicketError`].
    pub async fn send(self) -> Result<Response, TicketError> {
        let http = self.http;
        if let Some(why) = self.refused {
            return Err(http.failed(why));
        }
        if self.url.origin() != http.base.origin() {
            return Err(http.failed(format!(
                "refusing to send credentials to another origin: {}",
                self.url.origin().ascii_serialization()
            )));
        }
        let policy = http.policy;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_attempts.saturating_sub(1))
            .with_jitter();
        let idempotent = self.idempotent;
        let attempt = || self.attempt();
        attempt
            .retry(backoff)
            .when(|e: &AttemptError| e.retryable(idempotent))
            .adjust(|e, next| {
                next.map(|d| match e.retry_after() {
                    Some(hint) => hint.min(policy.max_retry_after),
                    None => d,
                })
            })
            .notify(|e, delay| {
                tracing::warn!(
                    system = http.system,
                    error = %e.describe(),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "ticket API call failed; retrying"
                );
            })
            .await
            .map_err(|e| e.into_ticket_error(http.system, http.auth.setting()))
    }

    /// One attempt.
    async fn attempt(&self) -> Result<Response, AttemptError> {
        let http = self.http;
        let mut req = http
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone());
        if !self.headers.contains_key(ACCEPT) {
            req = req.header(ACCEPT, "application/json");
        }
        if let Some(auth) = http.auth.header() {
            req = req.header(AUTHORIZATION, auth);
        }
        if let Some(body) = &self.body {
            req = req.body(body.clone());
        }
        let resp = req.send().await.map_err(AttemptError::transport)?;
        // Azure DevOps answers a bad PAT with 203 and a sign-in page: that is a 401.
        let status = match resp.status() {
            StatusCode::NON_AUTHORITATIVE_INFORMATION => StatusCode::UNAUTHORIZED,
            s => s,
        };
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(AttemptError::transport)?;
        if status.is_success() {
            return Ok(Response {
                system: http.system,
                status,
                headers,
                body: body.to_vec(),
            });
        }
        // GitHub's rate limits answer 403 (with `Retry-After` or no remaining quota): that is
        // throttling, not a bad credential.
        let rate_limited = status == StatusCode::FORBIDDEN
            && (headers.contains_key(RETRY_AFTER)
                || headers
                    .get("x-ratelimit-remaining")
                    .is_some_and(|v| v.as_bytes() == b"0"));
        Err(AttemptError::Status {
            status: if rate_limited {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                status
            },
            retry_after: retry_after(&headers),
            body: snippet(http.auth.redact(&String::from_utf8_lossy(&body)).as_bytes()),
        })
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    system: &'static str,
    /// The status (2xx).
    pub status: StatusCode,
    /// The headers (`Link`, `Location`, …).
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, TicketError> {
        serde_json::from_slice(&self.body).map_err(|e| TicketError::Failed {
            system: self.system,
            message: format!("unexpected answer ({}): {e}", self.status),
        })
    }

    /// The `rel="next"` URL of a `Link` header (GitHub / RFC 8288 paging), if any.
    pub fn next_link(&self) -> Option<Url> {
        let link = self.headers.get("link")?.to_str().ok()?;
        next_link(link)
    }
}

/// The `rel="next"` target of a `Link` header value.
pub fn next_link(link: &str) -> Option<Url> {
    link.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            return None;
        }
        let target = target.strip_prefix('<')?.strip_suffix('>')?;
        Url::parse(target).ok()
    })
}

/// A transport failure of `reqwest` as one line without the URL (`timed out: …`,
/// `transport error: …`), and whether the request surely never reached the server (the
/// connection did not open). Shared with the Teams webhook sink.
pub(crate) fn transport_failure(e: reqwest::Error) -> (String, bool) {
    let unsent = e.is_connect();
    let kind = if e.is_timeout() {
        "timed out"
    } else {
        "transport error"
    };
    (format!("{kind}: {}", e.without_url()), unsent)
}

/// Why one attempt failed.
#[derive(Debug)]
enum AttemptError {
    /// The server answered with a non-2xx status.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: String,
    },
    /// No answer: connect failure, timeout, broken body.
    Transport {
        message: String,
        /// Whether the request surely never reached the server (connect failed).
        unsent: bool,
    },
}

impl AttemptError {
    /// From a `reqwest` error, without the URL.
    fn transport(e: reqwest::Error) -> Self {
        let (message, unsent) = transport_failure(e);
        AttemptError::Transport { message, unsent }
    }

    /// Whether another attempt may help (and is safe).
    fn retryable(&self, idempotent: bool) -> bool {
        match self {
            AttemptError::Status { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS
                    || (idempotent && status.is_server_error())
                    || (!idempotent && *status == StatusCode::SERVICE_UNAVAILABLE)
            }
            AttemptError::Transport { unsent, .. } => idempotent || *unsent,
        }
    }

    /// The server's `Retry-After` hint.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            AttemptError::Status { retry_after, .. } => *retry_after,
            AttemptError::Transport { .. } => None,
        }
    }

    /// A short description for logs (no secrets: we never echo requests).
    fn describe(&self) -> String {
        match self {
            AttemptError::Status { status, body, .. } if body.is_empty() => {
                format!("HTTP {status}")
            }
            AttemptError::Status { status, body, .. } => format!("HTTP {status}: {body}"),
            AttemptError::Transport { message, .. } => message.clone(),
        }
    }

    /// The final error once retries are over.
    fn into_ticket_error(self, system: &'static str, setting: &'static str) -> TicketError {
        match &self {
            AttemptError::Status { status, .. }
                if *status == StatusCode::UNAUTHORIZED || *status == StatusCode::FORBIDDEN =>
            {
                TicketError::Unauthorized {
                    system,
                    message: format!(
                        "{}; check {setting} (value and permissions)",
                        self.describe()
                    ),
                }
            }
            AttemptError::Status {
                status,
                retry_after,
                ..
            } if *status == StatusCode::TOO_MANY_REQUESTS
                || (*status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some()) =>
            {
                TicketError::Throttled { system }
            }
            _ => TicketError::Failed {
                system,
                message: self.describe(),
            },
        }
    }
}

/// `Retry-After` as delta-seconds or an HTTP date (also used by the Teams webhook sink).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The first 300 characters of an error body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_requires_https_except_loopback() {
        assert!(parse_base_url("x", "S", "https://dev.azure.com/org").is_ok());
        assert!(parse_base_url("x", "S", "http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("x", "S", "http://[::1]:8080/api").is_ok());
        assert!(parse_base_url("x", "S", "http://localhost:1/").is_ok());
        let err = parse_base_url("x", "STEPUP_X_URL", "http://example.com").unwrap_err();
        assert!(err.to_string().contains("STEPUP_X_URL"), "{err}");
        assert!(parse_base_url("x", "S", "ftp://example.com").is_err());
        assert!(parse_base_url("x", "S", "not a url").is_err());
        assert!(parse_base_url("x", "S", "https://u:p@example.com").is_err());
    }

    #[test]
    fn base_url_gets_a_trailing_slash_and_segments_are_encoded() {
        let http = HttpClient::new(
            "x",
            "https://dev.azure.com/org",
            "S",
            Auth::None,
            RetryPolicy::fast(),
        )
        .unwrap();
        assert_eq!(http.base().as_str(), "https://dev.azure.com/org/");
        let url = http.url(&["My Project", "_apis", "wit", "workitems", "$Issue"]);
        assert_eq!(
            url.as_str(),
            "https://dev.azure.com/org/My%20Project/_apis/wit/workitems/$Issue"
        );
    }

    #[tokio::test]
    async fn dot_segments_are_refused_not_dropped() {
        let http = HttpClient::new(
            "x",
            "https://dev.azure.com/org",
            "S",
            Auth::None,
            RetryPolicy::fast(),
        )
        .unwrap();
        // The URL rules drop `..`: the request would reach the organisation's endpoint.
        assert_eq!(
            http.url(&["..", "_apis"]).as_str(),
            "https://dev.azure.com/org/_apis"
        );
        for bad in ["..", ".", ""] {
            let err = http
                .get(&["project", bad, "items"])
                .send()
                .await
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains("refusing a request with the path segment"),
                "{bad:?}: {err}"
            );
        }
        // Everything else is one encoded segment.
        assert_eq!(
            http.url(&["%2e%2e", "a/b", "c\\d", "e?f#g"]).as_str(),
            "https://dev.azure.com/org/%252e%252e/a%2Fb/c%5Cd/e%3Ff%23g"
        );
    }

    #[test]
    fn echoed_credentials_are_redacted() {
        let basic = Auth::Basic {
            user: "bot@contoso.example".into(),
            password: Secret::new("pw-123"),
            setting: "S",
        };
        let header = basic.header().unwrap();
        let echoed = format!("denied: {} (password pw-123)", header.to_str().unwrap());
        let text = basic.redact(&echoed);
        assert_eq!(text, "denied: Basic *** (password ***)");
        let bearer = Auth::Bearer {
            token: Secret::new("tok-9"),
            setting: "S",
        };
        assert_eq!(bearer.redact("Bearer tok-9"), "Bearer ***");
        assert_eq!(Auth::None.redact("Bearer tok-9"), "Bearer tok-9");
    }

    #[test]
    fn link_header_next_page() {
        let link = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(
            next_link(link).unwrap().as_str(),
            "https://api.github.com/repositories/1/issues?page=2"
        );
        assert!(next_link(r#"<https://a/b?page=1>; rel="prev""#).is_none());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    proptest::proptest! {
        #[test]
        fn any_retry_after_is_a_wait_or_none(value in "[ -~]{0,40}", secs in proptest::prelude::any::<u64>()) {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(RETRY_AFTER, v);
                let _ = retry_after(&h);
            }
            h.insert(RETRY_AFTER, HeaderValue::from(secs));
            proptest::prop_assert_eq!(retry_after(&h), Some(Duration::from_secs(secs)));
        }
    }

    #[test]
    fn auth_header_is_sensitive_and_errors_never_carry_the_secret() {
        let auth = Auth::Basic {
            user: String::new(),
            password: Secret::new("pat-value"),
            setting: "STEPUP_ADO_PAT",
        };
        let h = auth.header().unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().unwrap(), "Basic OnBhdC12YWx1ZQ==");
        assert!(!format!("{auth:?}").contains("pat-value"));
        let err = AttemptError::Status {
            status: StatusCode::UNAUTHORIZED,
            retry_after: None,
            body: String::new(),
        }
        .into_ticket_error("azure-devops", auth.setting());
        assert!(matches!(err, TicketError::Unauthorized { .. }));
        assert!(err.to_string().contains("STEPUP_ADO_PAT"));
        assert!(!err.to_string().contains("pat-value"));
    }

    #[test]
    fn what_is_retried() {
        let status = |s: u16| AttemptError::Status {
            status: StatusCode::from_u16(s).unwrap(),
            retry_after: None,
            body: String::new(),
        };
        assert!(status(429).retryable(false));
        assert!(status(500).retryable(true));
        assert!(
            !status(500).retryable(false),
            "a create is not repeated blindly"
        );
        assert!(status(503).retryable(false));
        assert!(!status(404).retryable(true));
        assert!(!status(401).retryable(true));
        let timeout = AttemptError::Transport {
            message: "timed out".into(),
            unsent: false,
        };
        assert!(timeout.retryable(true));
        assert!(!timeout.retryable(false));
        assert!(matches!(
            status(429).into_ticket_error("x", "S"),
            TicketError::Throttled { .. }
        ));
        assert!(matches!(
            status(500).into_ticket_error("x", "S"),
            TicketError::Failed { .. }
        ));
    }
}
