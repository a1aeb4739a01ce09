//! The text of a Service Health communication: the common schema sends HTML
//! (`<p>…</p>`, `<br>`, `&nbsp;`, links), the legacy one text with the odd entity.

use quick_xml::escape::{resolve_html5_entity, unescape_with};

/// Tags after which the text breaks a line.
const BLOCK_TAGS: &[&str] = &[
    "p", "br", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// The readable text of an HTML fragment: tags dropped (block tags become line breaks),
/// entities decoded, runs of blanks collapsed. Plain text comes back unchanged but for
/// blanks; text that is not well-formed HTML is read as well as it can be.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) => {
                let tag = after[..close]
                    .trim_start_matches('/')
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                out.push(if BLOCK_TAGS.contains(&tag.as_str()) {
                    '\n'
                } else {
                    ' '
                });
                rest = &after[close + 1..];
            }
            None => {
                // A lone `<` (as in "a < b"): no `>` follows, so no later `<` opens a tag
                // either: the rest is text (searching again for each `<` would be quadratic).
                out.push('<');
                out.push_str(after);
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes HTML entities; a text with a broken entity is decoded piece by piece, the broken
/// part left as written.
fn decode_entities(text: &str) -> String {
    if let Ok(decoded) = unescape_with(text, resolve_html5_entity) {
        return decoded.replace('\u{a0}', " ");
    }
    text.split_inclusive(';')
        .map(|piece| match unescape_with(piece, resolve_html5_entity) {
            Ok(decoded) => decoded.into_owned(),
            Err(_) => piece.to_string(),
        })
        .collect::<String>()
        .replace('\u{a0}', " ")
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn html_becomes_lines_of_text() {
        let html = "<p><strong>Action required:</strong>&nbsp;enable MFA</p><p>Starting \
                    <em>October&nbsp;1, 2025</em> &amp; later &#8211; see <a href=\"https://aka.ms/x\">this</a>.</p>";
        assert_eq!(
            text_of(html),
            "Action required: enable MFA\nStarting October 1, 2025 & later \u{2013} see this ."
        );
    }

    #[test]
    fn many_lone_brackets_are_text_read_in_one_pass() {
        // Each lone `<` used to search the whole rest for a `>`: quadratic in the text.
        let text = text_of(&"a < b ".repeat(50_000));
        assert_eq!(text.len(), "a < b ".len() * 50_000 - 1);
        assert!(text.starts_with("a < b a < b"));
    }

    #[test]
    fn plain_and_broken_text_survive() {
        assert_eq!(
            text_of("a < b and c &unknown; d &amp; e"),
            "a < b and c &unknown; d & e"
        );
        assert_eq!(text_of("Tom &amp Jerry"), "Tom &amp Jerry");
        assert_eq!(text_of(""), "");
        assert_eq!(
            text_of("&quot;deallocated&quot; state"),
            "\"deallocated\" state"
        );
    }
}
