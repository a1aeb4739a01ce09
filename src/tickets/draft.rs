//! What a ticket says: [`draft_for`] turns a finding, the tenant's Phase 2 status and the
//! finding's guidance into a [`TicketDraft`] with a Markdown body.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};

use crate::calendar::{EnforcementStatus, Phase2, DOCS_URL, POSTPONE_URL};
use crate::detect::model::{Finding, Severity, UserKind};
use crate::guidance::{Guidance, Step};
use crate::ids::TenantId;
use crate::report::labels::{owner_rule_label, signal_label};
use crate::report::model::rfc3339;

use super::{TicketDraft, TicketKey};

/// The start of the marker line that carries the key in every ticket body.
pub const KEY_MARKER: &str = "stepup-key:";

/// The marker line of a key: `stepup-key: stepup:<tenantId>:<userId>`. Sinks that search
/// bodies look for this line.
pub fn marker_line(key: &TicketKey) -> String {
    format!("{KEY_MARKER} {key}")
}

/// The day a ticket is due: the enforcement date while it lies ahead, else `due_days` after
/// the day the status was computed for.
pub fn due_date(enforcement: &EnforcementStatus, due_days: u32) -> NaiveDate {
    if enforcement.enforced {
        today(enforcement) + Duration::days(i64::from(due_days))
    } else {
        enforcement.date
    }
}

/// The day an enforcement status was computed for.
fn today(e: &EnforcementStatus) -> NaiveDate {
    e.date + Duration::days(e.days_since - e.days_left)
}

/// The ticket for one finding. `guidance` is [`crate::guidance::for_finding`]'s answer for
/// the finding (with the tenant filled in); `due_days` is `STEPUP_TICKET_DUE_DAYS`.
pub fn draft_for(
    finding: &Finding,
    tenant: &TenantId,
    enforcement: &EnforcementStatus,
    due_days: u32,
    guidance: &Guidance,
) -> TicketDraft {
    let key = TicketKey {
        tenant: *tenant,
        user: finding.user_id,
    };
    let due = due_date(enforcement, due_days);
    let account = account_name(finding);
    TicketDraft {
        key,
        title: format!(
            "[stepup] {}: {} breaks under Azure MFA enforcement",
            finding.severity,
            one_line(&account)
        ),
        body: body(finding, &key, enforcement, due, guidance),
        severity: finding.severity,
        assignee: finding.owner.as_ref().map(|o| o.who.clone()),
        due,
        project: finding
            .owner
            .as_ref()
            .and_then(|o| o.ticket_project.clone()),
    }
}

fn account_name(f: &Finding) -> String {
    f.upn
        .clone()
        .or_else(|| f.display_name.clone())
        .unwrap_or_else(|| f.user_id.to_string())
}

fn severity_meaning(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "will fail unattended: nobody is there to answer the MFA prompt",
        Severity::High => "a person writes to Azure Resource Manager without MFA",
        Severity::Medium => "needs MFA registered or a client change before the next write",
        Severity::Low => "an Azure client too old to handle the MFA challenge",
    }
}

fn body(
    f: &Finding,
    key: &TicketKey,
    enforcement: &EnforcementStatus,
    due: NaiveDate,
    guidance: &Guidance,
) -> String {
    let mut out = String::new();
    let mut kind = Vec::new();
    match f.kind {
        Some(UserKind::Guest) => kind.push("guest"),
        Some(UserKind::Member) => kind.push("member"),
        None => {}
    }
    if f.break_glass {
        kind.push("break-glass");
    }
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!(", {}", kind.join(", "))
    };
    let _ = writeln!(
        out,
        "Microsoft's mandatory MFA for Azure Resource Manager (Phase 2): {}.\n",
        esc(&enforcement.headline())
    );
    let _ = writeln!(
        out,
        "- **Account:** {} (`{}`){kind}",
        esc(&account_name(f)),
        f.user_id
    );
    let _ = writeln!(
        out,
        "- **Severity:** {}: {}",
        f.severity,
        severity_meaning(f.severity)
    );
    let signals: Vec<String> = f
        .signals
        .iter()
        .map(|s| format!("`{}` ({})", s.as_str(), signal_label(*s)))
        .collect();
    let _ = writeln!(out, "- **Signals:** {}", signals.join(", "));
    match &f.owner {
        Some(o) => {
            let _ = writeln!(
                out,
                "- **Owner:** {} (by {})",
                esc(&o.who),
                owner_rule_label(o.rule)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "- **Owner:** none found (set an ownership rule or a default owner)"
            );
        }
    }
    let why = if enforcement.enforced {
        "already enforced"
    } else {
        "the enforcement date"
    };
    let _ = writeln!(out, "- **Due:** {due} ({why})\n");

    if !f.evidence.is_empty() {
        let _ = writeln!(out, "## Evidence\n");
        let _ = writeln!(out, "| signal | when (UTC) | what happened |");
        let _ = writeln!(out, "|---|---|---|");
        for e in &f.evidence {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                e.signal,
                rfc3339(e.at),
                esc(&e.detail)
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## What to do\n\n{}\n", esc(&guidance.headline));
    for (i, step) in guidance.steps.iter().enumerate() {
        write_step(&mut out, i + 1, step);
    }
    if !guidance.unblock.is_empty() {
        let _ = writeln!(out, "## Blocked right now?\n");
        for (i, step) in guidance.unblock.iter().enumerate() {
            write_step(&mut out, i + 1, step);
        }
    }

    let _ = writeln!(out, "## Postponement\n\n{}\n", postponement(enforcement));
    let _ = writeln!(out, "## Read more\n");
    for l in &guidance.links {
        let _ = writeln!(
            out,
            "- [{}](<{}>)",
            esc(&l.title),
            l.url.replace('>', "%3E")
        );
    }
    if !guidance.links.iter().any(|l| l.url == DOCS_URL) {
        let _ = writeln!(out, "- [Mandatory MFA for Azure](<{DOCS_URL}>)");
    }
    let _ = writeln!(
        out,
        "\n---\nThis ticket is kept up to date by stepup and resolved when the account is clean.\n{}",
        marker_line(key)
    );
    out
}

fn postponement(e: &EnforcementStatus) -> String {
    let last = Phase2::last_postponement_date();
    if e.postponable {
        format!(
            "A Global Administrator can postpone Phase 2 at <{POSTPONE_URL}>, to {last} at the \
             latest. Postponing buys time for the whole tenant; it does not fix this account, \
             and once enforced only a Microsoft support request lifts enforcement, temporarily."
        )
    } else {
        format!(
            "Self-service postponement (<{POSTPONE_URL}>) is no longer available: it allowed \
             dates up to {last} and ends once Phase 2 is enforced. Only a Microsoft support \
             request lifts enforcement, temporarily. Fix the account instead."
        )
    }
}

fn write_step(out: &mut String, number: usize, step: &Step) {
    let _ = writeln!(out, "{number}. **{}**  ", esc(&step.title));
    let _ = writeln!(out, "   {}", esc(&step.text));
    if let Some(s) = &step.snippet {
        let longest = s.code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = writeln!(out, "\n   {fence}{}", s.language);
        for line in s.code.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "   {line}");
            }
        }
        let _ = writeln!(out, "   {fence}");
    }
    out.push('\n');
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

/// Escapes text for inline Markdown and table cells; no raw HTML gets through.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
