//! ServiceNow (Table API, `incident`) ticket sink.

pub mod config;
pub mod wire;
