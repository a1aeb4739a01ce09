//! Shared support of the ticket sink tests (`mod ticket_support;`).
//!
//! - [`fake_server`]: a loopback HTTP server with request counting and fault injection.
//! - [`conformance`]: the one suite every sink passes, and the [`conformance::FakeControl`]
//!   trait each fake implements.
//! - One fake per system: [`file`], [`azure_devops`], [`github`],
//!   [`jira`], [`servicenow`].

// Each test crate uses a different part of this module.
#![allow(dead_code)]

pub mod azure_devops;
pub mod conformance;
pub mod fake_server;
pub mod file;
pub mod github;
pub mod jira;
pub mod servicenow;
