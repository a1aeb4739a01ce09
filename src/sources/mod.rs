//! Live sources (DESIGN.md §2, §5): Microsoft Graph (sign-ins, registration details, users,
//! managers and sponsors) and Azure Resource Manager (subscriptions, the activity log, role
//! assignments and definitions), read with azure_identity credentials and fed into the same
//! [`Aggregator`](crate::detect::Aggregator) as the offline scan.

pub mod certificate;
pub mod credential;
pub mod http;
pub mod settings;
pub mod token;

pub use settings::{Rate, SourcesSettings};
