//! Markdown to HTML for systems whose fields take HTML (Azure DevOps description and
//! history). Raw HTML in the Markdown is escaped, never passed through.

use pulldown_cmark::{html, Event, Options, Parser};

/// Renders Markdown as HTML; embedded HTML comes out as visible, escaped text.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_lists_and_code_and_escapes_html() {
        let html = to_html("**Account** `svc`\n\n- one\n- two <script>x</script>");
        assert!(html.contains("<strong>Account</strong>"), "{html}");
        assert!(html.contains("<code>svc</code>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
