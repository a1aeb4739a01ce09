//! A Microsoft Graph collection page (`{"value": [...], "@odata.nextLink": "…"}`) as the live
//! sources read it: the page, then each record as a sign-in (checked against both sign-in
//! queries), a user, a registration-details record and a manager/sponsor contact, and every
//! record that parses fed to detection, which must finish.

#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use stepup::detect::records::{DirectoryContact, RegistrationDetails, SignIn, User};
use stepup::detect::Aggregator;
use stepup::settings::TenantSettings;
use stepup::sources::graph::sign_ins::{SignInKind, SignInQuery};
use stepup::sources::http::Page;

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fn parse<T: serde::de::DeserializeOwned>(raw: &RawValue) -> Option<T> {
    serde_json::from_str(raw.get()).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(page) = Page::parse(data) else {
        return;
    };
    let (Some(from), Some(to)) = (
        Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).single(),
    ) else {
        return;
    };
    let queries = [SignInKind::Interactive, SignInKind::NonInteractive].map(|kind| SignInQuery {
        kind,
        from,
        to,
    });
    let mut detection = Aggregator::new(&TenantSettings::default());
    for raw in &page.items {
        if let Some(sign_in) = parse::<SignIn>(raw) {
            for q in &queries {
                let _ = q.accepts(&sign_in);
            }
            detection.add_sign_in(sign_in);
        }
        if let Some(user) = parse::<User>(raw) {
            detection.add_user(user);
        }
        if let Some(registration) = parse::<RegistrationDetails>(raw) {
            detection.add_registration(registration);
        }
        if let Some(contact) = parse::<DirectoryContact>(raw) {
            let _ = contact.address();
        }
    }
    let _ = detection.finish();
});
