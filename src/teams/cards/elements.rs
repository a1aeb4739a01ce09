//! Small builders for card elements, and the text hygiene every user-controlled string
//! goes through before it lands in a TextBlock.

use serde_json::{json, Value};

use super::{SCHEMA, VERSION};

/// Longest user-controlled string shown in a card; longer ones are cut with `…`.
pub const MAX_FIELD_CHARS: usize = 300;

/// Someone @mentioned in a card: the `<at>` text in a TextBlock and the matching
/// `msteams.entities` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The UPN or Entra object id Teams resolves.
    pub id: String,
    /// The name shown.
    pub name: String,
}

impl Mention {
    /// A mention of `who` (a UPN), shown by that name.
    pub fn of(who: &str) -> Self {
        Self {
            id: who.to_owned(),
            name: safe_text(who),
        }
    }

    /// The text to put in a TextBlock: `<at>Name</at>`.
    pub fn text(&self) -> String {
        format!("<at>{}</at>", self.name)
    }

    /// The `msteams.entities` entry.
    fn entity(&self) -> Value {
        json!({
            "type": "mention",
            "text": self.text(),
            "mentioned": { "id": self.id, "name": self.name },
        })
    }
}

/// A user-controlled string made safe for a TextBlock: angle brackets become look-alikes
/// (so `<at>` cannot fake a mention), control characters become spaces, markdown link
/// brackets are neutralised, and the text is cut at [`MAX_FIELD_CHARS`].
pub fn safe_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_FIELD_CHARS * 4));
    for (i, c) in raw.chars().enumerate() {
        if i == MAX_FIELD_CHARS {
            out.push('…');
            break;
        }
        out.push(match c {
            '<' => '‹',
            '>' => '›',
            '[' => '⁅',
            ']' => '⁆',
            c if c.is_control() => ' ',
            c => c,
        });
    }
    out
}

/// A card of `body` elements with optional top-level `actions` and mentions.
pub fn adaptive_card(body: Vec<Value>, actions: Vec<Value>, mentions: &[Mention]) -> Value {
    let mut card = json!({
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": VERSION,
        "body": body,
    });
    if !actions.is_empty() {
        card["actions"] = Value::Array(actions);
    }
    let mut msteams = json!({ "width": "Full" });
    if !mentions.is_empty() {
        msteams["entities"] = mentions.iter().map(Mention::entity).collect();
    }
    card["msteams"] = msteams;
    card
}

/// A wrapped TextBlock (text is used as given: pass user data through [`safe_text`]).
pub fn text(text: impl Into<String>) -> Value {
    json!({ "type": "TextBlock", "text": text.into(), "wrap": true })
}

/// A large bold heading.
pub fn heading(text: impl Into<String>) -> Value {
    json!({
        "type": "TextBlock", "text": text.into(), "wrap": true,
        "size": "Large", "weight": "Bolder", "style": "heading",
    })
}

/// A bold sub-heading with space above it.
pub fn subheading(text: impl Into<String>) -> Value {
    json!({
        "type": "TextBlock", "text": text.into(), "wrap": true,
        "weight": "Bolder", "spacing": "Medium",
    })
}

/// A de-emphasised small TextBlock.
pub fn note(text: impl Into<String>) -> Value {
    json!({
        "type": "TextBlock", "text": text.into(), "wrap": true,
        "size": "Small", "isSubtle": true,
    })
}

/// A TextBlock in a colour: `Attention`, `Warning`, `Good`, `Accent`.
pub fn colored(text: impl Into<String>, color: &str) -> Value {
    json!({
        "type": "TextBlock", "text": text.into(), "wrap": true,
        "color": color, "weight": "Bolder",
    })
}

/// Code to copy: one monospace TextBlock per line (so line breaks survive every renderer),
/// leading indentation kept as non-breaking spaces, in a plain container that stands out
/// from the emphasised account section around it.
pub fn code(code: &str) -> Value {
    let lines: Vec<Value> = code
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            let kept = format!("{}{}", "\u{a0}".repeat(indent), &line[indent..]);
            json!({
                "type": "TextBlock",
                "text": if kept.is_empty() { "\u{a0}".to_owned() } else { kept },
                "wrap": true, "fontType": "Monospace", "size": "Small", "spacing": "None",
            })
        })
        .collect();
    json!({ "type": "Container", "style": "default", "items": lines, "spacing": "Small" })
}

/// A FactSet of `(title, value)` pairs.
pub fn facts(pairs: &[(String, String)]) -> Value {
    let facts: Vec<Value> = pairs
        .iter()
        .map(|(t, v)| json!({ "title": t, "value": v }))
        .collect();
    json!({ "type": "FactSet", "facts": facts })
}

/// A Container of `items`, optionally emphasised and separated from what is above.
pub fn container(items: Vec<Value>, style: Option<&str>, separator: bool) -> Value {
    let mut c = json!({ "type": "Container", "items": items, "spacing": "Medium" });
    if let Some(style) = style {
        c["style"] = json!(style);
    }
    if separator {
        c["separator"] = json!(true);
    }
    c
}

/// An `Action.OpenUrl` button.
pub fn open_url(title: impl Into<String>, url: &str) -> Value {
    json!({ "type": "Action.OpenUrl", "title": title.into(), "url": url })
}

/// An ActionSet element holding `actions`.
pub fn action_set(actions: Vec<Value>) -> Value {
    json!({ "type": "ActionSet", "actions": actions })
}

/// The colour Teams uses for a severity.
pub fn severity_color(severity: crate::detect::model::Severity) -> &'static str {
    use crate::detect::model::Severity;
    match severity {
        Severity::Critical => "Attention",
        Severity::High => "Warning",
        Severity::Medium => "Accent",
        Severity::Low => "Default",
    }
}

/// A markdown bullet list of already-safe lines, with "and N more" when `more` > 0.
pub fn bullets(lines: &[String], more: usize) -> Value {
    let mut all: Vec<String> = lines.iter().map(|l| format!("- {l}")).collect();
    if more > 0 {
        all.push(format!("- …and {more} more"));
    }
    text(all.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_text_cannot_fake_a_mention_or_a_link() {
        let s = safe_text("<at>Boss</at> [click](https://evil)\u{7}x");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('['));
        assert!(s.contains("‹at›Boss‹/at›"));
        assert!(s.ends_with(" x"));
    }

    #[test]
    fn safe_text_cuts_long_strings() {
        let long = "a".repeat(MAX_FIELD_CHARS + 50);
        let s = safe_text(&long);
        assert_eq!(s.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(safe_text("short"), "short");
    }

    #[test]
    fn code_keeps_lines_and_indentation() {
        let c = code("resource \"x\" {\n  a = 1\n}");
        let items = c["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[1]["text"], "\u{a0}\u{a0}a = 1");
        assert!(items.iter().all(|i| i["fontType"] == "Monospace"));
    }

    #[test]
    fn mentions_match_their_text() {
        let m = Mention::of("<at>x</at>@contoso.com");
        let card = adaptive_card(vec![text(m.text())], vec![], std::slice::from_ref(&m));
        let entity = &card["msteams"]["entities"][0];
        assert_eq!(entity["text"], card["body"][0]["text"]);
        assert_eq!(entity["text"], "<at>‹at›x‹/at›@contoso.com</at>");
        assert_eq!(entity["mentioned"]["id"], "<at>x</at>@contoso.com");
        assert_eq!(card["version"], "1.5");
    }
}
