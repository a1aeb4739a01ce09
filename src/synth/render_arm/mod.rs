//! Renders a planned ARM call as an activity-log event
//! (`Microsoft.Insights/eventtypes/management/values`).

mod claims;
mod record;
mod resource;
mod status;

use std::net::Ipv4Addr;

use serde::{Serialize, Serializer};

use super::plan::{ArmPlan, Who};
use super::population::Population;
use super::rng::salted_guid;
use super::time::Stamp;
use record::{loc, Authorization, Event, HttpRequest, Localized, Properties};
use resource::resource_id;

/// The record's serialisable form.
pub(crate) struct ArmView<'a> {
    plan: &'a ArmPlan,
    pop: &'a Population,
    /// No timestamp is printed after this instant (the window's end).
    limit_ms: i64,
}

impl<'a> ArmView<'a> {
    /// A view of `plan` in `pop`; no time after `limit_ms`.
    pub(crate) fn new(plan: &'a ArmPlan, pop: &'a Population, limit_ms: i64) -> Self {
        Self {
            plan,
            pop,
            limit_ms,
        }
    }
}

fn missing<E: serde::ser::Error>(what: &str) -> E {
    E::custom(format!("event of an unknown {what}"))
}

impl Serialize for ArmView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, pop) = (self.plan, self.pop);
        let sub = pop
            .subs
            .get(p.sub as usize)
            .ok_or_else(|| missing("subscription"))?;
        let rg = sub
            .rgs
            .get(p.rg as usize)
            .ok_or_else(|| missing("resource group"))?;
        let rg_id = format!("/subscriptions/{}/resourceGroups/{rg}", sub.id);
        let resource = resource_id(&rg_id, p.op, p.n, p.op_salt);
        let at = Stamp::precise(p.at_ms, p.sub_ms);
        let submitted_ms = (p.at_ms + 4_000 + (p.salt % 50_000) as i64).min(self.limit_ms);
        let submitted = Stamp::precise(submitted_ms.max(p.at_ms), (p.salt % 10_000) as u16);
        let issued = p.at_ms.div_euclid(1000) - 300 - (p.op_salt % 1800) as i64;
        let event_data_id = salted_guid(p.salt, 11);
        let tenant = pop.tenant;

        let (caller, claims, principal) = match p.who {
            Who::User(i) => {
                let u = pop.users.get(i as usize).ok_or_else(|| missing("user"))?;
                let caller = u.home_email.as_deref().unwrap_or(&u.upn).to_string();
                (caller, claims::user(p, tenant, u, issued), u.id)
            }
            Who::Workload(i) => {
                let w = pop
                    .workloads
                    .get(i as usize)
                    .ok_or_else(|| missing("workload"))?;
                (
                    w.id.to_string(),
                    claims::workload(p, tenant, w, issued),
                    w.id,
                )
            }
        };
        let outcome = status::of(p, &caller, principal, &resource);
        let event = Event {
            authorization: Authorization {
                action: p.op.action,
                scope: &resource,
            },
            caller,
            channels: "Operation",
            claims,
            correlation_id: salted_guid(p.op_salt, 1),
            description: "",
            event_data_id,
            event_name: outcome.event_name,
            category: loc("Administrative"),
            event_timestamp: at,
            id: format!("{resource}/events/{event_data_id}/ticks/{}", at.ticks()),
            level: outcome.level,
            operation_id: salted_guid(p.op_salt, 2),
            operation_name: Localized {
                value: p.op.action,
                localized_value: p.op.localized,
            },
            resource_group_name: rg,
            resource_provider_name: loc(p.op.provider),
            resource_type: loc(p.op.resource_type),
            resource_id: &resource,
            status: outcome.status,
            sub_status: outcome.sub_status,
            submission_timestamp: submitted,
            subscription_id: sub.id,
            tenant_id: tenant,
            properties: Properties {
                event_category: "Administrative",
                entity: &resource,
                message: p.op.action,
                hierarchy: format!("{tenant}/{}", sub.id),
                status_code: outcome.status_code,
                service_request_id: outcome.status_code.map(|_| salted_guid(p.salt, 12)),
                status_message: outcome.message,
            },
            related_events: [],
            http_request: p.with_http.then(|| HttpRequest {
                client_request_id: salted_guid(p.op_salt, 3),
                client_ip_address: Ipv4Addr::from(p.ip),
                method: p.op.method,
            }),
        };
        event.serialize(s)
    }
}
