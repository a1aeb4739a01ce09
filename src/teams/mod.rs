//! Microsoft Teams (DESIGN.md §7): the Adaptive Cards people see, where they go and when.
//!
//! - [`cards`]: owner notice, enforcement broadcast, weekly digest, chat reply; [`chat`]:
//!   the chat commands of `/api/teams`.
//! - [`delivery`]: the [`delivery::TeamsSink`] trait, Workflows / legacy webhooks and the
//!   file outbox; [`channel`] names channels without their (secret) URLs.
//! - [`notify`]: planning and delivering owner notices (renotify policy, one per owner).
//! - [`digest`]: the weekly digest from state, and the digest and broadcast posts.
//! - [`once`]: posting at most once across crashes and redeliveries; [`text`]: cards as
//!   plain text; [`settings`]: `STEPUP_TEAMS_*` and `STEPUP_RENOTIFY_DAYS`.

pub mod cards;
pub mod channel;
pub mod chat;
pub mod delivery;
pub mod digest;
pub mod notify;
pub mod once;
pub mod settings;
pub mod text;

pub use settings::TeamsSettings;
