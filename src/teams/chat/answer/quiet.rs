//! `ack <upn> [note]` and `snooze <upn> <days> [reason]`: quiet an account's reminders,
//! by its owner or an admin, recorded in the account's history (who, when, why).

use serde_json::Value;

use crate::lifecycle::record::{cut, Quiet, QuietError};
use crate::lifecycle::AccountRecord;
use crate::state::update_json;

use super::super::activity::Activity;
use super::super::command::Target;
use super::super::index::ChatIndex;
use super::super::permissions::{may_quiet, Caller, Role};
use super::super::service::ChatService;
use super::{card, find, when};

/// What was asked.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ask<'a> {
    /// An ack with an optional note.
    Ack(Option<&'a str>),
    /// A snooze for days, with an optional reason.
    Snooze(u32, Option<&'a str>),
}

impl Ask<'_> {
    fn verb(&self) -> &'static str {
        match self {
            Ask::Ack(_) => "acknowledge",
            Ask::Snooze(..) => "snooze",
        }
    }
}

/// Checks the caller's right and records the ack or snooze.
pub(super) async fn answer(
    chat: &ChatService,
    activity: &Activity,
    index: &ChatIndex,
    target: &Target,
    ask: Ask<'_>,
) -> Value {
    let account = match find(index, activity, target) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return card(
                "Nothing to quiet",
                vec![format!(
                    "{} is not at risk in the latest scan ({}): there are no reminders to quiet.",
                    if matches!(target, Target::Me) {
                        "Your account".to_string()
                    } else {
                        target.to_string()
                    },
                    when(index.generated_at)
                )],
            )
        }
        Err(card) => return card,
    };
    let name = account.name();
    let key = AccountRecord::key_of(&chat.tenant, &account.user_id);

    let caller = match caller(chat, activity).await {
        Ok(c) => c,
        Err(card) => return card,
    };
    // The record's owner is the one tickets and notices use; the report's is the fallback.
    let owner = match crate::state::get_json::<AccountRecord>(chat.store.as_ref(), &key).await {
        Ok(Some(r)) => r
            .owner
            .map(|o| o.who)
            .or_else(|| account.owner.as_deref().map(str::to_string)),
        Ok(None) => {
            return card(
                "Nothing to quiet yet",
                vec![format!(
                    "{name} has no lifecycle record yet (it gets one, with its ticket, when the scan is reconciled). Try again after the next scan."
                )],
            )
        }
        Err(e) => {
            return card(
                "Cannot read the account now",
                vec![format!("{e}. Try again in a minute.")],
            )
        }
    };
    let role = match may_quiet(&caller, owner.as_deref(), &chat.settings.admins) {
        Ok(role) => role,
        Err(denied) => {
            return card(
                &format!("You may not {} {name}", ask.verb()),
                vec![format!("{}.", capitalise(&denied.to_string()))],
            )
        }
    };
    let by = caller
        .audit_name()
        .unwrap_or_else(|| activity.sender_label());
    let now = chat.now();
    let quiet = match ask {
        Ask::Ack(note) => Quiet::ack(&by, now, note),
        Ask::Snooze(days, reason) => Quiet::snooze(
            &by,
            now,
            i64::from(days),
            i64::from(chat.settings.max_snooze_days),
            reason,
        ),
    };
    let quiet = match quiet {
        Ok(q) => q,
        Err(QuietError::Days { days, max }) => {
            return card(
                "Snooze too long",
                vec![format!(
                    "Snooze for 1 to {max} days (STEPUP_MAX_SNOOZE_DAYS), not {days}."
                )],
            )
        }
        Err(e) => return card("Cannot record that", vec![e.to_string()]),
    };
    let written = update_json::<AccountRecord, _>(chat.store.as_ref(), &key, |r| {
        let Some(mut r) = r else {
            anyhow::bail!("the record was deleted meanwhile");
        };
        r.set_quiet(quiet.clone());
        // set_quiet wrote who, when, until and why; say where and in which right.
        if let Some(line) = r.history.last_mut() {
            line.event = cut(&format!("{} (Teams, as {})", line.event, role.as_str()));
        }
        Ok(r)
    })
    .await;
    match written {
        Ok(_) => confirmation(&name, &quiet, role),
        Err(e) => card(
            "Cannot record that now",
            vec![format!(
                "The account record could not be written: {e}. Try again in a minute."
            )],
        ),
    }
}

/// The sender with the directory's names; a card when the directory cannot answer.
async fn caller(chat: &ChatService, activity: &Activity) -> Result<Caller, Value> {
    let Some(id) = activity.from.aad_object_id else {
        return Ok(Caller::default());
    };
    match chat.directory.upn_and_mail_of(&id).await {
        Ok(person) => Ok(Caller {
            id: Some(id),
            person,
        }),
        Err(e) => Err(card(
            "Cannot check who you are",
            vec![format!("{e}. Try again in a minute.")],
        )),
    }
}

fn confirmation(name: &str, quiet: &Quiet, role: Role) -> Value {
    let what = match quiet.kind {
        crate::lifecycle::QuietKind::Ack => "Acknowledged",
        crate::lifecycle::QuietKind::Snooze => "Snoozed",
    };
    let mut lines = vec![format!(
        "Reminders about {name} are quiet until {} ({} days).",
        quiet.until.date_naive(),
        (quiet.until - quiet.at).num_days()
    )];
    if let Some(reason) = &quiet.reason {
        lines.push(format!("Why: {reason}"));
    }
    lines.push(format!(
        "Recorded in the account's history: by {} as {} at {}.",
        quiet.by,
        role.as_str(),
        when(quiet.at)
    ));
    lines.push("The ticket stays open and the digest still counts the account.".into());
    card(&format!("{what}: {name}"), lines)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
