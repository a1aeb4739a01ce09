//! The owner notice: every at-risk account one owner is responsible for, what breaks and
//! why, the enforcement status, the postponement facts, the tailored migration steps, the
//! immediate unblock and the ticket; the owner @mentioned.
//!
//! Many accounts are split over several messages (at most [`MAX_OWNER_MESSAGES`]); what
//! does not fit in detail is listed in the last message, cut with an honest "and N more".

use serde_json::Value;

use crate::calendar::{EnforcementStatus, Phase2, POSTPONE_URL};
use crate::detect::model::{Finding, Owner};
use crate::guidance::{for_finding, Step};
use crate::ids::{ObjectId, TenantId};
use crate::report::labels::{ci_label, client_label, owner_rule_label, signal_label};
use crate::report::model::rfc3339;
use crate::tickets::TicketRef;

use super::elements::{
    action_set, adaptive_card, bullets, code, colored, container, heading, note, open_url,
    safe_text, severity_color, subheading, text, Mention,
};
use super::fit::{fit_list, fits};

/// The most messages one owner gets per notice; the last one lists what did not fit.
pub const MAX_OWNER_MESSAGES: usize = 4;

/// How much of an account a section shows; smaller levels are tried when a section
/// alone would not fit in a message.
#[derive(Debug, Clone, Copy)]
struct Level {
    evidence: usize,
    steps: bool,
    snippets: bool,
}

const LEVELS: [Level; 3] = [
    Level {
        evidence: 5,
        steps: true,
        snippets: true,
    },
    Level {
        evidence: 2,
        steps: true,
        snippets: false,
    },
    Level {
        evidence: 1,
        steps: false,
        snippets: false,
    },
];

/// The notice cards (one per message, in order) for `findings`, all owned by `owner`.
/// `tickets` gives each account's ticket, when it has one. Empty `findings` give no cards.
pub fn owner_notice(
    findings: &[Finding],
    owner: &Owner,
    enforcement: &EnforcementStatus,
    tickets: &[(ObjectId, Option<TicketRef>)],
    tenant: TenantId,
) -> Vec<Value> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.upn.cmp(&b.upn))
            .then_with(|| a.user_id.cmp(&b.user_id))
    });
    let ctx = Ctx {
        owner,
        enforcement,
        tickets,
        tenant,
        total: sorted.len(),
    };
    if sorted.is_empty() {
        return Vec::new();
    }

    // Pack detailed sections greedily; the header is measured with the widest part label.
    let mut parts: Vec<Vec<Value>> = Vec::new();
    let mut next = 0;
    while next < sorted.len() {
        let last_part = parts.len() + 1 == MAX_OWNER_MESSAGES;
        let (part, used) = pack(&ctx, &sorted[next..]);
        if last_part && next + used < sorted.len() {
            break; // the rest goes into the closing list
        }
        parts.push(part);
        next += used;
    }
    let rest = &sorted[next..];
    let count = parts.len() + usize::from(!rest.is_empty());
    let mut cards: Vec<Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, sections)| ctx.card(Some((i + 1, count)), sections))
        .collect();
    if !rest.is_empty() {
        cards.push(rest_card(&ctx, rest, count));
    }
    cards
}

/// Everything a section or header needs besides the finding.
struct Ctx<'a> {
    owner: &'a Owner,
    enforcement: &'a EnforcementStatus,
    tickets: &'a [(ObjectId, Option<TicketRef>)],
    tenant: TenantId,
    total: usize,
}

/// Fills one message with as many sections as fit (at least one: a section that does not
/// fit in detail is shown at a smaller level). Returns the sections and how many findings
/// they cover.
fn pack(ctx: &Ctx<'_>, findings: &[&Finding]) -> (Vec<Value>, usize) {
    let widest = Some((MAX_OWNER_MESSAGES, MAX_OWNER_MESSAGES));
    let mut sections: Vec<Value> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let mut placed = false;
        for level in LEVELS {
            let mut trial = sections.clone();
            trial.push(section(ctx, f, level));
            if fits(&ctx.card(widest, trial.clone())) {
                sections = trial;
                placed = true;
                break;
            }
            if !sections.is_empty() {
                break; // try the smaller levels only for a section alone
            }
        }
        if !placed {
            if sections.is_empty() {
                // Not even the smallest level fits alone (cannot happen with cut fields);
                // show the one-line form so the account is never lost.
                sections.push(text(account_line(f)));
                return (sections, i + 1);
            }
            return (sections, i);
        }
    }
    (sections, findings.len())
}

impl Ctx<'_> {
    /// A notice card: the header, then `sections`.
    fn card(&self, part: Option<(usize, usize)>, sections: Vec<Value>) -> Value {
        let mention = Mention::of(&self.owner.who);
        let mut body = self.header(&mention, part);
        body.extend(sections);
        let actions = vec![open_url(
            "Postponement (last resort, Global Administrator)",
            POSTPONE_URL,
        )];
        adaptive_card(body, actions, &[mention])
    }

    fn header(&self, mention: &Mention, part: Option<(usize, usize)>) -> Vec<Value> {
        let n = self.total;
        let accounts = if n == 1 {
            "1 account".to_owned()
        } else {
            format!("{n} accounts")
        };
        let verb = match (self.enforcement.enforced, n == 1) {
            (true, true) => "is failing now",
            (true, false) => "are failing now",
            (false, _) => "will break",
        };
        let mut body = vec![heading(format!(
            "Mandatory Azure MFA: {accounts} you own {verb}"
        ))];
        if let Some((i, of)) = part.filter(|(_, of)| *of > 1) {
            body.push(note(format!("Part {i} of {of}")));
        }
        body.push(text(format!(
            "{}, you own {} (chosen by {}{}). Azure Resource Manager create, update and delete \
             calls (CLI, PowerShell, IaC, REST) need multifactor authentication.",
            mention.text(),
            if n == 1 {
                "this account"
            } else {
                "these accounts"
            },
            owner_rule_label(self.owner.rule),
            self.owner
                .team
                .as_deref()
                .map(|t| format!(", team {}", safe_text(t)))
                .unwrap_or_default(),
        )));
        body.push(colored(
            format!("Phase 2: {}", self.enforcement.headline()),
            if self.enforcement.enforced {
                "Attention"
            } else {
                "Warning"
            },
        ));
        body.push(note(postponement(self.enforcement)));
        body
    }
}

/// Who may postpone, that it is a last resort, and what holds after 2026-07-01.
fn postponement(enforcement: &EnforcementStatus) -> String {
    let last = Phase2::last_postponement_date();
    let now = if enforcement.postponable {
        format!("still possible, to {last} at the latest")
    } else {
        "no longer available for this tenant".to_owned()
    };
    format!(
        "Last resort only: a Global Administrator with elevated access can postpone Phase 2 at \
         [aka.ms/postponePhase2MFA]({POSTPONE_URL}) ({now}). After {last} only a Microsoft \
         support request lifts enforcement, temporarily. Fixing the accounts below is the way out."
    )
}

/// The account's name: its UPN, else its object id.
fn name(f: &Finding) -> String {
    f.upn
        .as_deref()
        .map_or_else(|| f.user_id.to_string(), safe_text)
}

/// One line for an account: name, severity and signals.
fn account_line(f: &Finding) -> String {
    let signals: Vec<&str> = f.signals.iter().map(|s| signal_label(*s)).collect();
    format!("{} — {} — {}", name(f), f.severity, signals.join(", "))
}

/// The detailed section of one account.
fn section(ctx: &Ctx<'_>, f: &Finding, level: Level) -> Value {
    let mut items = vec![subheading(format!(
        "{} — {}",
        name(f),
        f.severity.as_str().to_uppercase()
    ))];
    items[0]["color"] = Value::from(severity_color(f.severity));
    let mut who = Vec::new();
    if let Some(d) = &f.display_name {
        who.push(safe_text(d));
    }
    if f.break_glass {
        who.push("emergency-access (break-glass) account".to_owned());
    }
    if !who.is_empty() {
        items.push(note(who.join(" · ")));
    }
    let signals: Vec<&str> = f.signals.iter().map(|s| signal_label(*s)).collect();
    items.push(text(format!("**What breaks:** {}", signals.join("; "))));
    let seen: Vec<&str> = f
        .clients
        .iter()
        .map(|c| client_label(*c))
        .chain(f.ci.iter().map(|c| ci_label(*c)))
        .collect();
    if !seen.is_empty() {
        items.push(note(format!("Seen with: {}", seen.join(", "))));
    }
    if !f.evidence.is_empty() {
        let shown = f.evidence.len().min(level.evidence);
        let lines: Vec<String> = f.evidence[..shown]
            .iter()
            .map(|e| {
                format!(
                    "{} · {}: {}",
                    rfc3339(e.at),
                    signal_label(e.signal),
                    safe_text(&e.detail)
                )
            })
            .collect();
        items.push(text("**Why (evidence):**"));
        items.push(bullets(&lines, f.evidence.len() - shown));
    }

    let guidance = for_finding(f, ctx.enforcement).for_tenant(&ctx.tenant);
    items.push(text(format!("**Fix:** {}", guidance.headline)));
    if level.steps {
        push_steps(
            &mut items,
            "Migration steps",
            &guidance.steps,
            level.snippets,
        );
        push_steps(
            &mut items,
            "Unblock today",
            &guidance.unblock,
            level.snippets,
        );
    } else {
        let titles: Vec<String> = guidance.all_steps().map(|s| s.title.clone()).collect();
        items.push(text(format!("**Steps:** {}", titles.join("; "))));
    }

    match ctx
        .tickets
        .iter()
        .find(|(id, _)| *id == f.user_id)
        .and_then(|(_, t)| t.as_ref())
    {
        Some(t) => {
            let label = format!("Ticket {} {}", t.system, safe_text(&t.id));
            match t
                .url
                .as_deref()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            {
                Some(url) => items.push(action_set(vec![open_url(format!("Open {label}"), url)])),
                None => items.push(note(label)),
            }
        }
        None => items.push(note("No ticket yet.")),
    }
    container(items, Some("emphasis"), true)
}

/// A sub-heading and numbered steps, snippets in monospace.
fn push_steps(items: &mut Vec<Value>, title: &str, steps: &[Step], snippets: bool) {
    if steps.is_empty() {
        return;
    }
    items.push(text(format!("**{title}:**")));
    for (i, step) in steps.iter().enumerate() {
        items.push(text(format!("{}. **{}** {}", i + 1, step.title, step.text)));
        if let (true, Some(snippet)) = (snippets, &step.snippet) {
            items.push(code(&snippet.code));
        }
    }
}

/// The closing message: the accounts that did not fit in detail, one line each.
fn rest_card(ctx: &Ctx<'_>, rest: &[&Finding], count: usize) -> Value {
    let lines: Vec<String> = rest.iter().map(|f| account_line(f)).collect();
    fit_list(lines.len(), |shown| {
        let list = vec![
            subheading(format!("{} more accounts you own", rest.len())),
            note("In brief: the tickets and the full report (`stepup scan`) have the details and steps."),
            bullets(&lines[..shown], lines.len() - shown),
        ];
        ctx.card(Some((count, count)), list)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::detect::model::{Client, Evidence, EvidenceContext, OwnerRule, Severity, Signal};
    use crate::teams::cards::fit::{message_bytes, MAX_MESSAGE_BYTES};

    fn oid(n: u32) -> ObjectId {
        ObjectId::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap()
    }

    fn finding(n: u32, upn: String) -> Finding {
        let at = Utc.with_ymd_and_hms(2026, 11, 19, 10, 0, 0).unwrap();
        let evidence = (0..6)
            .map(|i| Evidence {
                signal: Signal::SingleFactorArmWrite,
                at: at - chrono::Duration::hours(i),
                detail: format!("Microsoft.Compute/virtualMachines/write without MFA #{i}"),
                context: EvidenceContext::default(),
            })
            .collect();
        Finding {
            user_id: oid(n),
            upn: Some(upn),
            display_name: Some(format!("User {n}")),
            kind: None,
            break_glass: false,
            severity: if n.is_multiple_of(3) {
                Severity::Critical
            } else {
                Severity::High
            },
            signals: BTreeSet::from([Signal::SingleFactorArmWrite, Signal::OutdatedClient]),
            evidence,
            clients: BTreeSet::from([Client::AzureCli, Client::Terraform]),
            ci: BTreeSet::new(),
            subscriptions: BTreeSet::new(),
            owner: None,
        }
    }

    fn owner() -> Owner {
        Owner {
            who: "platform-lead@contoso.com".into(),
            rule: OwnerRule::OwnershipMap,
            team: Some("Platform".into()),
            ticket_project: None,
        }
    }

    fn enforced() -> EnforcementStatus {
        EnforcementStatus::on(
            NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        )
    }

    fn tenant() -> TenantId {
        TenantId::parse("11111111-2222-4333-8444-555555555555").unwrap()
    }

    fn all_text(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| all_text(x, out)),
            Value::Object(o) => o.values().for_each(|x| all_text(x, out)),
            _ => {}
        }
    }

    #[test]
    fn one_account_has_everything_the_owner_needs() {
        let f = finding(1, "ci-deployer@contoso.com".into());
        let ticket = TicketRef {
            system: "github",
            id: "42".into(),
            url: Some("https://github.com/contoso/infra/issues/42".into()),
        };
        let cards = owner_notice(
            std::slice::from_ref(&f),
            &owner(),
            &enforced(),
            &[(f.user_id, Some(ticket))],
            tenant(),
        );
        assert_eq!(cards.len(), 1);
        let card = &cards[0];
        let mut s = String::new();
        all_text(card, &mut s);
        for needle in [
            "ci-deployer@contoso.com",
            "HIGH",
            "single-factor ARM write",
            "Microsoft.Compute/virtualMachines/write without MFA #0",
            "enforced since 2025-10-01 (417 days): these calls fail now",
            "https://aka.ms/postponePhase2MFA",
            "Global Administrator with elevated access",
            "Last resort",
            "After 2026-07-01 only a Microsoft support request",
            "Migration steps",
            "Unblock today",
            "https://github.com/contoso/infra/issues/42",
            "<at>platform-lead@contoso.com</at>",
        ] {
            assert!(s.contains(needle), "missing {needle:?} in\n{s}");
        }
        assert!(s.contains("…and 1 more"), "6 evidence lines, 5 shown");
        assert_eq!(
            card["msteams"]["entities"][0]["mentioned"]["id"],
            "platform-lead@contoso.com"
        );
        let mono = card
            .to_string()
            .matches("\"fontType\":\"Monospace\"")
            .count();
        assert!(mono > 0, "snippets are monospace");
    }

    #[test]
    fn a_upn_cannot_fake_a_mention() {
        let f = finding(1, "<at>CEO</at>@contoso.com".into());
        let cards = owner_notice(&[f], &owner(), &enforced(), &[], tenant());
        let raw = cards[0].to_string();
        assert_eq!(
            raw.matches("<at>").count(),
            2,
            "header text and entity only: {raw}"
        );
    }

    #[test]
    fn three_hundred_accounts_fit_in_bounded_messages_and_none_is_dropped() {
        let findings: Vec<Finding> = (0..300)
            .map(|n| finding(n, format!("service-account-with-a-rather-long-name-{n:03}-deploys-production@contoso.onmicrosoft.com")))
            .collect();
        let cards = owner_notice(&findings, &owner(), &enforced(), &[], tenant());
        assert!(
            cards.len() <= MAX_OWNER_MESSAGES && cards.len() > 1,
            "{} messages",
            cards.len()
        );
        for card in &cards {
            assert!(
                message_bytes(card) <= MAX_MESSAGE_BYTES,
                "{} bytes",
                message_bytes(card)
            );
        }
        let mut s = String::new();
        cards.iter().for_each(|c| all_text(c, &mut s));
        let shown = findings
            .iter()
            .filter(|f| s.contains(f.upn.as_deref().unwrap()))
            .count();
        let more: usize = s
            .lines()
            .filter_map(|l| {
                l.strip_prefix("- …and ")
                    .and_then(|r| r.strip_suffix(" more"))
            })
            .map(|n| n.parse::<usize>().unwrap())
            // evidence cuts say "…and 1 more" inside sections; the closing list's count is the big one
            .max()
            .unwrap_or(0);
        assert!(more > 1, "the closing list was cut");
        assert_eq!(shown + more, 300, "shown {shown} + more {more}");
        assert!(s.contains(&format!("Part {} of {}", cards.len(), cards.len())));
    }

    #[test]
    fn no_findings_no_cards() {
        assert!(owner_notice(&[], &owner(), &enforced(), &[], tenant()).is_empty());
    }
}
