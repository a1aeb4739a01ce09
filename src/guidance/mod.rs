//! Migration guidance as data, chosen per finding.
//!
//! The catalog (`catalog`) holds every step's text, snippet and links; the tables in
//! `rules` say which steps a finding gets from its signals, the clients and CI systems seen
//! and the tenant's enforcement status; [`for_finding`] walks them. Adding a client or a
//! step means adding a row, not a code path.

mod catalog;
mod model;
mod rules;
mod select;

pub use model::{Guidance, Link, Snippet, Step};
pub use select::for_finding;

#[cfg(test)]
mod tests;
