//! Timestamps in the forms Graph and ARM print them, without a clock or time-zone data.

use std::fmt;

use serde::{Serialize, Serializer};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds in an hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in a minute.
pub(crate) const MINUTE_MS: i64 = 60_000;

/// A UTC instant with 100 ns resolution, printed as Graph (`…:33Z`) or ARM
/// (`…:33.1234567Z`) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp {
    /// Unix milliseconds.
    pub ms: i64,
    /// 100 ns units below the millisecond (0–9999).
    pub sub: u16,
    /// Whether to print seven fractional digits.
    pub precise: bool,
}

impl Stamp {
    /// Whole seconds (Graph sign-ins).
    pub(crate) fn seconds(ms: i64) -> Self {
        Self {
            ms: ms - ms.rem_euclid(1000),
            sub: 0,
            precise: false,
        }
    }

    /// Seven fractional digits (ARM events).
    pub(crate) fn precise(ms: i64, sub: u16) -> Self {
        Self {
            ms,
            sub: sub % 10_000,
            precise: true,
        }
    }

    /// .NET ticks (100 ns since 0001-01-01), as ARM event ids carry them.
    pub(crate) fn ticks(&self) -> i64 {
        (self.ms + 62_135_596_800_000) * 10_000 + i64::from(self.sub)
    }
}

/// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// ISO weekday of a Unix millisecond instant: 1 = Monday … 7 = Sunday.
pub(crate) fn iso_weekday(ms: i64) -> u32 {
    // 1970-01-01 was a Thursday (4).
    ((ms.div_euclid(DAY_MS) + 3).rem_euclid(7) + 1) as u32
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.ms.div_euclid(DAY_MS);
        let in_day = self.ms.rem_euclid(DAY_MS);
        let (y, m, d) = civil_from_days(days);
        let secs = in_day / 1000;
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )?;
        if self.precise {
            write!(f, ".{:03}{:04}", in_day % 1000, self.sub)?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn prints_like_chrono() {
        for ms in [0i64, 1_795_132_800_000, 1_795_219_199_999, 951_782_400_123] {
            let ours = Stamp::seconds(ms).to_string();
            let theirs = DateTime::<Utc>::from_timestamp_millis(ms)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(ours, theirs);
            let precise = Stamp::precise(ms, 4567).to_string();
            let parsed: DateTime<Utc> = precise.parse().unwrap();
            assert_eq!(parsed.timestamp_millis(), ms);
            assert!(precise.ends_with("4567Z"), "{precise}");
        }
    }

    #[test]
    fn weekdays_and_ticks() {
        // 2026-11-20 is a Friday.
        let ms = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(iso_weekday(ms), 5);
        assert_eq!(Stamp::precise(0, 1).ticks(), 621_355_968_000_000_001);
    }
}
