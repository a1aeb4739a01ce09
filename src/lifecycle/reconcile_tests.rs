//! Reconciliation, transition by transition.

use crate::detect::model::{Finding, Severity, Signal};

use super::reconcile::{reconcile, ActionKind, Reconciliation, ScanContext};
use super::record::{AccountRecord, AccountState, Quiet, StoredTicket};
use super::testkit::{critical, day, finding, scan, tenant, user};

/// What a successful apply does to the records: tickets now say what the records want.
fn synced(plan: &Reconciliation, previous: &[AccountRecord]) -> Vec<AccountRecord> {
    let mut out: Vec<AccountRecord> = previous
        .iter()
        .filter(|p| !plan.records.iter().any(|r| r.user_id == p.user_id))
        .cloned()
        .collect();
    for r in &plan.records {
        let mut r = r.clone();
        if plan.actions.iter().any(|a| a.user == r.user_id) {
            r.ticket = Some(StoredTicket {
                system: "memory".into(),
                id: r.user_id.to_string(),
                url: None,
                resolved: matches!(r.state, AccountState::Resolved { .. }),
                content: r.content(),
            });
        }
        out.push(r);
    }
    out.sort_by_key(|r| r.user_id);
    out
}

/// Runs scans in order, applying each plan as a successful apply would; returns the last
/// plan and the records after it.
fn run(scans: &[(ScanContext, Vec<Finding>)]) -> (Reconciliation, Vec<AccountRecord>) {
    let mut records = Vec::new();
    let mut last = Reconciliation::default();
    for (ctx, findings) in scans {
        last = reconcile(&records, findings, ctx);
        records = synced(&last, &records);
    }
    (last, records)
}

fn kinds(plan: &Reconciliation) -> Vec<ActionKind> {
    plan.actions.iter().map(|a| a.kind).collect()
}

#[test]
fn a_new_account_at_risk_is_opened() {
    let plan = reconcile(&[], &[critical(1)], &scan(0, true));
    assert_eq!(kinds(&plan), [ActionKind::Open]);
    let r = &plan.records[0];
    assert_eq!(r.state, AccountState::AtRisk);
    assert_eq!(
        (r.first_seen, r.last_seen, r.at_risk_since),
        (day(0), day(0), day(0))
    );
    assert_eq!(r.severity, Severity::Critical);
    assert!(r.ticket_pending(), "no ticket yet: pending until applied");
    assert_eq!(r.ticket_label(), "ticket pending");
    assert_eq!(
        r.key().as_str(),
        format!("accounts/{}/{}.json", tenant(), user(1))
    );
}

#[test]
fn an_unchanged_account_needs_nothing_and_a_changed_one_is_updated() {
    let (plan, records) = run(&[
        (scan(0, true), vec![critical(1)]),
        (scan(1, true), vec![critical(1)]),
    ]);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert_eq!(records[0].last_seen, day(1));
    assert_eq!(records[0].first_seen, day(0));

    let mut changed = finding(1, Severity::High, &[Signal::SingleFactorArmWrite]);
    changed.owner.as_mut().unwrap().who = "alice@contoso.com".into();
    let plan = reconcile(&records, &[changed], &scan(2, true));
    assert_eq!(kinds(&plan), [ActionKind::Update]);
    let note = &plan.actions[0].note;
    assert!(note.contains("severity critical → high"), "{note}");
    assert!(note.contains("signals gone: ropc"), "{note}");
    assert!(
        note.contains("owner platform-team@contoso.com → alice@contoso.com"),
        "{note}"
    );
}

#[test]
fn one_complete_clean_scan_keeps_the_ticket_open_two_resolve_it() {
    let (plan, records) = run(&[(scan(0, true), vec![critical(1)]), (scan(1, true), vec![])]);
    assert!(plan.actions.is_empty());
    assert_eq!(
        records[0].state,
        AccountState::Clean {
            since: day(1),
            clean_scans: 1
        }
    );
    assert!(!records[0].ticket.as_ref().unwrap().resolved);

    let plan = reconcile(&records, &[], &scan(2, true));
    assert_eq!(kinds(&plan), [ActionKind::Resolve]);
    let r = &plan.records[0];
    assert_eq!(r.state, AccountState::Resolved { at: day(2) });
    let rem = r.remediation.unwrap();
    assert_eq!((rem.at_risk_since, rem.clean_since), (day(0), day(1)));
    assert_eq!(rem.duration().num_days(), 1);
    assert!(plan.actions[0].note.contains("Resolved by stepup"));
    assert!(
        plan.actions[0].note.contains("since 2026-11-02"),
        "{}",
        plan.actions[0].note
    );
}

#[test]
fn the_number_of_clean_scans_is_a_setting() {
    let mut third = scan(3, true);
    let mut scans = vec![(scan(0, true), vec![critical(1)])];
    for n in 1..=2 {
        let mut s = scan(n, true);
        s.settings.resolve_after_scans = 3;
        scans.push((s, vec![]));
    }
    let (plan, records) = run(&scans);
    assert!(plan.actions.is_empty());
    assert!(matches!(
        records[0].state,
        AccountState::Clean { clean_scans: 2, .. }
    ));
    third.settings.resolve_after_scans = 3;
    let plan = reconcile(&records, &[], &third);
    assert_eq!(kinds(&plan), [ActionKind::Resolve]);
}

#[test]
fn incomplete_scans_never_resolve_and_never_count() {
    let (_, records) = run(&[(scan(0, true), vec![critical(1)])]);
    let mut current = records.clone();
    for n in 1..=5 {
        let plan = reconcile(&current, &[], &scan(n, false));
        assert!(plan.actions.is_empty(), "scan {n}");
        assert!(
            plan.records.is_empty(),
            "an incomplete clean scan changes nothing"
        );
        current = synced(&plan, &current);
    }
    assert_eq!(current, records);

    // Between complete clean scans, an incomplete one neither counts nor breaks the run.
    let (plan, _) = run(&[
        (scan(0, true), vec![critical(1)]),
        (scan(1, true), vec![]),
        (scan(2, false), vec![]),
        (scan(3, true), vec![]),
    ]);
    assert_eq!(kinds(&plan), [ActionKind::Resolve]);
}

#[test]
fn an_incomplete_scan_still_opens_what_it_sees() {
    let plan = reconcile(&[], &[critical(1)], &scan(0, false));
    assert_eq!(kinds(&plan), [ActionKind::Open]);
}

#[test]
fn resolved_then_at_risk_again_reopens() {
    let (_, mut records) = run(&[
        (scan(0, true), vec![critical(1)]),
        (scan(1, true), vec![]),
        (scan(2, true), vec![]),
    ]);
    records[0].set_quiet(Quiet::ack("owner@contoso.com", day(1), Some("on it")).unwrap());
    let again = finding(1, Severity::High, &[Signal::SingleFactorArmWrite]);
    let plan = reconcile(&records, &[again], &scan(10, true));
    assert_eq!(kinds(&plan), [ActionKind::Reopen]);
    let r = &plan.records[0];
    assert_eq!(r.state, AccountState::AtRisk);
    assert_eq!(r.at_risk_since, day(10));
    assert_eq!(r.first_seen, day(0));
    assert!(
        r.quiet.is_none(),
        "a regression is new work: the old ack no longer holds"
    );
    assert!(plan.actions[0].note.contains("At risk again (high)"));
    assert!(plan.actions[0].note.contains("severity critical → high"));
}

#[test]
fn at_risk_again_while_clean_keeps_the_open_ticket() {
    let (plan, records) = run(&[
        (scan(0, true), vec![critical(1)]),
        (scan(1, true), vec![]),
        (scan(2, true), vec![critical(1)]),
    ]);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert_eq!(records[0].state, AccountState::AtRisk);
    // …and the run of clean scans starts over.
    let plan = reconcile(&records, &[], &scan(3, true));
    assert!(plan.actions.is_empty());
}

#[test]
fn ack_and_snooze_do_not_change_tickets() {
    let scans = [
        (scan(0, true), vec![critical(1)]),
        (
            scan(1, true),
            vec![finding(1, Severity::High, &[Signal::SingleFactorArmWrite])],
        ),
        (scan(2, true), vec![]),
        (scan(3, true), vec![]),
    ];
    let mut plain = Vec::new();
    let mut quiet = Vec::new();
    for (i, (ctx, findings)) in scans.iter().enumerate() {
        let a = reconcile(&plain, findings, ctx);
        let b = reconcile(&quiet, findings, ctx);
        assert_eq!(kinds(&a), kinds(&b), "scan {i}");
        plain = synced(&a, &plain);
        quiet = synced(&b, &quiet);
        for r in &mut quiet {
            r.set_quiet(
                Quiet::snooze("admin@contoso.com", ctx.at, 30, 30, Some("freeze")).unwrap(),
            );
        }
    }
    assert!(matches!(quiet[0].state, AccountState::Resolved { .. }));
}

#[test]
fn a_pending_open_is_asked_again_only_when_the_account_is_seen() {
    // Apply failed: the record was saved without a ticket.
    let first = reconcile(&[], &[critical(1)], &scan(0, true));
    let records = first.records.clone();
    let plan = reconcile(&records, &[], &scan(1, false));
    assert!(
        plan.actions.is_empty(),
        "no evidence to write a ticket from"
    );
    let plan = reconcile(&records, &[critical(1)], &scan(1, true));
    assert_eq!(kinds(&plan), [ActionKind::Open]);
}

#[test]
fn reconciling_the_same_scan_twice_changes_nothing() {
    let ctx = scan(0, true);
    let first = reconcile(&[], &[critical(1)], &ctx);
    let records = synced(&first, &[]);
    let again = reconcile(&records, &[critical(1)], &ctx);
    assert!(again.actions.is_empty());
    assert!(again.records.is_empty());
    // An older scan arriving late is ignored too.
    let late = reconcile(&records, &[], &scan(-1, true));
    assert!(late.records.is_empty() && late.actions.is_empty());
}

#[test]
fn the_result_does_not_depend_on_input_order() {
    let (_, base) = run(&[(
        scan(0, true),
        vec![critical(1), critical(2), critical(3), critical(4)],
    )]);
    let findings = vec![
        finding(2, Severity::High, &[Signal::SingleFactorArmWrite]),
        critical(5),
        critical(1),
    ];
    let ctx = scan(1, true);
    let a = reconcile(&base, &findings, &ctx);
    let mut rev_base = base.clone();
    rev_base.reverse();
    let mut rev_findings = findings.clone();
    rev_findings.reverse();
    let b = reconcile(&rev_base, &rev_findings, &ctx);
    assert_eq!(a, b);
    assert_eq!(kinds(&a), [ActionKind::Update, ActionKind::Open]);
    assert_eq!(a.actions[1].user, user(5));
}

#[test]
fn records_of_other_tenants_are_ignored() {
    let (_, mut records) = run(&[(scan(0, true), vec![critical(1)])]);
    records[0].tenant =
        crate::ids::TenantId::parse("11111111-1111-4111-8111-111111111111").unwrap();
    let plan = reconcile(&records, &[critical(1)], &scan(1, true));
    assert_eq!(kinds(&plan), [ActionKind::Open]);
    assert_eq!(plan.records[0].tenant, tenant());
}

#[test]
fn records_round_trip_through_json_and_keep_bounded_history() {
    let (_, mut records) = run(&[(scan(0, true), vec![critical(1)]), (scan(1, true), vec![])]);
    let r = &mut records[0];
    for n in 0..200 {
        r.log(day(n), format!("event {n}"));
        r.record_notice(day(n), Severity::Critical);
    }
    assert_eq!(r.history.len(), super::record::MAX_HISTORY);
    assert_eq!(r.history.last().unwrap().event, "event 199");
    assert_eq!(r.notices.len(), super::record::MAX_NOTICES);
    let json = serde_json::to_string(&*r).unwrap();
    assert!(json.contains("\"state\":\"clean\""), "{json}");
    assert!(json.contains("\"cleanScans\":1"), "{json}");
    let back: AccountRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, &*r);
}

#[test]
fn snooze_is_bounded_and_audited() {
    assert!(Quiet::snooze("a@contoso.com", day(0), 0, 30, None).is_err());
    assert!(Quiet::snooze("a@contoso.com", day(0), 31, 30, None).is_err());
    // The bound is the setting's, not a constant.
    assert!(Quiet::snooze("a@contoso.com", day(0), 60, 90, None).is_ok());
    assert_eq!(
        Quiet::snooze("a@contoso.com", day(0), 8, 7, None)
            .unwrap_err()
            .to_string(),
        "snooze for 1 to 7 days, not 8"
    );
    assert!(Quiet::ack("  ", day(0), None).is_err());
    let q = Quiet::snooze(
        "a@contoso.com",
        day(0),
        7,
        30,
        Some("change freeze\nuntil Monday"),
    )
    .unwrap();
    assert!(q.active(day(6)) && !q.active(day(7)));
    let (_, mut records) = run(&[(scan(0, true), vec![critical(1)])]);
    records[0].set_quiet(q);
    assert!(records[0].is_quiet(day(1)));
    let last = &records[0].history.last().unwrap().event;
    assert!(
        last.starts_with("snoozed by a@contoso.com until 2026-11-08"),
        "{last}"
    );
    assert!(!last.contains('\n'));
}
