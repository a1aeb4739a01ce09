//! Running a command against stored state: one module per command family. Every answer is
//! an Adaptive Card ([`crate::teams::cards`]), so user-supplied text is always made safe.

mod digest;
mod help;
mod owner;
mod quiet;
mod scan;
mod status;

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::teams::cards::chat_reply;

use super::activity::Activity;
use super::cache::Loaded;
use super::command::{parse, Command, Target};
use super::index::{ChatIndex, IndexedAccount};
use super::rendered::Rendered;
use super::reply::card_message;
use super::service::ChatService;
use super::text::command_text;

pub use help::help_card;

/// At most this many accounts are listed in one answer.
pub const MAX_LINES: usize = 25;

/// An answer: the message activity to reply with, serialized, and the verb for logs.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The command's verb (`help` for anything not understood).
    pub verb: &'static str,
    /// The reply: a message activity carrying one Adaptive Card, as JSON.
    pub message: Bytes,
}

impl Answer {
    fn of(verb: &'static str, card: Value) -> Self {
        // A Value always serializes; the fallback keeps the reply well-formed regardless.
        let message = serde_json::to_vec(&card_message(card)).map_or_else(
            |_| {
                Bytes::from_static(
                    br#"{"type":"message","text":"stepup could not write its answer."}"#,
                )
            },
            Bytes::from,
        );
        Self { verb, message }
    }

    /// The card of the reply (`Null` if the reply carries none).
    pub fn card(&self) -> Value {
        serde_json::from_slice::<Value>(&self.message)
            .ok()
            .and_then(|m| m.pointer("/attachments/0/content").cloned())
            .unwrap_or(Value::Null)
    }
}

/// A card of a title over lines.
pub(super) fn card(title: &str, lines: Vec<String>) -> Value {
    chat_reply(title, &lines)
}

/// Runs the command in `activity`.
pub(super) async fn answer(chat: &ChatService, activity: &Activity) -> Answer {
    let command = match parse(&command_text(&activity.text)) {
        Ok(c) => c,
        Err(e) => {
            let card = help_card(chat.settings.max_snooze_days, Some(&e.to_string()));
            return Answer::of("help", card);
        }
    };
    let verb = command.verb();
    match &command {
        Command::Help => Answer::of(verb, help_card(chat.settings.max_snooze_days, None)),
        Command::Scan => Answer::of(verb, scan::answer(chat, activity).await),
        other => match with_index(chat).await {
            Err(card) => Answer::of(verb, card),
            Ok(index) => {
                let stamp = (index.etag.clone(), chat.now().date_naive());
                let cacheable = Rendered::cacheable(other);
                if cacheable {
                    if let Some(message) = chat.rendered.get(&stamp, other) {
                        return Answer { verb, message };
                    }
                }
                let (card, keep) = run(chat, activity, &index, other).await;
                let answer = Answer::of(verb, card);
                if cacheable && keep {
                    chat.rendered
                        .put(stamp, other.clone(), answer.message.clone());
                }
                answer
            }
        },
    }
}

/// The card, and whether it may be kept for others (false when it reports a passing
/// condition, such as records still being read). Only [`Rendered::cacheable`] commands are
/// kept at all.
async fn run(
    chat: &ChatService,
    activity: &Activity,
    index: &Arc<Loaded<ChatIndex>>,
    command: &Command,
) -> (Value, bool) {
    let i = &index.value;
    let card = match command {
        Command::Digest => return digest::answer(chat, index).await,
        Command::Status => status::tenant(chat, i),
        Command::StatusOf(target) => status::account(chat, activity, i, target).await,
        Command::Owner(target) => owner::answer(chat, activity, i, target).await,
        Command::Ack { account, note } => {
            let ask = quiet::Ask::Ack(note.as_deref());
            quiet::answer(chat, activity, i, account, ask).await
        }
        Command::Snooze {
            account,
            days,
            reason,
        } => {
            let ask = quiet::Ask::Snooze(*days, reason.as_deref());
            quiet::answer(chat, activity, i, account, ask).await
        }
        Command::Help | Command::Scan => help_card(chat.settings.max_snooze_days, None),
    };
    (card, true)
}

/// The index, or the card saying why there is none.
async fn with_index(chat: &ChatService) -> Result<Arc<Loaded<ChatIndex>>, Value> {
    match chat.index().await {
        Ok(Some(index)) => Ok(index),
        Ok(None) => Err(card(
            "No scan yet",
            vec![format!(
                "stepup has not stored a scan of tenant {} yet. Ask for one with `scan`; answers come from its results.",
                chat.tenant
            )],
        )),
        Err(e) => Err(card(
            "Cannot read the latest scan",
            vec![
                format!("The stored scan could not be read: {e}"),
                "Try again in a minute; if it persists, check the function's logs.".into(),
            ],
        )),
    }
}

/// The account a target names in the index, with how to call it in answers.
pub(super) fn find<'a>(
    index: &'a ChatIndex,
    activity: &Activity,
    target: &Target,
) -> Result<Option<&'a IndexedAccount>, Value> {
    Ok(match target {
        Target::Upn(upn) => index.by_upn(upn),
        Target::Id(id) => index.by_id(id),
        Target::Me => index.by_id(&sender_id(activity)?),
    })
}

/// The sender's object id, or the card saying it is missing.
pub(super) fn sender_id(activity: &Activity) -> Result<crate::ids::ObjectId, Value> {
    activity.from.aad_object_id.ok_or_else(|| {
        card(
            "Who are you?",
            vec!["Your message carries no Entra object id (from.aadObjectId), so `me` cannot be resolved. Name the account by UPN instead.".into()],
        )
    })
}

/// `+3`, `−2`, `±0`.
pub(super) fn signed(delta: i64) -> String {
    match delta {
        0 => "±0".into(),
        d if d > 0 => format!("+{d}"),
        d => format!("−{}", -d),
    }
}

/// `2026-11-22 06:00 UTC`.
pub(super) fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
