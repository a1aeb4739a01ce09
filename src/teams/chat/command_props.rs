//! Property tests of the chat front end: whatever a person types, wrapped in the markup Teams
//! adds, comes back as the command they typed; the bot's mention is never part of it; and a
//! reason for refusing a message stays one short line, whatever was typed.

use proptest::prelude::*;

use super::command::{parse, Command, Target, MAX_NOTE_CHARS};
use super::text::command_text;
use crate::ids::ObjectId;

/// A UPN the parser must accept: ASCII local part (with the punctuation Entra allows, `&`
/// included so that entity decoding is exercised) and two to four domain labels.
fn upn() -> impl Strategy<Value = String> {
    let local = "[a-z0-9]([a-z0-9._+'&#-]{0,10}[a-z0-9])?";
    let label = "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?";
    (local, prop::collection::vec(label, 2..=4))
        .prop_map(|(local, labels)| format!("{local}@{}", labels.join(".")))
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        Just(Target::Me),
        upn().prop_map(Target::Upn),
        any::<u128>().prop_map(|n| Target::Id(ObjectId::from_uuid(uuid::Uuid::from_u128(n)))),
    ]
}

/// Words of a note: any characters but whitespace, up to the note limit.
fn note() -> impl Strategy<Value = Option<String>> {
    prop::collection::vec("[^\\s]{1,12}", 0..6).prop_map(|words| {
        let note = words.join(" ");
        (!note.is_empty() && note.chars().count() <= MAX_NOTE_CHARS).then_some(note)
    })
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Help),
        Just(Command::Status),
        Just(Command::Digest),
        Just(Command::Scan),
        target().prop_map(Command::StatusOf),
        target().prop_map(Command::Owner),
        (target(), note()).prop_map(|(account, note)| Command::Ack { account, note }),
        (target(), 1u32..=3650, note()).prop_map(|(account, days, reason)| Command::Snooze {
            account,
            days,
            reason
        }),
    ]
}

/// How a person may write a command: the verb in any case, an account in any case (or with
/// the `mailto:` Teams adds to links), an object id in any GUID form, days with a unit.
#[derive(Debug, Clone)]
struct Style {
    upper: Vec<bool>,
    mailto: bool,
    braced: bool,
    unit: &'static str,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::collection::vec(any::<bool>(), 8),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(&["", "d", "D", "day", "days", "DAYS"][..]),
    )
        .prop_map(|(upper, mailto, braced, unit)| Style {
            upper,
            mailto,
            braced,
            unit,
        })
}

fn cased(word: &str, style: &Style) -> String {
    word.chars()
        .zip(style.upper.iter().cycle())
        .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
        .collect()
}

fn typed_target(t: &Target, style: &Style) -> String {
    match t {
        Target::Me => cased("me", style),
        Target::Upn(upn) if style.mailto => format!("mailto:{}", cased(upn, style)),
        Target::Upn(upn) => cased(upn, style),
        Target::Id(id) if style.braced => format!("{{{}}}", id.to_string().to_uppercase()),
        Target::Id(id) => id.to_string(),
    }
}

/// The words a person types for `c`.
fn typed(c: &Command, style: &Style) -> Vec<String> {
    let mut words = vec![cased(c.verb(), style)];
    let note_words = |note: &Option<String>, words: &mut Vec<String>| {
        words.extend(note.iter().flat_map(|n| n.split(' ').map(str::to_string)));
    };
    match c {
        Command::Help | Command::Status | Command::Digest | Command::Scan => {}
        Command::StatusOf(t) | Command::Owner(t) => words.push(typed_target(t, style)),
        Command::Ack { account, note } => {
            words.push(typed_target(account, style));
            note_words(note, &mut words);
        }
        Command::Snooze {
            account,
            days,
            reason,
        } => {
            words.push(typed_target(account, style));
            words.push(format!("{days}{}", style.unit));
            note_words(reason, &mut words);
        }
    }
    words
}

/// What Teams may put between words: blanks, non-breaking spaces (raw or as an entity),
/// line breaks as text or as tags.
const SEPARATORS: [&str; 7] = [" ", "  ", "\u{a0}", "&nbsp;", "\t", "<br>", "\n"];

/// The message as Teams posts it: HTML-escaped words, the bot's mention first, and maybe a
/// paragraph around it all.
fn markup(words: &[String], bot: &str, seps: &[usize], wrap: bool) -> String {
    let mut body = format!("<at>{bot}</at>");
    for (i, w) in words.iter().enumerate() {
        body.push_str(SEPARATORS[seps[i % seps.len()]]);
        body.push_str(&html_escape::encode_text(w));
    }
    if wrap {
        format!("<p>{body}</p>")
    } else {
        body
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_typed_command_survives_teams_markup(
        command in command(),
        style in style(),
        bot in "[A-Za-z][A-Za-z ]{0,12}",
        seps in prop::collection::vec(0..SEPARATORS.len(), 1..4),
        wrap in any::<bool>(),
    ) {
        let message = markup(&typed(&command, &style), &bot, &seps, wrap);
        prop_assert_eq!(parse(&command_text(&message)), Ok(command), "{:?}", message);
    }

    #[test]
    fn the_mention_is_never_part_of_the_command(
        bot in "[^<]{0,20}",
        sep in prop::sample::select(&["", " ", "\u{a0}", "<br/>"][..]),
        rest in any::<String>(),
    ) {
        let mentioned = format!("<at>{bot}</at>{sep}{rest}");
        prop_assert_eq!(command_text(&mentioned), command_text(&rest));
    }

    #[test]
    fn a_refusal_is_one_short_line(raw in any::<String>(), long in "[^\\s]{200,400}") {
        for text in [raw.clone(), format!("status {long}"), format!("{long} x"), format!("digest {raw}")] {
            if let Err(e) = parse(&text) {
                let reason = e.to_string();
                prop_assert!(!reason.contains('\n'), "{:?}", reason);
                prop_assert!(reason.chars().count() <= 1000, "{} chars", reason.chars().count());
            }
        }
    }
}
