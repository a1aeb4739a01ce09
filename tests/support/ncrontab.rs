//! Timer schedules. The timer trigger reads six-field NCRONTAB expressions,
//! `{second} {minute} {hour} {day} {month} {day-of-week}`. They are checked and evaluated
//! with the `cron` crate, which reads the same six fields with one difference: NCRONTAB
//! numbers the days of the week 0–6 from Sunday, the `cron` crate 1–7 from Sunday. A
//! numeric day of week would mean different days to the two, so only `*` and day names
//! (`Mon`, `Mon-Fri`, `Sat,Sun`) are accepted in that field.

use std::str::FromStr;

use cron::Schedule;

/// The characters NCRONTAB fields are made of (Quartz extensions such as `?`, `L`, `W` and
/// `#` are not NCRONTAB).
fn field_chars_ok(field: &str) -> bool {
    field
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))
}

/// Parses a six-field NCRONTAB expression into a schedule, or says why it is not one.
pub fn parse(expression: &str) -> Result<Schedule, String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "{expression:?} has {} fields; NCRONTAB needs 6: second minute hour day month day-of-week",
            fields.len()
        ));
    }
    if let Some(bad) = fields.iter().find(|f| !field_chars_ok(f)) {
        return Err(format!(
            "{expression:?}: field {bad:?} uses characters NCRONTAB does not know"
        ));
    }
    let day_of_week = fields[5];
    if day_of_week != "*" && day_of_week.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{expression:?}: write the day of week as * or names (Mon, Mon-Fri); \
             NCRONTAB counts 0-6 from Sunday, the cron crate 1-7"
        ));
    }
    Schedule::from_str(&fields.join(" ")).map_err(|e| format!("{expression:?}: {e}"))
}
