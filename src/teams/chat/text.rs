//! The text of a chat message as a person typed it: Teams sends HTML-ish text with the
//! bot's `<at>name</at>` mention first, other tags (`<p>`, `<div>`, `<a href="mailto:…">`),
//! entities (`&amp;`, `&nbsp;`) and non-breaking spaces.

use crate::detect::records::de::find_ignore_case;

/// The command text of a message: mentions removed, other tags dropped (their text kept),
/// entities decoded, all whitespace (including U+00A0) collapsed to single spaces.
pub fn command_text(raw: &str) -> String {
    let without_tags = strip_tags(raw);
    let decoded = html_escape::decode_html_entities(&without_tags);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes `<at>…</at>` with its content and every other tag (keeping the text between
/// tags). A `<` that starts no tag (`a < b`) is kept; an unclosed `<at>` drops the rest.
/// Linear in the text, however many `<` and mentions it holds.
fn strip_tags(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    // Where the unread text starts, and the first `>` after the last `<` met (a `<` that
    // starts no tag leaves it ahead: searching again would make the text quadratic).
    let mut at = 0;
    let mut close: Option<usize> = None;
    while let Some(open) = raw[at..].find('<').map(|i| at + i) {
        out.push_str(&raw[at..open]);
        let end = match close {
            Some(c) if c > open => c,
            _ => match raw[open..].find('>') {
                Some(i) => open + i,
                None => {
                    out.push_str(&raw[open..]);
                    return out;
                }
            },
        };
        close = Some(end);
        let tag = &raw[open + 1..end];
        if !looks_like_tag(tag) {
            out.push('<');
            at = open + 1;
            continue;
        }
        // A tag ends a word: `status<br>me` is two words.
        out.push(' ');
        at = end + 1;
        if tag_name(tag).eq_ignore_ascii_case("at") && !tag.starts_with('/') {
            at = match find_ignore_case(&raw[at..], "</at>") {
                Some(i) => at + i + "</at>".len(),
                None => raw.len(),
            };
        }
    }
    out.push_str(&raw[at..]);
    out
}

/// `at`, `/p`, `a href="…"`, `br/`: a name that starts with a letter (or `/` and a letter).
fn looks_like_tag(inner: &str) -> bool {
    let name = inner.strip_prefix('/').unwrap_or(inner);
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// The element name of a tag's inside (`a href=…` → `a`).
fn tag_name(inner: &str) -> &str {
    inner
        .split(|c: char| c.is_whitespace() || c == '/')
        .find(|s| !s.is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_markup_becomes_the_typed_command() {
        for (raw, typed) in [
            ("<at>stepup</at> status", "status"),
            ("<at>StepUp Bot</at>&nbsp;status me", "status me"),
            ("<AT>stepup</AT>\u{a0}help", "help"),
            (
                "<p><at>stepup</at> snooze <a href=\"mailto:svc@contoso.com\">svc@contoso.com</a> 7 change&nbsp;freeze</p>",
                "snooze svc@contoso.com 7 change freeze",
            ),
            (
                "<div><div><at>stepup</at> ack svc@contoso.com fixing &amp; testing &lt;today&gt;</div></div>",
                "ack svc@contoso.com fixing & testing <today>",
            ),
            ("<at>stepup</at> owner<br>platform@contoso.com", "owner platform@contoso.com"),
            ("  status \n\t  ", "status"),
            ("<at>stepup</at> ack a@b.io 1 < 2", "ack a@b.io 1 < 2"),
            ("<at>stepup", ""),
            ("scan <unclosed", "scan <unclosed"),
            ("&#115;tatus &#x6D;e", "status me"),
            ("", ""),
        ] {
            assert_eq!(command_text(raw), typed, "{raw:?}");
        }
    }

    #[test]
    fn many_mentions_and_stray_brackets_read_like_few() {
        // Each mention used to lowercase the whole rest of the text, and each stray `<`
        // searched it again for a `>`: a 250 KB message took minutes. The same text, with
        // the same meaning, now reads in one pass.
        let mentions = "<at>stepup</at>".repeat(20_000);
        assert_eq!(command_text(&format!("{mentions} status me")), "status me");
        let brackets = "< ".repeat(100_000);
        let text = command_text(&format!("ack a@b.io {brackets}>"));
        assert!(
            text.starts_with("ack a@b.io < < <") && text.ends_with("< >"),
            "{}",
            &text[..40]
        );
        assert_eq!(text.matches('<').count(), 100_000);
    }

    #[test]
    fn every_mention_is_removed_not_only_the_first() {
        assert_eq!(
            command_text("<at>stepup</at> status <at>Ada Lovelace</at>"),
            "status"
        );
    }
}
