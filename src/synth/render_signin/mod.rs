//! Renders a planned sign-in as a Microsoft Graph beta `signIn` object.

mod record;
mod texts;
mod user;
mod workload;

use serde::{Serialize, Serializer};

use super::plan::{SignInPlan, Who};
use super::population::Population;

/// The record's serialisable form: borrowed from the plan and the directory.
pub(crate) struct SignInView<'a> {
    plan: &'a SignInPlan,
    pop: &'a Population,
}

impl<'a> SignInView<'a> {
    /// A view of `plan` in `pop`.
    pub(crate) fn new(plan: &'a SignInPlan, pop: &'a Population) -> Self {
        Self { plan, pop }
    }
}

const CA_POLICY_ID: &str = "6b4d3c0e-2f3a-4b7c-9a51-2c8e7d1f0a93";
const CA_POLICY_NAME: &str = "Require MFA for Azure management";
const MFA_SATISFIED_BY_CLAIM: &str = "MFA requirement satisfied by claim in the token";

impl Serialize for SignInView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, pop) = (self.plan, self.pop);
        match p.who {
            Who::User(i) => match pop.users.get(i as usize) {
                Some(u) => user::record(p, pop, u).serialize(s),
                None => Err(serde::ser::Error::custom("sign-in of an unknown user")),
            },
            Who::Workload(i) => match pop.workloads.get(i as usize) {
                Some(w) => workload::record(p, pop, w).serialize(s),
                None => Err(serde::ser::Error::custom("sign-in of an unknown workload")),
            },
        }
    }
}
