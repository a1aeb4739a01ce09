//! The token claims ARM records for a user's call and for a workload identity's call.

use std::net::Ipv4Addr;

use uuid::Uuid;

use super::super::plan::ArmPlan;
use super::super::population::{UserSpec, WorkloadKind, WorkloadSpec};
use super::super::rng::splitmix;
use super::record::Claims;
use super::resource::opaque;

/// A user's delegated token (`appidacr` "0"). A guest has no `upn` claim: its names are
/// its home address.
pub(super) fn user<'a>(p: &'a ArmPlan, tenant: Uuid, u: &'a UserSpec, issued: i64) -> Claims<'a> {
    let guest = u.home_email.is_some();
    let sign_in_name = u.home_email.as_deref().unwrap_or(&u.upn);
    let app = p.app.map(|a| a.id).unwrap_or_default();
    Claims {
        aud: "https://management.core.windows.net/",
        iss: format!("https://sts.windows.net/{tenant}/"),
        iat: issued.to_string(),
        nbf: issued.to_string(),
        exp: (issued + 4_500).to_string(),
        acr: Some("1"),
        aio: opaque(p.op_salt ^ 1, 56),
        amr: p.amr,
        appid: Uuid::parse_str(app).unwrap_or_default(),
        appidacr: "0",
        surname: &u.surname,
        given_name: &u.given_name,
        idp: u
            .home_tenant
            .map(|h| format!("https://sts.windows.net/{h}/")),
        idtyp: None,
        ipaddr: Some(Ipv4Addr::from(p.ip)),
        name: Some(&u.display_name),
        oid: u.id,
        puid: Some(format!("{:016X}", splitmix(u.id.as_u64_pair().0) >> 8)),
        rh: opaque(p.op_salt ^ 2, 40),
        scope: Some("user_impersonation"),
        sub: opaque(u.id.as_u64_pair().1, 43),
        tid: tenant,
        unique_name: Some(sign_in_name),
        upn: (!guest).then_some(u.upn.as_str()),
        uti: opaque(p.salt ^ 3, 22),
        ver: "1.0",
        xms_mirid: None,
    }
}

/// A workload identity's app-only token: GUID subject, `appidacr` "1" (secret) or "2"
/// (certificate, managed identity), no amr, no upn.
pub(super) fn workload<'a>(
    p: &'a ArmPlan,
    tenant: Uuid,
    w: &'a WorkloadSpec,
    issued: i64,
) -> Claims<'a> {
    let acr = match w.kind {
        WorkloadKind::SecretSp => "1",
        _ => "2",
    };
    Claims {
        aud: "https://management.core.windows.net/",
        iss: format!("https://sts.windows.net/{tenant}/"),
        iat: issued.to_string(),
        nbf: issued.to_string(),
        exp: (issued + 86_399).to_string(),
        acr: None,
        aio: opaque(p.op_salt ^ 1, 56),
        amr: None,
        appid: w.app_id,
        appidacr: acr,
        surname: "",
        given_name: "",
        idp: Some(format!("https://sts.windows.net/{tenant}/")),
        idtyp: Some("app"),
        ipaddr: None,
        name: None,
        oid: w.id,
        puid: None,
        rh: opaque(p.op_salt ^ 2, 40),
        scope: None,
        sub: w.id.to_string(),
        tid: tenant,
        unique_name: None,
        upn: None,
        uti: opaque(p.salt ^ 3, 22),
        ver: "1.0",
        xms_mirid: (!w.resource_id.is_empty()).then_some(w.resource_id.as_str()),
    }
}
