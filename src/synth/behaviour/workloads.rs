//! Service principals and managed identities: never reported, the bulk of ARM writes.

use rand::Rng;

use super::super::catalog::apps;
use super::super::catalog::operations::{self, PIPELINE_CHANGES};
use super::super::catalog::people::AZURE_REGIONS;
use super::super::catalog::pick;
use super::super::plan::{Auth, EventType, Place, Protocol, Ua};
use super::super::population::WorkloadSpec;
use super::super::sessions::{DayCx, Outcome};

/// Plans one workload identity's day: client-credential or managed-identity sign-ins and
/// the writes that make up most of a tenant's activity log.
pub(crate) fn workload_day(cx: &mut DayCx, w: &WorkloadSpec) {
    let region = (w.sub as usize % AZURE_REGIONS.len()) as u8;
    let (event, ua) = if w.managed() {
        (EventType::ManagedIdentity, Ua::Empty)
    } else if w.ua.is_empty() {
        (EventType::ServicePrincipal, Ua::Empty)
    } else {
        (EventType::ServicePrincipal, Ua::Static(w.ua))
    };
    let resources = [
        &apps::ARM,
        &apps::ARM,
        &apps::KEY_VAULT,
        &apps::STORAGE,
        &apps::GRAPH,
    ];
    let busy = if cx.weekday { 1..=6 } else { 0..=2 };
    let mut t = cx.start_ms + cx.rng.gen_range(0..6) * 3_600_000;
    for _ in 0..cx.rng.gen_range(busy) {
        t = cx.later(t, 5, 120);
        let res = *pick(&mut cx.rng, &resources);
        let app = None;
        let (auth, proto) = (Auth::App, Protocol::None);
        cx.signin(
            t,
            app,
            res,
            event,
            w.ip,
            ua.clone(),
            auth,
            proto,
            None,
            Place::Azure(region),
        );
        if std::ptr::eq(res, &apps::ARM) {
            for _ in 0..cx.rng.gen_range(0..=3) {
                let at = cx.later(t, 0, 10);
                let op = if cx.rng.gen_bool(0.8) {
                    *pick(&mut cx.rng, &PIPELINE_CHANGES)
                } else {
                    *pick(&mut cx.rng, &operations::ACTIONS)
                };
                cx.call(at, op, None, None, w.ip, (w.sub, w.rg), Outcome::Succeed);
            }
        }
    }
}
