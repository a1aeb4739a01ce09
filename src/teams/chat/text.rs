//! The text of a chat message as a person typed it: Teams sends HTML-ish text with the
//! bot's `<at>name</at>` mention first, other tags (`<p>`, `<div>`, `<a href="mailto:…">`),
//! entities (`&amp;`, `&nbsp;`) and non-breaking spaces.

/// The command text of a message: mentions removed, other tags dropped (their text kept),
/// entities decoded, all whitespace (including U+00A0) collapsed to single spaces.
pub fn command_text(raw: &str) -> String {
    let without_tags = strip_tags(raw);
    let decoded = html_escape::decode_html_entities(&without_tags);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes `<at>…</at>` with its content and every other tag (keeping the text between
/// tags). A `<` that starts no tag (`a < b`) is kept; an unclosed `<at>` drops the rest.
fn strip_tags(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let Some(close) = tail.find('>') else {
            out.push_str(tail);
            return out;
        };
        let tag = &tail[1..close];
        if !looks_like_tag(tag) {
            out.push('<');
            rest = &tail[1..];
            continue;
        }
        // A tag ends a word: `status<br>me` is two words.
        out.push(' ');
        rest = &tail[close + 1..];
        if tag_name(tag).eq_ignore_ascii_case("at") && !tag.starts_with('/') {
            rest = match find_ignore_case(rest, "</at>") {
                Some(end) => &rest[end + "</at>".len()..],
                None => "",
            };
        }
    }
    out.push_str(rest);
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

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let lower = haystack.to_ascii_lowercase();
    lower.find(needle)
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
    fn every_mention_is_removed_not_only_the_first() {
        assert_eq!(
            command_text("<at>stepup</at> status <at>Ada Lovelace</at>"),
            "status"
        );
    }
}
