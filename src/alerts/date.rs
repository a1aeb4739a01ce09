//! The enforcement date in a notice's text. Notices word it in many ways — "starting
//! October 1, 2025", "on 2026-03-15", "from 1 October 2025", "has been postponed to
//! March 15, 2026" — and often name other dates too (Phase 1's, the last postponement date,
//! the publication date). Each date found is scored by its sentence and the words just
//! before it; the best one wins if it scores enough.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// Month names and abbreviations.
const MONTH: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// `2025-10-01`.
static ISO: LazyLock<Regex> = LazyLock::new(|| pattern(r"\b(\d{4})-(\d{2})-(\d{2})\b"));
/// `October 1, 2025`, `Oct. 1st 2025`.
static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)\b{MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
    ))
});
/// `1 October 2025`, `1st of October, 2025`.
static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\.?,?\s+(\d{{4}})\b"
    ))
});
/// Words just before a date that make it a start: "starting", "from", "on", "postponed to"…
static START_CUE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(starting|start(?:s)?|beginning|begins?|from|on|as of|effective(?: from| on)?|postponed (?:to|until)|rescheduled (?:to|for)|moved to|deferred (?:to|until)|enforced|enforcement date(?: is)?:?|date(?: is)?:)\s*(?:on\s+)?$",
    )
});
/// Words just before a date that make it a deadline: "before", "by".
static DEADLINE_CUE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\b(before|by|no later than)\s*$"));
/// A sentence about the MFA requirement.
static TOPIC: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?i)\b(enforc\w*|mfa|multi[- ]?factor|requir\w*|mandatory|phase 2)\b")
});
/// A sentence offering postponement ("you can postpone … until July 1, 2026").
static POSTPONE_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(can|may|able to|option to|choose to|request to|want to|need to)\b[^.]*\bpostpon",
    )
});
/// A sentence about Phase 1 only (the portals).
static PHASE_ONE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\b(phase 1|azure portal|admin cent(?:er|re)|intune)\b"));
/// A sentence naming the ARM control plane or its clients.
static PHASE_TWO: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(phase 2|resource manager|azure cli|powershell|command[- ]line|sdk|rest api|infrastructure as code)\b",
    )
});

/// The least score a date needs: a topical sentence and a cue, or a strong sentence.
const THRESHOLD: i32 = 3;

fn pattern(text: &str) -> Regex {
    Regex::new(text).unwrap_or_else(|e| unreachable!("fixed pattern {text}: {e}"))
}

/// The enforcement date a notice's text announces, if it names one clearly.
pub fn enforcement_date(text: &str) -> Option<NaiveDate> {
    let mut best: Option<(i32, usize, NaiveDate)> = None;
    for (at, date) in dates(text) {
        let score = score(text, at);
        let better = match best {
            None => true,
            Some((s, first, _)) => score > s || (score == s && at < first),
        };
        if better {
            best = Some((score, at, date));
        }
    }
    best.filter(|(s, _, _)| *s >= THRESHOLD).map(|(_, _, d)| d)
}

/// Every date in the text with its byte offset.
fn dates(text: &str) -> Vec<(usize, NaiveDate)> {
    let mut found = Vec::new();
    for c in ISO.captures_iter(text) {
        let (Some(all), Some(y), Some(m), Some(d)) = (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        if let Some(date) = ymd(y.as_str(), month_number(m.as_str()), d.as_str()) {
            found.push((all.start(), date));
        }
    }
    for c in MONTH_FIRST.captures_iter(text) {
        let (Some(all), Some(m), Some(d), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        if let Some(date) = ymd(y.as_str(), month_number(m.as_str()), d.as_str()) {
            found.push((all.start(), date));
        }
    }
    for c in DAY_FIRST.captures_iter(text) {
        let (Some(all), Some(d), Some(m), Some(y)) = (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        if let Some(date) = ymd(y.as_str(), month_number(m.as_str()), d.as_str()) {
            found.push((all.start(), date));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.dedup_by_key(|(at, _)| *at);
    found
}

/// A month by number (`10`) or name (`Oct`, `october`).
fn month_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let lower = text.to_ascii_lowercase();
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names
        .iter()
        .position(|n| lower.starts_with(n))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn ymd(year: &str, month: Option<u32>, day: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year.parse().ok()?, month?, day.parse().ok()?)
}

/// How much the date at `at` looks like the enforcement date.
fn score(text: &str, at: usize) -> i32 {
    let (start, end) = sentence_around(text, at);
    let sentence = &text[start..end];
    let before = &text[start..at];
    let mut score = 0;
    if TOPIC.is_match(sentence) {
        score += 2;
    }
    if START_CUE.is_match(before) {
        score += 2;
    } else if DEADLINE_CUE.is_match(before) {
        score += 1;
    }
    if POSTPONE_OPTION.is_match(sentence) {
        score -= 5;
    }
    if PHASE_ONE.is_match(sentence) && !PHASE_TWO.is_match(sentence) {
        score -= 3;
    }
    score
}

/// The byte range of the sentence holding `at`: sentences end at a line break, or at
/// `.`, `!`, `?` or `;` followed by a blank (but not after a month abbreviation: "Oct. 1").
fn sentence_around(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let is_end = |i: usize| -> bool {
        match bytes.get(i) {
            Some(b'\n') => true,
            Some(b'.' | b'!' | b'?' | b';') => {
                let blank_after = bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace);
                // The word before the mark: ASCII letters only, so a byte search is exact
                // (every byte of a multi-byte character is outside ASCII), and the word
                // starts on a character boundary.
                let word_start = bytes[..i]
                    .iter()
                    .rposition(|b| !b.is_ascii_alphabetic())
                    .map_or(0, |p| p + 1);
                let abbreviation = month_number(&text[word_start..i]).is_some()
                    && (3..=4).contains(&(i - word_start));
                blank_after && !abbreviation
            }
            _ => false,
        }
    };
    let start = (0..at).rev().find(|&i| is_end(i)).map_or(0, |i| i + 1);
    let end = (at..bytes.len())
        .find(|&i| is_end(i))
        .unwrap_or(bytes.len());
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::enforcement_date;

    #[test]
    fn a_sentence_mark_after_a_multibyte_character_is_read() {
        // Found by the service_health fuzz target: the word before a `.` was cut inside
        // the `é`, a slicing panic.
        assert_eq!(enforcement_date("Café. 2025-10-01"), None);
        assert_eq!(
            enforcement_date("Résumé… é. Starting October 1, 2025, MFA is required for Azure CLI."),
            chrono::NaiveDate::from_ymd_opt(2025, 10, 1)
        );
    }

    #[test]
    fn phrasings_of_the_date() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Starting October 1, 2025, MFA will be required for Azure CLI and Azure PowerShell.", Some("2025-10-01")),
            ("MFA enforcement for Azure Resource Manager begins on 2026-03-15.", Some("2026-03-15")),
            ("From 1 October 2025, Azure will enforce multifactor authentication for create, update and delete operations.", Some("2025-10-01")),
            ("Your tenant's enforcement of mandatory MFA has been postponed to March 15, 2026.", Some("2026-03-15")),
            ("Beginning Oct. 1st 2025 we require MFA for Azure Resource Manager.", Some("2025-10-01")),
            ("Enable MFA for your users before 1st of October, 2025: ARM operations will require it.", Some("2025-10-01")),
            ("Enforcement date: 2026-01-15", Some("2026-01-15")),
            // Phase 1 and the postponement limit are not the date.
            ("Since October 15, 2024, MFA has been required for the Azure portal. Starting October 1, 2025, MFA is required for Azure CLI, Azure PowerShell and REST APIs.", Some("2025-10-01")),
            ("MFA will be enforced on Azure Resource Manager starting September 1, 2025. If you need more time, you can postpone enforcement until July 1, 2026.", Some("2025-09-01")),
            // No date, or no date that is clearly the enforcement's.
            ("Published on March 1, 2025. Review your sign-in logs.", None),
            ("Starting October 1 we will require MFA.", None),
            ("You can postpone the enforcement until July 1, 2026.", None),
            ("MFA is required for Azure CLI. Impossible date 2025-02-30 on record.", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let found = enforcement_date(text).map(|d| d.to_string());
            assert_eq!(found.as_deref(), *expected, "{text}");
        }
    }
}
