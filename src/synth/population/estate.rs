//! The Azure estate around the users: subscriptions, workload identities and groups.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::super::catalog::people::{ENVIRONMENTS, TEAMS, WORKLOADS};
use super::super::catalog::pick;
use super::super::catalog::roles::Role;
use super::super::catalog::user_agents::SP_CLIENTS;
use super::super::ip;
use super::super::rng;
use super::super::time::DAY_MS;
use super::{Grant, GroupSpec, SubSpec, WorkloadKind, WorkloadSpec};

/// `n` subscriptions named after workloads and environments.
pub(super) fn subscriptions(rng: &mut ChaCha8Rng, n: usize) -> Vec<SubSpec> {
    (0..n)
        .map(|i| {
            let workload = WORKLOADS[i % WORKLOADS.len()];
            let env = ENVIRONMENTS[(i / WORKLOADS.len()) % ENVIRONMENTS.len()];
            let rgs = (0..rng.gen_range(3..7))
                .map(|k| format!("rg-{workload}-{env}-{:02}", k + 1))
                .collect();
            SubSpec {
                id: rng::guid(rng),
                name: format!("contoso-{workload}-{env}-{:02}", i / 40 + 1),
                env,
                workload,
                owner: (i % 2 == 0).then(|| TEAMS[i % TEAMS.len()]),
                cost_center: rng.gen_range(1000..9999),
                rgs,
            }
        })
        .collect()
}

/// Service principals (about one per 250 users) and managed identities (one per 400).
pub(super) fn workloads(
    rng: &mut ChaCha8Rng,
    subs: &[SubSpec],
    users: usize,
    end_ms: i64,
) -> Vec<WorkloadSpec> {
    let sps = (users / 250).max(4);
    let mis = (users / 400).max(3);
    let mut out = Vec::with_capacity(sps + mis);
    for i in 0..sps + mis {
        let sub = rng.gen_range(0..subs.len()) as u32;
        let s = &subs[sub as usize];
        let rg = rng.gen_range(0..s.rgs.len()) as u32;
        let managed = i >= sps;
        let kind = match (managed, i % 2 == 0) {
            (false, true) => WorkloadKind::SecretSp,
            (false, false) => WorkloadKind::CertificateSp,
            (true, true) => WorkloadKind::SystemMi,
            (true, false) => WorkloadKind::UserMi,
        };
        let n = i + 1;
        let (name, resource_id) = match kind {
            WorkloadKind::SecretSp => {
                (format!("sp-terraform-{}-{n:03}", s.workload), String::new())
            }
            WorkloadKind::CertificateSp => {
                (format!("sp-deploy-{}-{n:03}", s.workload), String::new())
            }
            WorkloadKind::SystemMi => {
                let name = format!("func-{}-{}-{n:03}", s.workload, s.env);
                let rid = format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Web/sites/{name}",
                    s.id, s.rgs[rg as usize]
                );
                (name, rid)
            }
            WorkloadKind::UserMi => {
                let name = format!("id-{}-{}-{n:03}", s.workload, s.env);
                let rid = format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
                    s.id, s.rgs[rg as usize]
                );
                (name, rid)
            }
        };
        let id = rng::guid(rng);
        let app_id = rng::guid(rng);
        let ua = if managed { "" } else { *pick(rng, &SP_CLIENTS) };
        let grants = vec![Grant {
            role: Role::Contributor,
            sub,
            rg: (i % 3 != 0).then_some(rg),
            id: rng::guid(rng),
            created_ms: end_ms - rng.gen_range(30..900) * DAY_MS,
        }];
        out.push(WorkloadSpec {
            id,
            app_id,
            name,
            kind,
            sub,
            rg,
            resource_id,
            ip: ip::azure(rng),
            ua,
            grants,
        });
    }
    out
}

/// Security groups holding Contributor or Reader on the first subscriptions.
pub(super) fn groups(rng: &mut ChaCha8Rng, subs: &[SubSpec], end_ms: i64) -> Vec<GroupSpec> {
    let mut groups = Vec::new();
    for i in 0..subs.len().min(6) {
        let role = if i % 2 == 0 {
            Role::Contributor
        } else {
            Role::Reader
        };
        let id = rng::guid(rng);
        let grant = Grant {
            role,
            sub: i as u32,
            rg: None,
            id: rng::guid(rng),
            created_ms: end_ms - rng.gen_range(30..900) * DAY_MS,
        };
        groups.push(GroupSpec {
            id,
            grants: vec![grant],
        });
    }
    groups
}
