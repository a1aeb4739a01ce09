//! Test support shared by the integration tests (`mod support;`).
//!
//! - [`app_layout`]: `host.json` and every `function.json`, as the Functions host reads them.
//! - [`app_settings`]: the app settings (`%NAME%` references) the host resolves.
//! - [`ncrontab`]: schedule expressions as the timer trigger understands them.
//! - [`payloads`]: invocation bodies, byte for byte as the host builds them.
//! - [`replies`]: the handler's answers, read the way the host reads them.
//! - [`azurite`]: the Storage emulator (blob, and queue on demand).
//! - [`chat_state`]: a state folder seeded by a real scan, for chat command tests.
//! - [`emulator`]: runs `stepup serve` the way the host runs a custom handler, and invokes it.
//! - [`queue_bridge`]: the host's queue side on Azurite: output bindings to queues, a pump
//!   from queues to queue-triggered functions, retries and the poison queue.
//! - [`identity_endpoint`]: the App Service managed-identity endpoint, for a `stepup serve`
//!   child that talks to Azurite.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

pub mod app_layout;
pub mod app_settings;
pub mod azurite;
pub mod chat_state;
pub mod emulator;
pub mod identity_endpoint;
pub mod ncrontab;
pub mod payloads;
pub mod queue_bridge;
pub mod replies;
