//! Chat commands (DESIGN.md §7), parsed from the cleaned message text ([`super::text`]):
//! `help`, `status`, `status <upn|me>`, `owner <upn|me>`, `digest`, `scan`,
//! `ack <upn> [note]`, `snooze <upn> <days> [reason]`. Verbs are case-insensitive.

use std::fmt;

use crate::ids::ObjectId;

/// The longest note or reason, in characters.
pub const MAX_NOTE_CHARS: usize = 280;
/// The longest UPN accepted, in characters.
pub const MAX_UPN_CHARS: usize = 256;

/// An account or a person named in a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// The sender (their Entra object id).
    Me,
    /// A UPN (or e-mail address), lowercased.
    Upn(String),
    /// An object id.
    Id(ObjectId),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Me => f.write_str("me"),
            Target::Upn(upn) => f.write_str(upn),
            Target::Id(id) => id.fmt(f),
        }
    }
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// What the bot understands.
    Help,
    /// The tenant's readiness.
    Status,
    /// One account's state.
    StatusOf(Target),
    /// The accounts an owner has open.
    Owner(Target),
    /// The readiness digest card.
    Digest,
    /// Queue a scan now.
    Scan,
    /// Quiet reminders about an account for a while ("I know, I'm on it").
    Ack {
        /// The account.
        account: Target,
        /// Why, as given.
        note: Option<String>,
    },
    /// Quiet reminders about an account for `days`.
    Snooze {
        /// The account.
        account: Target,
        /// How long (bounded by `STEPUP_MAX_SNOOZE_DAYS` when run).
        days: u32,
        /// Why, as given.
        reason: Option<String>,
    },
}

impl Command {
    /// The verb, for logs.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Status | Command::StatusOf(_) => "status",
            Command::Owner(_) => "owner",
            Command::Digest => "digest",
            Command::Scan => "scan",
            Command::Ack { .. } => "ack",
            Command::Snooze { .. } => "snooze",
        }
    }
}

/// Why a message is not a command. The text is shown to the sender above the help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but the mention.
    #[error("the message has no command")]
    Empty,
    /// An unknown verb.
    #[error("{0:?} is not a command")]
    Unknown(String),
    /// An argument is missing.
    #[error("{verb} needs {what}")]
    Missing {
        /// The verb.
        verb: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// Words after a command that takes none (or fewer).
    #[error("{verb} takes {takes}, not {extra:?}")]
    Extra {
        /// The verb.
        verb: &'static str,
        /// What it takes.
        takes: &'static str,
        /// The surplus text (cut).
        extra: String,
    },
    /// Not a UPN, `me` or an object id.
    #[error("{0:?} is not a UPN (name@domain), an object id or \"me\"")]
    Account(String),
    /// Not a number of days.
    #[error("{0:?} is not a number of days (for example 7 or 7d)")]
    Days(String),
    /// A note or reason over [`MAX_NOTE_CHARS`].
    #[error("the note is {0} characters long; at most {MAX_NOTE_CHARS} are kept")]
    NoteTooLong(usize),
}

/// Parses a cleaned message text.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Err(ParseError::Empty);
    };
    let rest: Vec<&str> = words.collect();
    match verb.to_ascii_lowercase().as_str() {
        "help" | "?" => Ok(Command::Help),
        "digest" => none("digest", &rest).map(|()| Command::Digest),
        "scan" => none("scan", &rest).map(|()| Command::Scan),
        "status" => match rest.as_slice() {
            [] => Ok(Command::Status),
            [who] => target(who).map(Command::StatusOf),
            [_, extra @ ..] => Err(extra_words("status", "one account", extra)),
        },
        "owner" => match rest.as_slice() {
            [] => Err(ParseError::Missing {
                verb: "owner",
                what: "the owner's UPN (or me)",
            }),
            [who] => target(who).map(Command::Owner),
            [_, extra @ ..] => Err(extra_words("owner", "one owner", extra)),
        },
        "ack" => match rest.as_slice() {
            [] => Err(ParseError::Missing {
                verb: "ack",
                what: "the account's UPN",
            }),
            [who, note @ ..] => Ok(Command::Ack {
                account: target(who)?,
                note: note_of(note)?,
            }),
        },
        "snooze" => match rest.as_slice() {
            [] => Err(ParseError::Missing {
                verb: "snooze",
                what: "the account's UPN and a number of days",
            }),
            [_] => Err(ParseError::Missing {
                verb: "snooze",
                what: "a number of days after the UPN",
            }),
            [who, days, reason @ ..] => Ok(Command::Snooze {
                account: target(who)?,
                days: days_of(days)?,
                reason: note_of(reason)?,
            }),
        },
        other => Err(ParseError::Unknown(cut(other, 40))),
    }
}

fn none(verb: &'static str, rest: &[&str]) -> Result<(), ParseError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(extra_words(verb, "no arguments", rest))
    }
}

fn extra_words(verb: &'static str, takes: &'static str, extra: &[&str]) -> ParseError {
    ParseError::Extra {
        verb,
        takes,
        extra: cut(&extra.join(" "), 40),
    }
}

fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// `me`, an object id, or a UPN (a `mailto:` prefix Teams may add is dropped).
fn target(word: &str) -> Result<Target, ParseError> {
    if word.eq_ignore_ascii_case("me") {
        return Ok(Target::Me);
    }
    if let Ok(id) = ObjectId::parse(word) {
        return Ok(Target::Id(id));
    }
    let upn = word
        .strip_prefix("mailto:")
        .unwrap_or(word)
        .trim_end_matches(['.', ',', ';']);
    if is_upn(upn) {
        Ok(Target::Upn(upn.to_ascii_lowercase()))
    } else {
        Err(ParseError::Account(cut(word, 80)))
    }
}

/// Whether `text` looks like a UPN: `local@domain.tld`, where the local part may carry the
/// characters Entra allows (guests' `#EXT#` included) and the domain is dot-separated labels
/// of letters, digits and hyphens.
pub fn is_upn(text: &str) -> bool {
    if text.chars().count() > MAX_UPN_CHARS {
        return false;
    }
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._-+'#!$%&*=?^`{|}~".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// `7`, `7d`, `7days`, `1day` → 7 (1 ≤ days ≤ 3650; the setting bounds it further).
fn days_of(word: &str) -> Result<u32, ParseError> {
    let lower = word.to_ascii_lowercase();
    let digits = lower
        .strip_suffix("days")
        .or_else(|| lower.strip_suffix("day"))
        .or_else(|| lower.strip_suffix('d'))
        .unwrap_or(&lower);
    match digits.parse::<u32>() {
        Ok(n) if (1..=3650).contains(&n) => Ok(n),
        _ => Err(ParseError::Days(cut(word, 20))),
    }
}

/// The words of a note joined, `None` when empty; at most [`MAX_NOTE_CHARS`].
fn note_of(words: &[&str]) -> Result<Option<String>, ParseError> {
    let note = words.join(" ");
    let chars = note.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(ParseError::NoteTooLong(chars));
    }
    Ok((!note.is_empty()).then_some(note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upn(s: &str) -> Target {
        Target::Upn(s.into())
    }

    #[test]
    fn commands_parse_from_what_people_type() {
        let id = ObjectId::parse("6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11").unwrap();
        for (text, expected) in [
            ("help", Command::Help),
            ("HELP me please", Command::Help),
            ("status", Command::Status),
            ("Status me", Command::StatusOf(Target::Me)),
            ("status ME", Command::StatusOf(Target::Me)),
            (
                "status Svc-Deploy@Contoso.com",
                Command::StatusOf(upn("svc-deploy@contoso.com")),
            ),
            (
                "status mailto:svc@contoso.com",
                Command::StatusOf(upn("svc@contoso.com")),
            ),
            (
                "status alice_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                Command::StatusOf(upn("alice_fabrikam.com#ext#@contoso.onmicrosoft.com")),
            ),
            (
                "status 6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11",
                Command::StatusOf(Target::Id(id)),
            ),
            (
                "owner platform@contoso.com",
                Command::Owner(upn("platform@contoso.com")),
            ),
            ("owner me", Command::Owner(Target::Me)),
            ("digest", Command::Digest),
            ("SCAN", Command::Scan),
            (
                "ack svc@contoso.com",
                Command::Ack {
                    account: upn("svc@contoso.com"),
                    note: None,
                },
            ),
            (
                "ack svc@contoso.com moving to a managed identity",
                Command::Ack {
                    account: upn("svc@contoso.com"),
                    note: Some("moving to a managed identity".into()),
                },
            ),
            (
                "snooze svc@contoso.com 7 change freeze",
                Command::Snooze {
                    account: upn("svc@contoso.com"),
                    days: 7,
                    reason: Some("change freeze".into()),
                },
            ),
            (
                "Snooze svc@contoso.com 14d",
                Command::Snooze {
                    account: upn("svc@contoso.com"),
                    days: 14,
                    reason: None,
                },
            ),
            (
                "snooze svc@contoso.com 1day",
                Command::Snooze {
                    account: upn("svc@contoso.com"),
                    days: 1,
                    reason: None,
                },
            ),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        let long = format!("ack svc@contoso.com {}", "x".repeat(MAX_NOTE_CHARS + 1));
        for (text, expected) in [
            ("", ParseError::Empty),
            ("deploy", ParseError::Unknown("deploy".into())),
            (
                "owner",
                ParseError::Missing {
                    verb: "owner",
                    what: "the owner's UPN (or me)",
                },
            ),
            (
                "ack",
                ParseError::Missing {
                    verb: "ack",
                    what: "the account's UPN",
                },
            ),
            (
                "snooze svc@contoso.com",
                ParseError::Missing {
                    verb: "snooze",
                    what: "a number of days after the UPN",
                },
            ),
            (
                "snooze svc@contoso.com soon",
                ParseError::Days("soon".into()),
            ),
            ("snooze svc@contoso.com 0", ParseError::Days("0".into())),
            ("snooze svc@contoso.com -3", ParseError::Days("-3".into())),
            (
                "snooze svc@contoso.com 99999",
                ParseError::Days("99999".into()),
            ),
            ("status bob", ParseError::Account("bob".into())),
            (
                "status bob@localhost",
                ParseError::Account("bob@localhost".into()),
            ),
            ("status a@b..com", ParseError::Account("a@b..com".into())),
            (
                "ack <script>@x.com",
                ParseError::Account("<script>@x.com".into()),
            ),
            (
                "status a@b.com c@d.com",
                ParseError::Extra {
                    verb: "status",
                    takes: "one account",
                    extra: "c@d.com".into(),
                },
            ),
            (
                "digest now",
                ParseError::Extra {
                    verb: "digest",
                    takes: "no arguments",
                    extra: "now".into(),
                },
            ),
            (long.as_str(), ParseError::NoteTooLong(MAX_NOTE_CHARS + 1)),
        ] {
            assert_eq!(parse(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn upns_are_checked_not_guessed() {
        for good in [
            "a@b.co",
            "first.last@contoso.com",
            "o'brien@contoso.ie",
            "svc-deploy+ci@sub.contoso.co.uk",
            "bg-admin01@contoso.onmicrosoft.com",
        ] {
            assert!(is_upn(good), "{good}");
        }
        let long = format!("{}@contoso.com", "a".repeat(MAX_UPN_CHARS));
        for bad in [
            "",
            "@contoso.com",
            "a@",
            "a@com",
            ".a@b.com",
            "a b@c.com",
            "a@-b.com",
            "a@b_c.com",
            long.as_str(),
        ] {
            assert!(!is_upn(bad), "{bad}");
        }
    }
}
