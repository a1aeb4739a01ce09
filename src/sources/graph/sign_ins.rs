//! Graph sign-ins (`GET /beta/auditLogs/signIns`): the two queries a scan sends, their
//! server-side `$filter` and `$select`, and the client-side check every record passes again
//! (DESIGN.md §2: never rely on server-side filtering for correctness).
//!
//! - Interactive: successful sign-ins in the window to an in-scope app (Azure CLI, Azure
//!   PowerShell, the mobile app) or to the Service Management API, whatever the
//!   authentication requirement: MFA sign-ins tell the `non_interactive` rule where a user
//!   does sign in, and show outdated clients of people who do MFA.
//! - Non-interactive: the same, single-factor only (`authenticationRequirement eq
//!   'singleFactorAuthentication'`), with `signInEventTypes/any(t: t eq 'nonInteractiveUser')`.
//!   Token refreshes that carried MFA are most of the volume and evidence of nothing but an
//!   outdated client, which the interactive sign-in that began the session already shows.
//!
//! Both name their event type explicitly, and the client-side check keeps only records of
//! the query's type, so a service that ignores the filter can never count a record twice.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::calendar::{Phase2, SERVICE_MANAGEMENT_API};
use crate::detect::records::{AuthRequirement, SignIn};
use crate::sources::http::ApiClient;

/// The page size Graph allows at most for sign-ins.
pub const PAGE_SIZE: &str = "1000";

/// The fields detection reads.
pub const SELECT: &[&str] = &[
    "id",
    "createdDateTime",
    "userId",
    "userPrincipalName",
    "userDisplayName",
    "userType",
    "appId",
    "appDisplayName",
    "resourceId",
    "authenticationRequirement",
    "authenticationProtocol",
    "isInteractive",
    "signInEventTypes",
    "status",
    "userAgent",
    "ipAddress",
    "servicePrincipalId",
];

/// Which of the two sign-in queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInKind {
    /// Interactive sign-ins, any authentication requirement.
    Interactive,
    /// Single-factor non-interactive sign-ins.
    NonInteractive,
}

impl SignInKind {
    /// A short name, safe in state keys (`interactive`, `nonInteractive`).
    pub fn name(self) -> &'static str {
        match self {
            SignInKind::Interactive => "interactive",
            SignInKind::NonInteractive => "nonInteractive",
        }
    }

    /// The event type the query asks for.
    pub fn event_type(self) -> &'static str {
        match self {
            SignInKind::Interactive => "interactiveUser",
            SignInKind::NonInteractive => "nonInteractiveUser",
        }
    }
}

/// One sign-in query over a time window (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInQuery {
    /// Interactive or non-interactive.
    pub kind: SignInKind,
    /// The window's start.
    pub from: DateTime<Utc>,
    /// The window's end.
    pub to: DateTime<Utc>,
}

fn odata_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl SignInQuery {
    /// The `$filter` expression.
    pub fn filter(&self) -> String {
        let apps: Vec<String> = Phase2::IN_SCOPE_APPS
            .iter()
            .map(|a| format!("appId eq '{a}'"))
            .chain([format!("resourceId eq '{SERVICE_MANAGEMENT_API}'")])
            .collect();
        let mut f = format!(
            "createdDateTime ge {} and createdDateTime le {} and status/errorCode eq 0 and ({})",
            odata_time(self.from),
            odata_time(self.to),
            apps.join(" or ")
        );
        if self.kind == SignInKind::NonInteractive {
            f.push_str(" and authenticationRequirement eq 'singleFactorAuthentication'");
        }
        f.push_str(&format!(
            " and signInEventTypes/any(t: t eq '{}')",
            self.kind.event_type()
        ));
        f
    }

    /// The first page's URL.
    pub fn url(&self, graph: &ApiClient) -> Url {
        graph.url(
            "beta/auditLogs/signIns",
            &[
                ("$filter", &self.filter()),
                ("$select", &SELECT.join(",")),
                ("$top", PAGE_SIZE),
            ],
        )
    }

    /// Whether a record belongs to this query's result: the whole filter, evaluated here.
    pub fn accepts(&self, s: &SignIn) -> bool {
        let kind_matches = match self.kind {
            SignInKind::Interactive => s.interactive() == Some(true),
            SignInKind::NonInteractive => {
                s.interactive() == Some(false)
                    && s.authentication_requirement == Some(AuthRequirement::SingleFactor)
            }
        };
        kind_matches
            && s.created_date_time >= self.from
            && s.created_date_time <= self.to
            && s.succeeded()
            && !s.is_workload()
            && Phase2::in_scope(s.app_id.as_ref(), s.resource_id.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn query(kind: SignInKind) -> SignInQuery {
        SignInQuery {
            kind,
            from: Utc.with_ymd_and_hms(2026, 10, 21, 0, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap(),
        }
    }

    fn sign_in(extra: &str) -> SignIn {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"id":"66ea54eb-6301-4ee5-be62-ff5a759b0100","createdDateTime":"2026-11-01T08:00:00Z",
            "userId":"26be570a-ae82-4189-b4e2-a37c6808512d","appId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "status":{"errorCode":0}}"#,
        )
        .unwrap();
        let extra: serde_json::Value = serde_json::from_str(&format!("{{{extra}}}")).unwrap();
        if let (Some(base), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_filters_say_what_the_contract_says() {
        assert_eq!(
            query(SignInKind::Interactive).filter(),
            "createdDateTime ge 2026-10-21T00:00:00Z and createdDateTime le 2026-11-20T06:30:00Z \
             and status/errorCode eq 0 and (appId eq '04b07795-8ddb-461a-bbee-02f9e1bf7b46' \
             or appId eq '1950a258-227b-4e31-a9cf-717495945fc2' or appId eq '0c1307d4-29d6-4389-a11c-5cbe7f65d7fa' \
             or resourceId eq '797f4846-ba00-4fd7-ba43-dac1f8f63013') \
             and signInEventTypes/any(t: t eq 'interactiveUser')"
        );
        let ni = query(SignInKind::NonInteractive).filter();
        assert!(ni.ends_with(
            " and authenticationRequirement eq 'singleFactorAuthentication' \
             and signInEventTypes/any(t: t eq 'nonInteractiveUser')"
        ));
    }

    #[test]
    fn the_url_selects_only_what_detection_reads() {
        let graph = crate::sources::graph::tests::graph_client("https://graph.microsoft.com");
        let url = query(SignInKind::Interactive).url(&graph);
        assert_eq!(url.path(), "/beta/auditLogs/signIns");
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["$top"], "1000");
        assert_eq!(pairs["$select"].split(',').count(), SELECT.len());
        assert!(pairs["$filter"].contains("status/errorCode eq 0"));
    }

    #[test]
    fn every_record_is_checked_again() {
        let i = query(SignInKind::Interactive);
        let n = query(SignInKind::NonInteractive);
        let mfa = sign_in(
            r#""signInEventTypes":["interactiveUser"],"authenticationRequirement":"multiFactorAuthentication""#,
        );
        assert!(i.accepts(&mfa) && !n.accepts(&mfa));
        let refresh = sign_in(
            r#""signInEventTypes":["nonInteractiveUser"],"authenticationRequirement":"singleFactorAuthentication""#,
        );
        assert!(n.accepts(&refresh) && !i.accepts(&refresh));
        let mfa_refresh = sign_in(
            r#""signInEventTypes":["nonInteractiveUser"],"authenticationRequirement":"multiFactorAuthentication""#,
        );
        assert!(!n.accepts(&mfa_refresh) && !i.accepts(&mfa_refresh));
        let failed =
            sign_in(r#""signInEventTypes":["interactiveUser"],"status":{"errorCode":50126}"#);
        assert!(!i.accepts(&failed));
        let portal = sign_in(
            r#""signInEventTypes":["interactiveUser"],"appId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c","resourceId":"00000003-0000-0000-c000-000000000000""#,
        );
        assert!(
            !i.accepts(&portal),
            "Phase 1 portal sign-ins are out of scope"
        );
        let arm_resource = sign_in(
            r#""signInEventTypes":["interactiveUser"],"appId":"c44b4083-3bb0-49c1-b47d-974e53cbdf3c","resourceId":"797f4846-ba00-4fd7-ba43-dac1f8f63013""#,
        );
        assert!(
            i.accepts(&arm_resource),
            "any app signing in to ARM is in scope"
        );
        let late = sign_in(
            r#""signInEventTypes":["interactiveUser"],"createdDateTime":"2026-11-21T00:00:00Z""#,
        );
        assert!(!i.accepts(&late));
        let untyped = sign_in(r#""authenticationRequirement":"singleFactorAuthentication""#);
        assert!(
            !i.accepts(&untyped) && !n.accepts(&untyped),
            "no type, no query"
        );
    }
}
