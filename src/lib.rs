//! stepup: finds the accounts that break under Microsoft's mandatory MFA for Azure Resource
//! Manager ("Phase 2"), tells their owners, and tracks them until they are fixed.
//!
//! The crate is layered so that each part knows only what it must:
//! - [`functions`] is the Azure Functions custom-handler shim; it knows nothing of MFA.
//! - [`detect`] is the pure, synchronous detection core.
//! - [`input`] reads exported API data; [`report`] renders scan reports;
//!   [`guidance`] chooses migration steps; [`synth`] makes synthetic tenants.
//! - [`app`] binds the functions to stepup's behaviour; [`cli`] is the command line.

pub mod alerts;
pub mod app;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod detect;
pub mod functions;
pub mod guidance;
pub mod identity;
pub mod ids;
pub mod input;
pub mod jobs;
pub mod lifecycle;
pub mod offline;
pub mod queue;
pub mod report;
pub mod runs;
pub mod secret;
pub mod settings;
pub mod sources;
pub mod state;
pub mod synth;
pub mod teams;
pub mod tickets;
