//! The severity of an account: the highest rule of DESIGN.md §3 that applies.

use std::collections::BTreeSet;

use crate::detect::model::{Severity, Signal};

/// The severity for a set of signals; `None` when there are none.
///
/// - critical: (`ropc` or `non_interactive`) with a single-factor write or sign-in, or
///   `no_mfa_method` with `single_factor_arm_write`;
/// - high: `single_factor_arm_write`;
/// - medium: `no_mfa_method`, `break_glass_weak_mfa`, or `single_factor_signin` (and, should
///   they ever hold alone, `ropc` or `non_interactive`);
/// - low: `outdated_client` alone.
pub fn severity(signals: &BTreeSet<Signal>) -> Option<Severity> {
    let has = |s: Signal| signals.contains(&s);
    let unattended = has(Signal::Ropc) || has(Signal::NonInteractive);
    let single_factor = has(Signal::SingleFactorArmWrite) || has(Signal::SingleFactorSignin);
    if signals.is_empty() {
        None
    } else if (unattended && single_factor)
        || (has(Signal::NoMfaMethod) && has(Signal::SingleFactorArmWrite))
    {
        Some(Severity::Critical)
    } else if has(Signal::SingleFactorArmWrite) {
        Some(Severity::High)
    } else if has(Signal::NoMfaMethod)
        || has(Signal::BreakGlassWeakMfa)
        || has(Signal::SingleFactorSignin)
        || unattended
    {
        Some(Severity::Medium)
    } else {
        Some(Severity::Low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Signal::*;

    fn sev(signals: &[Signal]) -> Option<Severity> {
        severity(&signals.iter().copied().collect())
    }

    #[test]
    fn critical_rules() {
        assert_eq!(sev(&[Ropc, SingleFactorSignin]), Some(Severity::Critical));
        assert_eq!(
            sev(&[NonInteractive, SingleFactorSignin]),
            Some(Severity::Critical)
        );
        assert_eq!(sev(&[Ropc, SingleFactorArmWrite]), Some(Severity::Critical));
        assert_eq!(
            sev(&[NoMfaMethod, SingleFactorArmWrite]),
            Some(Severity::Critical)
        );
        assert_eq!(
            sev(&[NoMfaMethod, SingleFactorArmWrite, OutdatedClient]),
            Some(Severity::Critical)
        );
    }

    #[test]
    fn high_medium_low() {
        assert_eq!(sev(&[SingleFactorArmWrite]), Some(Severity::High));
        assert_eq!(
            sev(&[SingleFactorArmWrite, SingleFactorSignin]),
            Some(Severity::High)
        );
        assert_eq!(
            sev(&[SingleFactorArmWrite, BreakGlassWeakMfa]),
            Some(Severity::High)
        );
        assert_eq!(sev(&[NoMfaMethod]), Some(Severity::Medium));
        assert_eq!(sev(&[BreakGlassWeakMfa]), Some(Severity::Medium));
        assert_eq!(
            sev(&[SingleFactorSignin, OutdatedClient]),
            Some(Severity::Medium)
        );
        assert_eq!(
            sev(&[NoMfaMethod, SingleFactorSignin]),
            Some(Severity::Medium)
        );
        assert_eq!(sev(&[OutdatedClient]), Some(Severity::Low));
        assert_eq!(sev(&[]), None);
    }
}
