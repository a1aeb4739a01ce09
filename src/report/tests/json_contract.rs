//! JSON is `scan.report` exactly, with the §4 keys.

use std::collections::BTreeSet;

use serde_json::Value;

use super::fixture::{render, scan};
use crate::report::model::ScanReport;
use crate::report::Format;

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn set(k: &[&'static str]) -> BTreeSet<&'static str> {
    k.iter().copied().collect()
}

#[test]
fn json_round_trips_and_has_the_contract_keys() {
    for enforced in [true, false] {
        let s = scan(enforced, Vec::new());
        let text = render(&s, Format::Json);
        let back: ScanReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s.report);

        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            keys(&v),
            set(&[
                "tenantId",
                "generatedAt",
                "complete",
                "enforcement",
                "summary",
                "accounts"
            ])
        );
        // §4's four keys plus the two the model adds (daysSince, postponable).
        assert_eq!(
            keys(&v["enforcement"]),
            set(&[
                "phase",
                "date",
                "enforced",
                "daysLeft",
                "daysSince",
                "postponable"
            ])
        );
        assert_eq!(v["enforcement"]["phase"], "phase2");
        assert_eq!(v["enforcement"]["enforced"], enforced);
        assert_eq!(
            keys(&v["summary"]),
            set(&["accountsScanned", "atRisk", "bySeverity"])
        );
        assert_eq!(
            keys(&v["summary"]["bySeverity"]),
            set(&["critical", "high", "medium", "low"])
        );
        let accounts = v["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 7);
        for a in accounts {
            assert_eq!(
                keys(a),
                set(&[
                    "userId",
                    "userPrincipalName",
                    "severity",
                    "signals",
                    "owner",
                    "evidence"
                ])
            );
            for e in a["evidence"].as_array().unwrap() {
                assert_eq!(keys(e), set(&["signal", "at", "detail"]));
            }
        }
        assert_eq!(
            accounts[0]["signals"],
            serde_json::json!(["single_factor_arm_write", "ropc"])
        );
        assert_eq!(accounts[0]["severity"], "critical");
    }
}

#[test]
fn incomplete_json_lists_its_problems() {
    let s = scan(true, vec!["signIns.json: record 3: not an object".into()]);
    let v: Value = serde_json::from_str(&render(&s, Format::Json)).unwrap();
    assert_eq!(v["complete"], false);
    assert_eq!(v["problems"][0], "signIns.json: record 3: not an object");
}
