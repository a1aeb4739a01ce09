//! `stepup.toml` for the synthetic tenant: its enforcement date, its two emergency-access
//! accounts (one by object id, one by UPN) and an ownership map.

use std::fmt::Write as _;
use std::path::Path;

use super::population::Population;
use super::sink::{Sink, Written};
use super::SynthError;

/// File name of the settings.
pub(crate) const SETTINGS: &str = "stepup.toml";

/// The settings text.
pub(crate) fn settings_text(pop: &Population, seed: u64) -> String {
    let (weak, strong) = pop.break_glass();
    let mut break_glass = Vec::new();
    if let Some(w) = weak {
        break_glass.push(w.id.to_string());
    }
    if let Some(s) = strong {
        break_glass.push(s.upn.clone());
    }
    let list = break_glass
        .iter()
        .map(|b| format!("\"{b}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Synthetic tenant written by `stepup synth` (seed {seed})."
    );
    let _ = writeln!(text, "tenant_id = \"{}\"", pop.tenant);
    let _ = writeln!(text, "enforcement_date = \"2025-10-01\"");
    let _ = writeln!(text, "# Emergency-access accounts, by object id or UPN.");
    let _ = writeln!(text, "break_glass = [{list}]");
    let _ = writeln!(text, "default_owner = \"cloud-admins@contoso.com\"");
    let _ = writeln!(text);
    let _ = writeln!(text, "[owners]");
    let _ = writeln!(
        text,
        "\"svc-*@contoso.com\" = \"platform-team@contoso.com\""
    );
    let _ = writeln!(
        text,
        "\"*#EXT#@contoso.onmicrosoft.com\" = \"vendor-management@contoso.com\""
    );
    let _ = writeln!(
        text,
        "\"bg-*@contoso.onmicrosoft.com\" = {{ owner = \"identity-team@contoso.com\", team = \"Identity\" }}"
    );
    text
}

/// Writes `stepup.toml`.
pub(crate) fn write_settings(
    dir: &Path,
    pop: &Population,
    seed: u64,
) -> Result<Written, SynthError> {
    Sink::text(dir, SETTINGS, &settings_text(pop, seed))
}
