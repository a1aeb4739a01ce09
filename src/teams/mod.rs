//! Microsoft Teams: the Adaptive Cards people see (DESIGN.md §7).

pub mod cards;
pub mod chat;
