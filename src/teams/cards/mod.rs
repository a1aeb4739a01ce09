//! Adaptive Cards (version 1.5) for Teams: owner notices, the enforcement broadcast, the
//! weekly digest and chat replies, each kept under Teams' 28 KB message limit.
//!
//! Cards are plain `serde_json::Value`s; [`envelope`] wraps one in the message shape both
//! Workflows webhooks and legacy incoming webhooks accept.

mod broadcast;
mod chat_reply;
mod digest;
mod elements;
mod fit;
mod owner_notice;

pub use broadcast::{broadcast, MAX_WORST};
pub use chat_reply::chat_reply;
pub use digest::{digest, DigestInput, MAX_LIST};
pub use elements::{adaptive_card, safe_text, Mention};
pub use fit::{envelope, fits, message_bytes, MAX_MESSAGE_BYTES};
pub use owner_notice::{owner_notice, MAX_OWNER_MESSAGES};

/// The Adaptive Card schema URL every card names.
pub const SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";
/// The Adaptive Card version Teams renders (charts need 1.5).
pub const VERSION: &str = "1.5";
/// The attachment content type of an Adaptive Card.
pub const CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";
