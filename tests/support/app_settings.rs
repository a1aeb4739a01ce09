//! App settings as the host sees them. Azure hands app settings to the host and to the
//! custom handler as environment variables; a binding property written `%NAME%` is replaced
//! by the setting `NAME` when the host indexes the function, and a missing setting stops the
//! function from being indexed.

use std::collections::BTreeMap;

/// The settings every stepup function app carries (the host's own, and the schedules its
/// timer triggers name). The emulator gives them to the handler unless the test or the
/// environment sets them.
pub const DEFAULT_APP_SETTINGS: &[(&str, &str)] = &[
    ("FUNCTIONS_WORKER_RUNTIME", "custom"),
    ("FUNCTIONS_EXTENSION_VERSION", "~4"),
    // Daily at 06:00 UTC.
    ("STEPUP_SCAN_SCHEDULE", "0 0 6 * * *"),
    // Mondays at 08:00 UTC. Day names, not numbers: see `ncrontab`.
    ("STEPUP_DIGEST_SCHEDULE", "0 0 8 * * Mon"),
];

/// The setting a `%NAME%` value refers to, or `None` for a literal value.
pub fn reference(value: &str) -> Option<&str> {
    value
        .strip_prefix('%')
        .and_then(|v| v.strip_suffix('%'))
        .filter(|name| !name.is_empty() && !name.contains('%'))
}

/// Resolves a binding property the way the host does: `%NAME%` becomes the setting's value
/// (an error when it is missing), anything else stays as written.
pub fn resolve(value: &str, settings: &BTreeMap<String, String>) -> Result<String, String> {
    match reference(value) {
        None => Ok(value.to_string()),
        Some(name) => settings
            .get(name)
            .cloned()
            .ok_or_else(|| format!("app setting {name} is missing")),
    }
}
