//! Azure Resource Manager: subscriptions ([`subscriptions`]), the activity log
//! ([`activity`]) and role assignments and custom role definitions ([`roles`]).

pub mod activity;
pub mod roles;
pub mod subscriptions;
