//! Jira Cloud (REST v3) ticket sink.

pub mod adf;
pub mod config;
pub mod wire;
