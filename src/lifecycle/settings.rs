//! The lifecycle's settings, read through a lookup (the process environment is read only
//! in `src/config.rs`).

/// A setting with a wrong value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct LifecycleSettingError {
    /// The setting.
    pub name: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// Settings of reconciliation and tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleSettings {
    /// `STEPUP_RESOLVE_AFTER_SCANS`: consecutive complete clean scans before a ticket is
    /// resolved (1–30, default 2).
    pub resolve_after_scans: u32,
    /// `STEPUP_TICKET_DUE_DAYS`: days until a ticket is due once Phase 2 is already
    /// enforced (1–365, default 14).
    pub ticket_due_days: u32,
}

impl Default for LifecycleSettings {
    fn default() -> Self {
        Self {
            resolve_after_scans: DEFAULT_RESOLVE_AFTER_SCANS,
            ticket_due_days: DEFAULT_TICKET_DUE_DAYS,
        }
    }
}

/// Default of `STEPUP_RESOLVE_AFTER_SCANS`.
pub const DEFAULT_RESOLVE_AFTER_SCANS: u32 = 2;
/// Default of `STEPUP_TICKET_DUE_DAYS`.
pub const DEFAULT_TICKET_DUE_DAYS: u32 = 14;

impl LifecycleSettings {
    /// Reads the settings through `lookup` (unset or blank means the default).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, LifecycleSettingError> {
        Ok(Self {
            resolve_after_scans: number(
                &lookup,
                "STEPUP_RESOLVE_AFTER_SCANS",
                DEFAULT_RESOLVE_AFTER_SCANS,
                1..=30,
            )?,
            ticket_due_days: number(
                &lookup,
                "STEPUP_TICKET_DUE_DAYS",
                DEFAULT_TICKET_DUE_DAYS,
                1..=365,
            )?,
        })
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, LifecycleSettingError> {
    match lookup(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(text) => crate::config::parse_whole_number(&text, range)
            .map_err(|message| LifecycleSettingError { name, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_values_and_bad_values() {
        let none = LifecycleSettings::from_lookup(|_| None).unwrap();
        assert_eq!(none, LifecycleSettings::default());
        assert_eq!((none.resolve_after_scans, none.ticket_due_days), (2, 14));

        let set = LifecycleSettings::from_lookup(|k| match k {
            "STEPUP_RESOLVE_AFTER_SCANS" => Some(" 3 ".into()),
            "STEPUP_TICKET_DUE_DAYS" => Some("30".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!((set.resolve_after_scans, set.ticket_due_days), (3, 30));

        for bad in ["0", "-1", "two", "31"] {
            let e = LifecycleSettings::from_lookup(|k| {
                (k == "STEPUP_RESOLVE_AFTER_SCANS").then(|| bad.to_string())
            })
            .unwrap_err();
            assert_eq!(e.name, "STEPUP_RESOLVE_AFTER_SCANS", "{bad}");
        }
        let e = LifecycleSettings::from_lookup(|k| {
            (k == "STEPUP_TICKET_DUE_DAYS").then(|| "0".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("STEPUP_TICKET_DUE_DAYS"));
    }
}
