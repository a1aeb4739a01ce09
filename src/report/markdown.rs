//! The Markdown format: a readiness report with a summary, then one section per account
//! with its evidence and migration guidance.

use std::io::{self, Write};

use crate::detect::model::Severity;
use crate::guidance::{Guidance, Step};

use super::labels::{
    account_name, ci_label, client_label, filter_note, latest_evidence, postponement_note,
    readiness, signal_label,
};
use super::model::AccountReport;
use super::scan::Scan;

/// Writes the whole report.
pub(crate) fn write(scan: &Scan, out: &mut dyn Write) -> io::Result<()> {
    let r = &scan.report;
    let tenant = r
        .tenant_id
        .map_or_else(|| "unknown tenant".to_owned(), |t| t.to_string());
    writeln!(out, "# Azure MFA Phase 2 readiness\n")?;
    writeln!(out, "Tenant `{tenant}` · generated {}\n", r.generated_at)?;
    if let Some((from, to)) = scan.detection.window {
        writeln!(
            out,
            "Evidence from {} to {}.\n",
            from.date_naive(),
            to.date_naive()
        )?;
    }
    writeln!(out, "> **Phase 2 {}.**", esc(&r.enforcement.headline()))?;
    writeln!(
        out,
        "> {} Postponement page: <{}>\n",
        esc(&postponement_note(r)),
        crate::calendar::POSTPONE_URL
    )?;
    if !r.complete {
        writeln!(
            out,
            "> [!WARNING]\n> Incomplete scan: nothing is resolved from it. Problems:"
        )?;
        for p in &r.problems {
            writeln!(out, "> - {}", esc(p))?;
        }
        writeln!(out)?;
    }

    writeln!(out, "## Summary\n")?;
    writeln!(
        out,
        "| Readiness | Accounts scanned | At risk | Critical | High | Medium | Low |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
    let count = |s: Severity| r.summary.by_severity.get(&s).copied().unwrap_or(0);
    writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        readiness(r),
        r.summary.accounts_scanned,
        r.summary.at_risk,
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low)
    )?;
    if let Some(note) = filter_note(r) {
        writeln!(out, "_{}_\n", esc(&note))?;
    }
    if r.accounts.is_empty() {
        return writeln!(out, "No accounts at risk.");
    }

    writeln!(out, "## Accounts\n")?;
    writeln!(
        out,
        "| # | Severity | Account | Signals | Owner | Latest evidence |"
    )?;
    writeln!(out, "|---:|---|---|---|---|---|")?;
    for (i, a) in r.accounts.iter().enumerate() {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            a.severity,
            esc(&account_name(a)),
            a.signals
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            esc(a.owner.as_deref().unwrap_or("–")),
            latest_evidence(a).map_or_else(String::new, |e| e.at.clone())
        )?;
    }
    writeln!(out)?;
    for (i, a) in r.accounts.iter().enumerate() {
        write_account(scan, i + 1, a, out)?;
    }
    Ok(())
}

/// One account's section.
fn write_account(
    scan: &Scan,
    number: usize,
    a: &AccountReport,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "### {number}. {} ({})\n",
        esc(&account_name(a)),
        a.severity
    )?;
    writeln!(out, "- Object id: `{}`", a.user_id)?;
    writeln!(
        out,
        "- Owner: {}",
        esc(a.owner.as_deref().unwrap_or("not resolved"))
    )?;
    let signals = a
        .signals
        .iter()
        .map(|s| format!("`{s}` ({})", signal_label(*s)))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(out, "- Signals: {signals}")?;
    if let Some(f) = scan.finding(a) {
        let seen: Vec<&str> = f
            .clients
            .iter()
            .map(|c| client_label(*c))
            .chain(f.ci.iter().map(|c| ci_label(*c)))
            .collect();
        if !seen.is_empty() {
            writeln!(out, "- Seen with: {}", seen.join(", "))?;
        }
    }
    writeln!(out)?;
    if !a.evidence.is_empty() {
        writeln!(out, "| When | Signal | Detail |")?;
        writeln!(out, "|---|---|---|")?;
        for e in &a.evidence {
            writeln!(out, "| {} | `{}` | {} |", e.at, e.signal, esc(&e.detail))?;
        }
        writeln!(out)?;
    }
    if let Some(g) = scan.guidance(a) {
        write_guidance(&g, out)?;
    }
    Ok(())
}

/// The guidance of one account.
fn write_guidance(g: &Guidance, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "**What to do:** {}\n", esc(&g.headline))?;
    for (i, step) in g.steps.iter().enumerate() {
        write_step(i + 1, step, out)?;
    }
    if !g.unblock.is_empty() {
        writeln!(out, "**Blocked right now?**\n")?;
        for (i, step) in g.unblock.iter().enumerate() {
            write_step(i + 1, step, out)?;
        }
    }
    if !g.links.is_empty() {
        let links = g
            .links
            .iter()
            .map(|l| format!("[{}](<{}>)", esc(&l.title), l.url.replace('>', "%3E")))
            .collect::<Vec<_>>()
            .join(" · ");
        writeln!(out, "Read more: {links}\n")?;
    }
    Ok(())
}

/// One numbered step with its snippet as an indented fenced block.
fn write_step(number: usize, step: &Step, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{number}. **{}**  ", esc(&step.title))?;
    writeln!(out, "   {}", esc(&step.text))?;
    if let Some(s) = &step.snippet {
        let fence = fence_for(&s.code);
        writeln!(out)?;
        writeln!(out, "   {fence}{}", s.language)?;
        for line in s.code.lines() {
            if line.is_empty() {
                writeln!(out)?;
            } else {
                writeln!(out, "   {line}")?;
            }
        }
        writeln!(out, "   {fence}")?;
    }
    writeln!(out)
}

/// A backtick fence longer than any backtick run in `code`.
fn fence_for(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Escapes text for Markdown inline use (also inside table cells): markup characters are
/// backslash-escaped, `<`/`>`/`&` become entities so no raw HTML reaches a renderer, and line
/// breaks become spaces.
pub(crate) fn esc(text: &str) -> String {
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
