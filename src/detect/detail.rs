//! One readable line per piece of evidence, and its structured context.

use std::fmt::Write as _;

use crate::calendar::SERVICE_MANAGEMENT_API;
use crate::detect::client::{ci_label, label};
use crate::detect::evidence::{Candidate, Facts};
use crate::detect::model::{Evidence, EvidenceContext, Signal};
use crate::detect::records::AuthProtocol;

/// The evidence for `signal` from a candidate event.
pub fn evidence(signal: Signal, cand: &Candidate) -> Evidence {
    Evidence {
        signal,
        at: cand.at,
        detail: one_line(&line(signal, &cand.facts)),
        context: context(&cand.facts),
    }
}

/// The structured context of an event.
pub fn context(f: &Facts) -> EvidenceContext {
    EvidenceContext {
        app_id: f.app_id,
        client: f.client,
        ci: f.ci,
        operation: f.operation.clone(),
        subscription: f.subscription,
        ip: f.ip.clone(),
        user_agent: f.user_agent.clone(),
        interactive: f.interactive,
        status: f.status.as_ref().map(|s| s.as_str().to_owned()),
    }
}

/// Replaces control characters so that a detail stays on one line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn line(signal: Signal, f: &Facts) -> String {
    match signal {
        Signal::SingleFactorArmWrite => write_line(f),
        Signal::SingleFactorSignin => format!(
            "single-factor {}sign-in{} with {}{}{}",
            interactivity(f),
            to_arm(f),
            who(f),
            from(f),
            protocol(f)
        ),
        Signal::NonInteractive => format!(
            "single-factor non-interactive sign-in{} with {}{}, an address where the user has no interactive sign-in",
            to_arm(f),
            who(f),
            from(f)
        ),
        Signal::Ropc => format!(
            "username and password (ROPC) {}sign-in{} with {}{}",
            interactivity(f),
            to_arm(f),
            who(f),
            from(f)
        ),
        Signal::OutdatedClient => {
            let minimum = crate::detect::client::ClientInfo {
                client: f.client,
                ci: f.ci,
                version: f.version,
            }
            .minimum()
            .unwrap_or_else(|| "the minimum".into());
            format!(
                "{} is older than {minimum} and cannot answer ARM's MFA claims challenge; signed in{}",
                who(f),
                from(f)
            )
        }
        // Directory signals are written where they are found (aggregate.rs).
        Signal::NoMfaMethod | Signal::BreakGlassWeakMfa => who(f),
    }
}

fn write_line(f: &Facts) -> String {
    let mut s = f.operation.clone().unwrap_or_else(|| "write".into());
    if let Some(m) = f.method {
        let _ = write!(s, " ({})", m.as_str());
    }
    if let Some(target) = f.scope.as_deref().and_then(short_scope) {
        let _ = write!(s, " on {target}");
    }
    if let Some(sub) = f.subscription {
        let _ = write!(s, " in subscription {sub}");
    }
    let _ = write!(s, " by {}{}", who(f), from(f));
    if let Some(status) = &f.status {
        let _ = write!(s, ": {status}");
    }
    let _ = write!(
        s,
        "; token amr \"{}\" without mfa",
        f.amr.as_deref().unwrap_or("")
    );
    s
}

/// `resourceGroups/rg/…/name` → `rg/name`; a subscription scope → nothing.
fn short_scope(scope: &str) -> Option<String> {
    let parts: Vec<&str> = scope.split('/').filter(|p| !p.is_empty()).collect();
    let rg = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| parts.get(i + 1))?;
    let has_resource = parts.iter().any(|p| p.eq_ignore_ascii_case("providers"));
    match parts.last() {
        Some(last) if has_resource && last != rg => Some(format!("{rg}/{last}")),
        _ => Some(format!("resource group {rg}")),
    }
}

fn who(f: &Facts) -> String {
    let mut s = match (f.client, f.version) {
        (Some(c), Some(v)) => format!("{} {v}", label(c)),
        (Some(c), None) => label(c).to_owned(),
        (None, _) => match (&f.app_name, f.app_id) {
            (Some(name), _) => name.clone(),
            (None, Some(id)) => format!("app {id}"),
            (None, None) => "an unknown client".to_owned(),
        },
    };
    if let Some(ci) = f.ci {
        let _ = write!(s, " on {}", ci_label(ci));
    }
    s
}

fn from(f: &Facts) -> String {
    f.ip.as_deref()
        .map_or_else(String::new, |ip| format!(" from {ip}"))
}

fn interactivity(f: &Facts) -> &'static str {
    match f.interactive {
        Some(true) => "interactive ",
        Some(false) => "non-interactive ",
        None => "",
    }
}

fn to_arm(f: &Facts) -> &'static str {
    if f.resource == Some(SERVICE_MANAGEMENT_API) {
        " to Azure Resource Manager"
    } else {
        ""
    }
}

fn protocol(f: &Facts) -> String {
    match f.protocol {
        Some(p @ (AuthProtocol::Ropc | AuthProtocol::DeviceCode)) => format!(" ({})", p.as_str()),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::AZURE_CLI;
    use crate::detect::model::{CiSystem, Client};
    use crate::detect::records::{HttpMethod, OperationStatus};
    use crate::detect::version::Version;
    use chrono::{TimeZone, Utc};

    fn cand(f: Facts) -> Candidate {
        Candidate {
            telling: 0,
            at: Utc.with_ymd_and_hms(2026, 11, 2, 3, 4, 5).unwrap(),
            id: None,
            facts: f,
        }
    }

    #[test]
    fn write_line_names_operation_target_client_status_and_amr() {
        let e = evidence(
            Signal::SingleFactorArmWrite,
            &cand(Facts {
                client: Some(Client::AzureCli),
                version: Some(Version::new(2, 60, 0)),
                ci: Some(CiSystem::AzurePipelines),
                ip: Some("198.51.100.4".into()),
                operation: Some("Microsoft.Compute/virtualMachines/write".into()),
                method: Some(HttpMethod::Put),
                scope: Some("/subscriptions/089bd33f-d4ec-47fe-8ba5-0753aa5c5b33/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1".into()),
                subscription: crate::ids::SubscriptionId::parse("089bd33f-d4ec-47fe-8ba5-0753aa5c5b33").ok(),
                status: Some(OperationStatus::Failed),
                amr: Some("pwd".into()),
                app_id: Some(AZURE_CLI),
                ..Facts::default()
            }),
        );
        assert_eq!(
            e.detail,
            "Microsoft.Compute/virtualMachines/write (PUT) on rg-app/vm1 in subscription 089bd33f-d4ec-47fe-8ba5-0753aa5c5b33 by Azure CLI 2.60.0 on Azure Pipelines from 198.51.100.4: Failed; token amr \"pwd\" without mfa"
        );
        assert_eq!(e.context.status.as_deref(), Some("Failed"));
        assert_eq!(e.context.app_id, Some(AZURE_CLI));
        assert_eq!(
            e.context.operation.as_deref(),
            Some("Microsoft.Compute/virtualMachines/write")
        );
    }

    #[test]
    fn sign_in_lines() {
        let f = Facts {
            client: Some(Client::AzureCli),
            version: Some(Version::new(2, 60, 0)),
            ip: Some("203.0.113.7".into()),
            interactive: Some(false),
            protocol: Some(AuthProtocol::Ropc),
            resource: Some(SERVICE_MANAGEMENT_API),
            ..Facts::default()
        };
        assert_eq!(
            evidence(Signal::SingleFactorSignin, &cand(f.clone())).detail,
            "single-factor non-interactive sign-in to Azure Resource Manager with Azure CLI 2.60.0 from 203.0.113.7 (ropc)"
        );
        assert_eq!(
            evidence(Signal::OutdatedClient, &cand(f.clone())).detail,
            "Azure CLI 2.60.0 is older than 2.76 and cannot answer ARM's MFA claims challenge; signed in from 203.0.113.7"
        );
        let e = evidence(
            Signal::NonInteractive,
            &cand(Facts {
                ip: Some("10.0.0.1\n".into()),
                ..f
            }),
        );
        assert!(!e.detail.contains('\n'));
        assert_eq!(e.context.interactive, Some(false));
    }

    #[test]
    fn scopes_shorten() {
        assert_eq!(
            short_scope("/subscriptions/s/resourceGroups/rg1").as_deref(),
            Some("resource group rg1")
        );
        assert_eq!(short_scope("/subscriptions/s").as_deref(), None);
        assert_eq!(
            short_scope("/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Web/sites/app")
                .as_deref(),
            Some("rg1/app")
        );
    }
}
