//! Security checks (issue #9), end to end where they can be: the real binary behind the
//! emulated Functions host, loopback fakes for Entra ID's signing keys, Teams, ticket
//! systems and Graph/ARM.
//!
//! - [`chat_hmac`]: `/api/teams` — missing, wrong, malformed HMAC; replayed, future and
//!   undated activities; other or no tenant; path-like chat arguments.
//! - [`secure_webhook`]: `/api/service-health` — every way a secure-webhook token can be
//!   wrong (missing, garbage, `alg` none/HS256, expired, early, audience, tenant, issuer,
//!   role, signing key) and `?tenant=`.
//! - [`bodies`]: 413 (declared and chunked), 415, malformed JSON, 405 and 404 on every HTTP
//!   and invocation route, each with a one-line reason.
//! - [`hostile_ids`]: property tests — hostile ids never become GUIDs, state keys, file
//!   names or paths outside their folder.
//! - [`ticket_urls`]: hostile projects, ids and e-mails reach ticket URLs percent-encoded.
//! - [`secrets_serve`], [`secrets_cli`], [`secrets_sinks`]: recognisable secrets in every
//!   secret setting never show in output, logs, answers, state, reports, cards or tickets.

mod support;
mod teams_support;
mod ticket_support;

#[path = "azure_fake/mod.rs"]
mod azure_fake;
#[path = "live_support/mod.rs"]
mod live_support;

#[path = "security/activity.rs"]
mod activity;
#[path = "security/keys.rs"]
mod keys;
#[path = "security/leaks.rs"]
mod leaks;

#[path = "security/bodies.rs"]
mod bodies;
#[path = "security/chat_hmac.rs"]
mod chat_hmac;
#[path = "security/hostile_ids.rs"]
mod hostile_ids;
#[path = "security/secrets_cli.rs"]
mod secrets_cli;
#[path = "security/secrets_serve.rs"]
mod secrets_serve;
#[path = "security/secrets_sinks.rs"]
mod secrets_sinks;
#[path = "security/secure_webhook.rs"]
mod secure_webhook;
#[path = "security/ticket_urls.rs"]
mod ticket_urls;
