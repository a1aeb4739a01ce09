//! The retry policy of Graph and ARM calls: bounded attempts with exponential backoff and
//! jitter (from `backon`) on 5xx, timeouts and connection failures; `Retry-After` honoured on
//! 429 and 503, with a separate, larger budget for throttling (a scan must not fail because
//! the service asked it to slow down, but it must not wait forever either).

use std::time::Duration;

use azure_core::http::headers::{HeaderName, Headers};
use backon::{BackoffBuilder, ExponentialBuilder};

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all for transient failures (5xx, timeouts, connection errors), the first
    /// included.
    pub max_attempts: u32,
    /// Throttled answers (429) tolerated for one call before it fails.
    pub max_throttled: u32,
    /// The first backoff delay.
    pub min_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; longer hints are cut to this.
    pub max_retry_after: Duration,
    /// The time limit of one attempt (request and body).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            max_throttled: 30,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            timeout: Duration::from_secs(100),
        }
    }
}

impl RetryPolicy {
    /// A fast policy for loopback fakes: the same bounds, millisecond delays.
    pub fn fast() -> Self {
        Self {
            max_attempts: 12,
            max_throttled: 200,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
        }
    }

    /// The backoff delays between attempts, with jitter.
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build()
    }
}

/// The server's wait hint: `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds), else
/// `Retry-After` (seconds or an HTTP date).
pub fn retry_after(headers: &Headers) -> Option<Duration> {
    let get = |name: &'static str| {
        headers
            .get_optional_str(&HeaderName::from_static(name))
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = get(name).and_then(|v| v.parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    let value = get("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        // Past `Duration`'s range (some 584 billion years) the hint saturates; callers cut
        // it to their longest wait.
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// ARM's remaining read budget from `x-ms-ratelimit-remaining-*-reads` (the least of the
/// subscription and tenant counters), when the answer carries one.
pub fn arm_remaining_reads(headers: &Headers) -> Option<u64> {
    [
        "x-ms-ratelimit-remaining-subscription-reads",
        "x-ms-ratelimit-remaining-tenant-reads",
    ]
    .iter()
    .filter_map(|name| {
        headers
            .get_optional_str(&HeaderName::from_static(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    })
    .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (k, v) in pairs {
            h.insert(*k, v.to_string());
        }
        h
    }

    #[test]
    fn reads_every_form_of_the_wait_hint() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "0.5")])),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after", "7"),
                ("x-ms-retry-after-ms", "250")
            ])),
            Some(Duration::from_millis(250))
        );
        let past = retry_after(&headers(&[(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        )]));
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn a_huge_hint_saturates_instead_of_panicking() {
        // Found by the property below: `Duration::from_secs_f64` panics past its range.
        for huge in ["1e20", "1e300", "18446744073709551616"] {
            assert_eq!(
                retry_after(&headers(&[("retry-after", huge)])),
                Some(Duration::MAX),
                "{huge}"
            );
        }
        assert_eq!(retry_after(&headers(&[("retry-after", "inf")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")])), None);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_header_value_is_a_hint_or_none(value in any::<String>(), name in prop::sample::select(&["retry-after", "retry-after-ms", "x-ms-retry-after-ms"][..])) {
                let _ = retry_after(&headers(&[(name, &value)]));
            }

            #[test]
            fn any_number_of_seconds_is_that_wait(secs in any::<f64>(), pad in "[ \t]{0,2}") {
                let text = format!("{pad}{secs}{pad}");
                let hint = retry_after(&headers(&[("retry-after", &text)]));
                if !(secs >= 0.0 && secs.is_finite()) {
                    prop_assert_eq!(hint, None, "{}", text);
                } else if secs < 1e15 {
                    let got = hint.map(|d| d.as_secs_f64());
                    prop_assert!(got.is_some_and(|g| (g - secs).abs() <= secs * 1e-9 + 1e-9), "{} → {:?}", text, got);
                } else {
                    prop_assert!(hint.is_some_and(|d| d.as_secs_f64() >= 1e15), "{} → {:?}", text, hint);
                }
            }

            #[test]
            fn milliseconds_win_over_seconds(ms in any::<u64>(), secs in any::<u32>()) {
                let h = headers(&[("retry-after", &secs.to_string()), ("x-ms-retry-after-ms", &ms.to_string())]);
                prop_assert_eq!(retry_after(&h), Some(Duration::from_millis(ms)));
                let h = headers(&[("retry-after", &secs.to_string())]);
                prop_assert_eq!(retry_after(&h), Some(Duration::from_secs(u64::from(secs))));
            }
        }
    }

    #[test]
    fn reads_arm_budgets() {
        let h = headers(&[
            ("x-ms-ratelimit-remaining-subscription-reads", "11999"),
            ("x-ms-ratelimit-remaining-tenant-reads", "3"),
        ]);
        assert_eq!(arm_remaining_reads(&h), Some(3));
        assert_eq!(arm_remaining_reads(&headers(&[])), None);
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        let p = RetryPolicy {
            max_attempts: 5,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        let delays: Vec<Duration> = p.delays().collect();
        assert_eq!(delays.len(), 4, "attempts - 1 waits");
        // Jitter adds up to one more base delay; the cap bounds the base.
        assert!(delays.iter().all(|d| *d >= Duration::from_millis(100)));
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(700)));
    }
}
