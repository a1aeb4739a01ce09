//! One service's client (Graph or ARM): the azure_core HTTP transport, a bearer token from
//! the [`TokenSource`], bounded retries ([`RetryPolicy`]), `Retry-After` and ARM's remaining
//! read budget honoured, the identity-report limiter for the calls that need it, and counters
//! of what was sent.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_core::http::{headers::Headers, HttpClient, Method, Request};
use serde_json::value::RawValue;
use url::Url;

use super::error::{call_name, service_error, CallError, Reason};
use super::limiter::ReportLimiter;
use super::page::Page;
use super::retry::{arm_remaining_reads, retry_after, RetryPolicy};
use crate::ids::TenantId;
use crate::sources::token::{default_scope, TokenSource};

/// ARM answers saying fewer reads than this remain pause the client (the next read would
/// be throttled).
const ARM_LOW_READS: u64 = 1;
/// How long a spent ARM budget pauses the client, unless the answer says.
const ARM_LOW_PAUSE: Duration = Duration::from_secs(1);

/// Counters of one client.
#[derive(Debug, Default)]
pub struct CallStats {
    /// Requests sent (every attempt).
    pub requests: AtomicU64,
    /// Requests sent through the identity-report limiter.
    pub report_requests: AtomicU64,
    /// Throttled answers (429) received.
    pub throttled: AtomicU64,
    /// Other transient failures (5xx, timeouts, connection errors) retried or given up on.
    pub transient: AtomicU64,
}

impl CallStats {
    /// A snapshot: (requests, report requests, throttled, transient).
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            report_requests: self.report_requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            transient: self.transient.load(Ordering::Relaxed),
        }
    }
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests sent (every attempt).
    pub requests: u64,
    /// Requests sent through the identity-report limiter.
    pub report_requests: u64,
    /// Throttled answers received.
    pub throttled: u64,
    /// Other transient failures.
    pub transient: u64,
}

/// How a request is paced.
#[derive(Debug, Clone)]
pub enum Pace {
    /// No limiter (directory reads, ARM).
    Free,
    /// Graph's identity reports: one tenant's budget.
    Reports(Arc<ReportLimiter>, TenantId),
}

/// A service client.
#[derive(Debug)]
pub struct ApiClient {
    service: &'static str,
    base: Url,
    scope: String,
    tokens: Arc<TokenSource>,
    http: Arc<dyn HttpClient>,
    policy: RetryPolicy,
    watch_arm_budget: bool,
    paused_until: Mutex<Option<Instant>>,
    stats: CallStats,
}

/// A base URL that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting} is not a usable base URL ({why}): {value:?}")]
pub struct BaseUrlError {
    /// The setting.
    pub setting: &'static str,
    /// What is wrong.
    pub why: String,
    /// The value.
    pub value: String,
}

/// Parses a base URL: `https://…` anywhere, `http://…` only on a loopback host (fakes); a
/// trailing `/` is added so that relative paths append.
pub fn parse_base_url(setting: &'static str, raw: &str) -> Result<Url, BaseUrlError> {
    let bad = |why: &str| BaseUrlError {
        setting,
        why: why.into(),
        value: raw.into(),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("plain http is allowed only for localhost")),
        _ => return Err(bad("the scheme must be https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials do not belong in the URL"));
    }
    if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("expected scheme://host[/path]"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

impl ApiClient {
    /// A client of `service` ("Graph", "ARM") at `base`, authenticating with `tokens` for
    /// the base's `.default` scope.
    pub fn new(
        service: &'static str,
        base: Url,
        tokens: Arc<TokenSource>,
        http: Arc<dyn HttpClient>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            service,
            scope: default_scope(&base),
            base,
            tokens,
            http,
            policy,
            watch_arm_budget: service == "ARM",
            paused_until: Mutex::new(None),
            stats: CallStats::default(),
        }
    }

    /// The service name.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// `base/path?query` (`path` relative, without a leading `/`).
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self
            .base
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.base.clone());
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// A next-page link, accepted only on the base's origin (the token never leaves it).
    pub fn next_url(&self, link: &str) -> Result<Url, CallError> {
        let url = Url::parse(link).map_err(|e| CallError {
            call: format!("GET {}", self.service),
            attempts: 0,
            reason: Reason::Body(format!("next page link is not a URL: {e}")),
        })?;
        if url.origin() != self.base.origin() {
            return Err(CallError {
                call: call_name("GET", &url),
                attempts: 0,
                reason: Reason::ForeignLink(url.origin().ascii_serialization()),
            });
        }
        Ok(url)
    }

    /// GETs one collection page.
    pub async fn get_page(&self, url: &Url, pace: &Pace) -> Result<Page, CallError> {
        let (body, attempts) = self.get(url, pace, false).await?;
        let body = body.unwrap_or_default();
        Page::parse(&body).map_err(|why| CallError {
            call: call_name("GET", url),
            attempts,
            reason: Reason::Body(why),
        })
    }

    /// GETs one object; `None` when the service answers 404 (a user without a manager).
    pub async fn get_object(&self, url: &Url) -> Result<Option<Box<RawValue>>, CallError> {
        let (body, attempts) = self.get(url, &Pace::Free, true).await?;
        let Some(body) = body else {
            return Ok(None);
        };
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| CallError {
                call: call_name("GET", url),
                attempts,
                reason: Reason::Body(e.to_string()),
            })
    }

    /// GET with retries: the body (`None` for an accepted 404) and the attempts made.
    async fn get(
        &self,
        url: &Url,
        pace: &Pace,
        not_found_ok: bool,
    ) -> Result<(Option<Vec<u8>>, u32), CallError> {
        let call = call_name("GET", url);
        let mut delays = self.policy.delays();
        let mut attempts = 0u32;
        let mut throttled = 0u32;
        let mut reauthenticated = false;
        loop {
            attempts += 1;
            let fail = |reason| CallError {
                call: call.clone(),
                attempts,
                reason,
            };
            // The token first: a token request after the permit would delay this request
            // past its slot and bunch it up with the next one at the service.
            let token = self
                .tokens
                .token(&self.scope)
                .await
                .map_err(|e| fail(Reason::Token(e)))?;
            self.wait_for_pause().await;
            if let Pace::Reports(limiter, tenant) = pace {
                limiter.acquire(tenant).await;
                self.stats.report_requests.fetch_add(1, Ordering::Relaxed);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = self.attempt(url, token.expose()).await;
            let (reason, hint) = match outcome {
                Ok((status, headers, body)) => {
                    self.note_arm_budget(&headers);
                    if (200..300).contains(&status) {
                        return Ok((Some(body), attempts));
                    }
                    if status == 404 && not_found_ok {
                        return Ok((None, attempts));
                    }
                    let (code, message) = service_error(&body);
                    let hint = retry_after(&headers);
                    (
                        Reason::Status {
                            status,
                            code,
                            message,
                        },
                        hint,
                    )
                }
                Err(reason) => (reason, None),
            };
            if matches!(reason, Reason::Status { status: 401, .. }) && !reauthenticated {
                // An expired or revoked token: fetch a new one, once.
                reauthenticated = true;
                self.tokens.invalidate(&self.scope).await;
                continue;
            }
            if !reason.transient() {
                return Err(fail(reason));
            }
            let wait = if reason.throttled() || (hint.is_some() && is_503(&reason)) {
                self.stats
                    .throttled
                    .fetch_add(u64::from(reason.throttled()), Ordering::Relaxed);
                throttled += 1;
                if throttled > self.policy.max_throttled {
                    return Err(fail(reason));
                }
                // Throttling does not use up the backoff budget of failures.
                let wait = hint
                    .unwrap_or(self.policy.min_delay)
                    .min(self.policy.max_retry_after);
                if let Pace::Reports(limiter, tenant) = pace {
                    limiter.hold(tenant, Instant::now() + wait);
                }
                wait
            } else {
                self.stats.transient.fetch_add(1, Ordering::Relaxed);
                match delays.next() {
                    Some(d) => hint.map_or(d, |h| h.min(self.policy.max_retry_after).max(d)),
                    None => return Err(fail(reason)),
                }
            };
            tracing::debug!(service = self.service, call = %call, reason = %reason, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: status, headers and body, within the attempt's time limit.
    async fn attempt(&self, url: &Url, token: &str) -> Result<(u16, Headers, Vec<u8>), Reason> {
        let mut req = Request::new(url.clone(), Method::Get);
        req.insert_header("authorization", format!("Bearer {token}"));
        req.insert_header("accept", "application/json");
        let send = async {
            let rsp = self
                .http
                .execute_request(&req)
                .await
                .map_err(|e| Reason::Transport(transport_message(&e)))?;
            let (status, headers, body) = rsp.deconstruct();
            let body = body
                .collect()
                .await
                .map_err(|e| Reason::Transport(transport_message(&e)))?;
            let status = u16::from(status);
            if (200..300).contains(&status) {
                if let Some(why) = cut_short(&body) {
                    return Err(Reason::Transport(why));
                }
            }
            Ok((status, headers, body.to_vec()))
        };
        match tokio::time::timeout(self.policy.timeout, send).await {
            Ok(result) => result,
            Err(_) => Err(Reason::Timeout),
        }
    }

    /// Pauses the client briefly when ARM says its read budget is nearly spent.
    fn note_arm_budget(&self, headers: &Headers) {
        if !self.watch_arm_budget {
            return;
        }
        if arm_remaining_reads(headers).is_some_and(|left| left < ARM_LOW_READS) {
            if let Ok(mut until) = self.paused_until.lock() {
                // The server's hint is cut like any other: a huge one would overflow `Instant`.
                let pause = retry_after(headers)
                    .unwrap_or(ARM_LOW_PAUSE)
                    .min(self.policy.max_retry_after);
                let next = Instant::now() + pause;
                *until = Some(until.map_or(next, |u| u.max(next)));
            }
        }
    }

    async fn wait_for_pause(&self) {
        let until = self.paused_until.lock().ok().and_then(|u| *u);
        if let Some(until) = until {
            if until > Instant::now() {
                tokio::time::sleep_until(until.into()).await;
            }
        }
    }
}

/// Why a success body is cut short: it is JSON that ends before it is complete (a proxy or
/// the service closed the response early, framing it as complete). Such an answer is a
/// transport failure, retried like one; a body that is complete but not what the API
/// documents is not (`None` here, [`Reason::Body`] later).
fn cut_short(body: &[u8]) -> Option<String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Err(e) if e.is_eof() => Some(format!(
            "the answer was cut short after {} bytes ({e})",
            body.len()
        )),
        _ => None,
    }
}

fn is_503(reason: &Reason) -> bool {
    matches!(reason, Reason::Status { status: 503, .. })
}

/// A transport error on one line, without the URL (its query may carry skip tokens).
fn transport_message(e: &azure_core::Error) -> String {
    let mut text = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        text.push_str(": ");
        text.push_str(&without_url(&source.to_string()));
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops reqwest's ` for url (…)` from an error text.
fn without_url(text: &str) -> String {
    match text.find(" for url (") {
        Some(at) => {
            let rest = &text[at..];
            let end = rest.find(')').map_or(text.len(), |e| at + e + 1);
            format!("{}{}", &text[..at], &text[end..])
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_lose_their_url() {
        assert_eq!(
            without_url("error sending request for url (http://h/p?$skiptoken=x): closed"),
            "error sending request: closed"
        );
        assert_eq!(without_url("connection refused"), "connection refused");
    }

    #[test]
    fn a_json_body_cut_short_is_a_transport_failure_and_retried() {
        let why = cut_short(br#"{"value":[{"id":"a"},{"id":"#).expect("cut short");
        assert!(why.contains("cut short after 27 bytes"), "{why}");
        assert!(Reason::Transport(why).transient());
        // Complete bodies, even wrong ones, are not cut short: they fail as `Body`.
        assert_eq!(cut_short(br#"{"value":[]}"#), None);
        assert_eq!(cut_short(b"<html>oops</html>"), None);
        assert_eq!(cut_short(br#"{"value":[]}}"#), None);
        assert_eq!(cut_short(b""), None);
    }

    #[test]
    fn a_huge_wait_hint_with_a_spent_arm_budget_is_cut_not_a_panic() {
        // `Instant + Duration` panics on overflow; a server's hint must not reach it uncut.
        let arm = crate::sources::graph::tests::api_client("ARM", "https://management.azure.com");
        for hint in ["18446744073709551615", "1e300"] {
            let mut h = Headers::new();
            h.insert("x-ms-ratelimit-remaining-subscription-reads", "0");
            h.insert("retry-after", hint);
            let before = Instant::now();
            arm.note_arm_budget(&h);
            let until = arm.paused_until.lock().ok().and_then(|u| *u);
            assert!(
                until.is_some_and(|u| u <= Instant::now() + arm.policy.max_retry_after
                    && u >= before + arm.policy.max_retry_after),
                "{hint}: {until:?}"
            );
        }
    }

    #[test]
    fn base_urls_are_https_or_loopback() {
        assert_eq!(
            parse_base_url("STEPUP_GRAPH_URL", "https://graph.microsoft.com")
                .unwrap()
                .as_str(),
            "https://graph.microsoft.com/"
        );
        assert!(parse_base_url("STEPUP_ARM_URL", "http://127.0.0.1:8080/arm").is_ok());
        for bad in [
            "http://graph.example.com",
            "ftp://x",
            "https://u:p@graph.microsoft.com",
            "https://graph.microsoft.com/?x=1",
            "graph",
        ] {
            let err = parse_base_url("STEPUP_GRAPH_URL", bad).unwrap_err();
            assert!(err.to_string().starts_with("STEPUP_GRAPH_URL"), "{err}");
        }
    }
}
