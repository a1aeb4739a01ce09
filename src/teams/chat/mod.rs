//! Teams chat commands over an outgoing webhook (DESIGN.md §7).
//!
//! A person @mentions the webhook in a channel; Teams posts the message activity to
//! `/api/teams` signed with `Authorization: HMAC …` and shows the synchronous answer in the
//! thread if it comes within 5 seconds. The HTTP function (`crate::app`) checks the request;
//! this module does the rest:
//! - [`hmac`]: the signature check (constant time), [`settings`]: secret, admins, bounds;
//! - [`activity`]: the activity's fields, and the replay window;
//! - [`text`] and [`command`]: from Teams' HTML-ish text to a [`command::Command`];
//! - [`service`]: runs a command from stored state — [`index`] (the latest report in
//!   memory, rebuilt through [`cache`] when its version changes), [`records`] (the digest's
//!   lists), [`people`]/[`directory`] (who the sender is), [`permissions`] (who may ack
//!   or snooze), [`rendered`] (answers that depend only on stored state, kept serialized);
//! - [`reply`]: the answer as the activity Teams expects.

pub mod activity;
mod answer;
pub mod cache;
pub mod command;
pub mod directory;
pub mod hmac;
pub mod index;
pub mod people;
pub mod permissions;
pub mod records;
pub mod rendered;
pub mod reply;
pub mod service;
pub mod settings;
pub mod text;

#[cfg(test)]
mod command_props;
#[cfg(test)]
mod service_tests;

pub use activity::Activity;
pub use answer::{help_card, Answer, MAX_LINES};
pub use directory::{Directory, DirectoryError, MemoryDirectory, Person};
pub use hmac::{verify_any, AuthError, HmacKey};
pub use people::{PeopleIndex, StateDirectory};
pub use service::{ChatDeps, ChatService};
pub use settings::{Admins, ChatSettings};
