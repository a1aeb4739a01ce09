//! The pure, synchronous detection core (DESIGN.md §3): typed records in, findings out.
//! No I/O, no async.
//!
//! Feed records as they stream in to an [`Aggregator`] and call [`Aggregator::finish`]:
//!
//! ```
//! use stepup::detect::{records::SignIn, Aggregator};
//! use stepup::settings::TenantSettings;
//!
//! let mut agg = Aggregator::new(&TenantSettings::default());
//! let s: SignIn = serde_json::from_str(r#"{
//!     "createdDateTime": "2026-11-20T08:00:00Z",
//!     "userId": "26be570a-ae82-4189-b4e2-a37c6808512d", "userPrincipalName": "ci@contoso.com",
//!     "appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
//!     "authenticationRequirement": "singleFactorAuthentication", "authenticationProtocol": "ropc",
//!     "signInEventTypes": ["nonInteractiveUser"], "ipAddress": "203.0.113.7",
//!     "status": {"errorCode": 0}}"#).unwrap();
//! agg.add_sign_in(s);
//! let detection = agg.finish();
//! assert_eq!(detection.findings[0].severity.as_str(), "critical");
//! ```

pub(crate) mod account;
pub mod aggregate;
pub mod builtin_roles;
pub mod client;
pub(crate) mod detail;
pub mod directory_part;
pub(crate) mod evidence;
pub mod model;
pub mod owners;
pub mod records;
pub mod roles;
pub mod severity;
pub mod version;

#[cfg(test)]
mod testkit;

#[cfg(test)]
mod scenarios;

#[cfg(test)]
mod order_independence;

pub use aggregate::Aggregator;
