//! The live sources' settings, read through a lookup (the process environment is read only
//! in `src/config.rs`).

use std::time::Duration;

use chrono::Duration as Span;

use crate::ids::SubscriptionId;

/// A setting with a wrong value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SourcesSettingError {
    /// The setting.
    pub name: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// A request budget: at most `requests` per `window` (`5/10s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per window (at least 1).
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl Rate {
    /// Graph's documented identity-report limit: 5 requests per 10 seconds.
    pub const GRAPH_REPORTS: Rate = Rate {
        requests: 5,
        window: Duration::from_secs(10),
    };

    /// Parses `N/<duration>` where the duration is a number with `ms`, `s` or `m`
    /// (`5/10s`, `50/1s`, `5/100ms`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("expected requests/window such as 5/10s, got {text:?}");
        let (n, window) = text.trim().split_once('/').ok_or_else(bad)?;
        let requests: u32 = n.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let (digits, unit) = window
            .find(|c: char| !c.is_ascii_digit())
            .map_or((window, ""), |at| window.split_at(at));
        let amount: u64 = digits.parse().map_err(|_| bad())?;
        let window = match unit {
            "ms" => Duration::from_millis(amount),
            "s" => Duration::from_secs(amount),
            "m" => Duration::from_secs(amount.saturating_mul(60)),
            _ => return Err(bad()),
        };
        if requests == 0 || window.is_zero() || window > Duration::from_secs(3600) {
            return Err(bad());
        }
        Ok(Self { requests, window })
    }

    /// The even spacing between two requests that never exceeds the rate in any window.
    pub fn spacing(&self) -> Duration {
        self.window / self.requests
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.window.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}/{}s", self.requests, ms / 1000)
        } else {
            write!(f, "{}/{}ms", self.requests, ms)
        }
    }
}

/// Settings of the live Graph and ARM sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesSettings {
    /// `STEPUP_GRAPH_URL`: the Microsoft Graph base URL.
    pub graph_url: String,
    /// `STEPUP_ARM_URL`: the Azure Resource Manager base URL.
    pub arm_url: String,
    /// `STEPUP_LOOKBACK_DAYS`: days a first scan reads back (1–90).
    pub lookback_days: u32,
    /// `STEPUP_OVERLAP_MINUTES`: minutes an incremental scan re-reads before its watermark
    /// (0–1440).
    pub overlap_minutes: u32,
    /// `STEPUP_SUBSCRIPTIONS`: the subscriptions to read (empty: all the identity can read).
    pub subscriptions: Vec<SubscriptionId>,
    /// `STEPUP_GRAPH_REPORT_RATE`: the identity-report budget per tenant.
    pub graph_report_rate: Rate,
    /// `STEPUP_ARM_CONCURRENCY`: subscriptions read in parallel (1–64).
    pub arm_concurrency: usize,
}

/// Default of `STEPUP_GRAPH_URL`.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";
/// Default of `STEPUP_ARM_URL`.
pub const DEFAULT_ARM_URL: &str = "https://management.azure.com";

impl Default for SourcesSettings {
    fn default() -> Self {
        Self {
            graph_url: DEFAULT_GRAPH_URL.into(),
            arm_url: DEFAULT_ARM_URL.into(),
            lookback_days: 30,
            overlap_minutes: 120,
            subscriptions: Vec::new(),
            graph_report_rate: Rate::GRAPH_REPORTS,
            arm_concurrency: 8,
        }
    }
}

impl SourcesSettings {
    /// Reads the settings through `lookup` (unset or blank means the default).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SourcesSettingError> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let d = Self::default();
        let subscriptions = match value("STEPUP_SUBSCRIPTIONS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    SubscriptionId::parse(s).map_err(|e| SourcesSettingError {
                        name: "STEPUP_SUBSCRIPTIONS",
                        message: e.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let graph_report_rate = match value("STEPUP_GRAPH_REPORT_RATE") {
            None => d.graph_report_rate,
            Some(text) => Rate::parse(&text).map_err(|message| SourcesSettingError {
                name: "STEPUP_GRAPH_REPORT_RATE",
                message,
            })?,
        };
        Ok(Self {
            graph_url: value("STEPUP_GRAPH_URL").unwrap_or(d.graph_url),
            arm_url: value("STEPUP_ARM_URL").unwrap_or(d.arm_url),
            lookback_days: number(&value, "STEPUP_LOOKBACK_DAYS", d.lookback_days, 1..=90)?,
            overlap_minutes: number(
                &value,
                "STEPUP_OVERLAP_MINUTES",
                d.overlap_minutes,
                0..=1440,
            )?,
            subscriptions,
            graph_report_rate,
            arm_concurrency: number(&value, "STEPUP_ARM_CONCURRENCY", 8, 1..=64)? as usize,
        })
    }

    /// The look-back as a span.
    pub fn lookback(&self) -> Span {
        Span::days(i64::from(self.lookback_days))
    }

    /// The overlap as a span.
    pub fn overlap(&self) -> Span {
        Span::minutes(i64::from(self.overlap_minutes))
    }
}

fn number(
    value: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, SourcesSettingError> {
    match value(name) {
        None => Ok(default),
        Some(text) => crate::config::parse_whole_number(&text, range)
            .map_err(|message| SourcesSettingError { name, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<SourcesSettings, SourcesSettingError> {
        SourcesSettings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_follow_the_settings_table() {
        let s = settings(&[]).unwrap();
        assert_eq!(s, SourcesSettings::default());
        for spec in crate::config::SETTINGS {
            let expected = match spec.name {
                "STEPUP_GRAPH_URL" => s.graph_url.clone(),
                "STEPUP_ARM_URL" => s.arm_url.clone(),
                "STEPUP_LOOKBACK_DAYS" => s.lookback_days.to_string(),
                "STEPUP_OVERLAP_MINUTES" => s.overlap_minutes.to_string(),
                "STEPUP_GRAPH_REPORT_RATE" => s.graph_report_rate.to_string(),
                "STEPUP_ARM_CONCURRENCY" => s.arm_concurrency.to_string(),
                _ => continue,
            };
            assert_eq!(spec.default, Some(expected.as_str()), "{}", spec.name);
        }
    }

    #[test]
    fn reads_every_setting() {
        let s = settings(&[
            ("STEPUP_GRAPH_URL", "http://127.0.0.1:9/"),
            ("STEPUP_LOOKBACK_DAYS", "90"),
            ("STEPUP_OVERLAP_MINUTES", "0"),
            (
                "STEPUP_SUBSCRIPTIONS",
                " 350c1cd6-110b-4dd0-8b9b-27b99c6c78e1, ,137be62f-e242-4e04-82a2-92b06acea241",
            ),
            ("STEPUP_GRAPH_REPORT_RATE", "5/100ms"),
            ("STEPUP_ARM_CONCURRENCY", "64"),
        ])
        .unwrap();
        assert_eq!(s.graph_url, "http://127.0.0.1:9/");
        assert_eq!(s.lookback(), Span::days(90));
        assert_eq!(s.overlap(), Span::zero());
        assert_eq!(s.subscriptions.len(), 2);
        assert_eq!(s.graph_report_rate.spacing(), Duration::from_millis(20));
        assert_eq!(s.graph_report_rate.to_string(), "5/100ms");
        assert_eq!(s.arm_concurrency, 64);
    }

    #[test]
    fn wrong_values_name_the_setting() {
        for (name, value) in [
            ("STEPUP_LOOKBACK_DAYS", "0"),
            ("STEPUP_LOOKBACK_DAYS", "91"),
            ("STEPUP_OVERLAP_MINUTES", "-5"),
            ("STEPUP_SUBSCRIPTIONS", "prod"),
            ("STEPUP_GRAPH_REPORT_RATE", "5 per 10s"),
            ("STEPUP_GRAPH_REPORT_RATE", "0/10s"),
            ("STEPUP_GRAPH_REPORT_RATE", "5/10h"),
            ("STEPUP_ARM_CONCURRENCY", "65"),
        ] {
            let err = settings(&[(name, value)]).unwrap_err();
            assert_eq!(err.name, name, "{value}");
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }

    #[test]
    fn rates_parse_and_space_evenly() {
        assert_eq!(Rate::parse("5/10s").unwrap(), Rate::GRAPH_REPORTS);
        assert_eq!(Rate::GRAPH_REPORTS.spacing(), Duration::from_secs(2));
        assert_eq!(
            Rate::parse("60/1m").unwrap().spacing(),
            Duration::from_secs(1)
        );
    }
}
