//! A deliberately plain reading of DESIGN.md §3 over the generated files, as untyped JSON,
//! used only to check that the generator's records really produce its labels. It shares
//! nothing with the detection engine or with the generator's own types.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::detect::model::{Severity, Signal};
use crate::settings::TenantSettings;

const IN_SCOPE_APPS: [&str; 3] = [
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
    "0c1307d4-29d6-4389-a11c-5cbe7f65d7fa",
];
const ARM_RESOURCE: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const CLAIM_MFA: &str = "MFA requirement satisfied by claim in the token";
const AMR: &str = "http://schemas.microsoft.com/claims/authnmethodsreferences";
const OID: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const PHISHING_RESISTANT: [&str; 5] = [
    "fido2SecurityKey",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "windowsHelloForBusiness",
    "x509Certificate",
];

/// What the oracle concludes about one account.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Verdict {
    /// Signals that hold.
    pub signals: BTreeSet<Signal>,
    /// `accountEnabled`.
    pub enabled: bool,
}

/// The oracle's view of a whole export.
#[derive(Debug, Default)]
pub(super) struct Oracle {
    /// Per user object id.
    pub users: BTreeMap<String, Verdict>,
    /// Workload identities seen (sign-ins or GUID callers).
    pub workloads: BTreeSet<String>,
}

impl Oracle {
    /// The severity the contract gives an account's signals.
    pub(super) fn severity(v: &Verdict) -> Option<Severity> {
        let signals: Vec<Signal> = v.signals.iter().copied().collect();
        crate::synth::severity_of(&signals)
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn values(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("value") {
            Some(Value::Array(a)) => a,
            _ => panic!("{} has no value array", path.display()),
        },
        _ => panic!("{} is not an array or page", path.display()),
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `(major, minor)` of the first version after `marker` (case-insensitive) in `ua`.
fn version_after(ua: &str, marker: &str) -> Option<(u32, u32)> {
    let lower = ua.to_ascii_lowercase();
    let at = lower.find(marker)? + marker.len();
    let rest = lower[at..].trim_start_matches('v');
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

fn outdated(ua: &str) -> bool {
    let cli = version_after(ua, "azure-cli/").or_else(|| version_after(ua, "azurecli/"));
    let ps = version_after(ua, "azurepowershell/");
    cli.is_some_and(|v| v < (2, 76)) || ps.is_some_and(|v| v < (14, 3))
}

fn add(users: &mut BTreeMap<String, Verdict>, id: &str, signal: Signal) {
    users
        .entry(id.to_string())
        .or_default()
        .signals
        .insert(signal);
}

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

/// Reads the export in `dir` and applies the contract.
pub(super) fn evaluate(dir: &Path) -> Oracle {
    let settings = TenantSettings::load(&dir.join("stepup.toml")).unwrap();
    let mut oracle = Oracle::default();
    let mut upns = BTreeMap::new();
    for u in values(&dir.join("users.json")) {
        let id = s(&u, "id").to_string();
        upns.insert(id.clone(), s(&u, "userPrincipalName").to_string());
        let enabled = u["accountEnabled"].as_bool().unwrap();
        oracle.users.insert(
            id,
            Verdict {
                signals: BTreeSet::new(),
                enabled,
            },
        );
    }

    // Sign-ins.
    let mut interactive_ips: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut refresh_ips: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in lines(&dir.join("signIns.json")) {
        let types: Vec<&str> = r["signInEventTypes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if types
            .iter()
            .any(|t| *t == "servicePrincipal" || *t == "managedIdentity")
        {
            oracle
                .workloads
                .insert(s(&r, "servicePrincipalId").to_string());
            continue;
        }
        let user = s(&r, "userId").to_string();
        let ok = r["status"]["errorCode"].as_i64() == Some(0);
        if !ok {
            continue;
        }
        if outdated(s(&r, "userAgent")) {
            add(&mut oracle.users, &user, Signal::OutdatedClient);
        }
        let in_scope =
            IN_SCOPE_APPS.contains(&s(&r, "appId")) || s(&r, "resourceId") == ARM_RESOURCE;
        if !in_scope {
            continue;
        }
        let interactive = r["isInteractive"].as_bool().unwrap();
        let ip = s(&r, "ipAddress").to_string();
        if interactive {
            interactive_ips
                .entry(user.clone())
                .or_default()
                .insert(ip.clone());
        }
        if s(&r, "authenticationProtocol") == "ropc" {
            add(&mut oracle.users, &user, Signal::Ropc);
        }
        let claim = r["status"]["additionalDetails"].as_str() == Some(CLAIM_MFA);
        let single = s(&r, "authenticationRequirement") == "singleFactorAuthentication" && !claim;
        if single {
            add(&mut oracle.users, &user, Signal::SingleFactorSignin);
            if !interactive {
                refresh_ips.entry(user).or_default().insert(ip);
            }
        }
    }
    for (user, ips) in refresh_ips {
        let home = interactive_ips.get(&user);
        if ips.iter().any(|ip| !home.is_some_and(|h| h.contains(ip))) {
            add(&mut oracle.users, &user, Signal::NonInteractive);
        }
    }

    // Activity log.
    let mut writers = BTreeSet::new();
    for e in lines(&dir.join("activityLog.json")) {
        let claims = &e["claims"];
        let caller = s(&e, "caller");
        let acr = s(claims, "appidacr");
        if is_guid(caller) && (acr == "1" || acr == "2") {
            oracle.workloads.insert(caller.to_string());
            continue;
        }
        let user = s(claims, OID).to_string();
        let action = s(&e["authorization"], "action").to_ascii_lowercase();
        let method = e.get("httpRequest").map(|h| s(h, "method"));
        let write = (action.ends_with("/write") || action.ends_with("/delete"))
            && method.is_none_or(|m| matches!(m, "PUT" | "PATCH" | "DELETE"));
        if !write {
            continue;
        }
        writers.insert(user.clone());
        let mfa = s(claims, AMR).split(',').any(|m| m.trim() == "mfa");
        if !mfa {
            add(&mut oracle.users, &user, Signal::SingleFactorArmWrite);
        }
    }

    // Roles.
    let mut definitions: BTreeMap<String, bool> = BTreeMap::new();
    for d in values(&dir.join("roleDefinitions.json")) {
        let p = &d["properties"];
        let builtin = s(p, "type") == "BuiltInRole";
        let reader = builtin && s(p, "roleName").ends_with("Reader");
        let writes = p["permissions"].as_array().unwrap().iter().any(|perm| {
            perm["actions"].as_array().unwrap().iter().any(|a| {
                let a = a.as_str().unwrap().to_ascii_lowercase();
                a.ends_with("/write") || a.ends_with("/delete") || a.ends_with('*')
            })
        });
        definitions.insert(s(&d, "name").to_string(), !reader && writes);
    }
    let mut write_role = BTreeSet::new();
    for a in values(&dir.join("roleAssignments.json")) {
        let p = &a["properties"];
        if s(p, "principalType") != "User" {
            continue;
        }
        let guid = s(p, "roleDefinitionId")
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        if definitions.get(&guid).copied().unwrap_or(true) {
            write_role.insert(s(p, "principalId").to_string());
        }
    }

    // Registration and break-glass.
    for r in values(&dir.join("userRegistrationDetails.json")) {
        let id = s(&r, "id").to_string();
        let methods: Vec<&str> = r["methodsRegistered"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if r["isMfaRegistered"] == Value::Bool(false)
            && (write_role.contains(&id) || writers.contains(&id))
        {
            add(&mut oracle.users, &id, Signal::NoMfaMethod);
        }
        let upn = upns.get(&id).map(String::as_str);
        if settings.is_break_glass(upn, &id)
            && !methods.iter().any(|m| PHISHING_RESISTANT.contains(m))
        {
            add(&mut oracle.users, &id, Signal::BreakGlassWeakMfa);
        }
    }
    oracle
}

#[test]
fn versions_compare_numerically() {
    assert!(outdated("azure-cli/2.60.0 x"));
    assert!(outdated("AZURECLI/2.8.0 (DEB)"));
    assert!(!outdated("azure-cli/2.76.0"));
    assert!(!outdated("AZURECLI/2.100.1"));
    assert!(outdated("x AzurePowershell/v9.7.1 y"));
    assert!(outdated("AzurePowershell/v14.2.0"));
    assert!(!outdated("AzurePowershell/v14.3.0"));
    assert!(!outdated("Mozilla/5.0 Chrome/130.0.0.0"));
}
