//! A minimal Atlassian Document Format (ADF) writer: Markdown-ish text becomes a `doc` of
//! headings, paragraphs (lines joined by hard breaks) and fenced code blocks. Jira Cloud's
//! REST v3 takes descriptions and comments only in ADF.

use serde_json::{json, Value};

/// An ADF document (`{"type":"doc","version":1,"content":[…]}`) of the given text.
///
/// `#`-headings become `heading` nodes, ```` ``` ```` fences become `codeBlock` nodes (with
/// the fence's language), runs of other lines become paragraphs split at blank lines. ADF
/// forbids empty text nodes, so none are written.
pub fn document(text: &str) -> Value {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut code: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        if let Some((language, lines)) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(code_block(language, &lines.join("\n")));
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if let Some(language) = trimmed.strip_prefix("```") {
            flush(&mut paragraph, &mut blocks);
            code = Some((language.trim().to_owned(), Vec::new()));
        } else if trimmed.is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else if let Some((level, title)) = heading(trimmed) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(json!({
                "type": "heading",
                "attrs": { "level": level },
                "content": [text_node(title)],
            }));
        } else {
            paragraph.push(line.trim_end());
        }
    }
    if let Some((language, lines)) = code {
        // An unclosed fence still shows its content as code.
        blocks.push(code_block(&language, &lines.join("\n")));
    }
    flush(&mut paragraph, &mut blocks);
    json!({ "type": "doc", "version": 1, "content": blocks })
}

/// The plain text of an ADF node (texts concatenated, hard breaks and blocks as newlines).
pub fn plain_text(node: &Value) -> String {
    let mut out = String::new();
    collect(node, &mut out);
    out.trim_end().to_owned()
}

fn collect(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        Some("hardBreak") => out.push('\n'),
        _ => {
            for child in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect(child, out);
            }
            if matches!(
                node.get("type").and_then(Value::as_str),
                Some("paragraph" | "heading" | "codeBlock")
            ) {
                out.push('\n');
            }
        }
    }
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let title = line[level..].strip_prefix(' ')?.trim();
    ((1..=6).contains(&level) && !title.is_empty()).then_some((level, title))
}

fn flush(paragraph: &mut Vec<&str>, blocks: &mut Vec<Value>) {
    if paragraph.is_empty() {
        return;
    }
    let mut content = Vec::new();
    for (i, line) in paragraph.iter().enumerate() {
        if i > 0 {
            content.push(json!({ "type": "hardBreak" }));
        }
        content.push(text_node(line));
    }
    blocks.push(json!({ "type": "paragraph", "content": content }));
    paragraph.clear();
}

fn code_block(language: &str, code: &str) -> Value {
    let content: Vec<Value> = if code.is_empty() {
        Vec::new()
    } else {
        vec![text_node(code)]
    };
    if language.is_empty() {
        json!({ "type": "codeBlock", "content": content })
    } else {
        json!({ "type": "codeBlock", "attrs": { "language": language }, "content": content })
    }
}

fn text_node(text: &str) -> Value {
    json!({ "type": "text", "text": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines_and_keep_line_breaks() {
        let doc = document("first line\nsecond line\n\nnext paragraph\n");
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["version"], 1);
        let blocks = doc["content"].as_array().unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0]["type"], "paragraph");
        assert_eq!(blocks[0]["content"][1]["type"], "hardBreak");
        assert_eq!(blocks[0]["content"][2]["text"], "second line");
        assert_eq!(blocks[1]["content"][0]["text"], "next paragraph");
    }

    #[test]
    fn fences_become_code_blocks_with_their_language() {
        let doc = document("Run:\n```bash\naz upgrade\n\naz login\n```\nThen retry.");
        let blocks = doc["content"].as_array().unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1]["type"], "codeBlock");
        assert_eq!(blocks[1]["attrs"]["language"], "bash");
        assert_eq!(blocks[1]["content"][0]["text"], "az upgrade\n\naz login");
        assert_eq!(blocks[2]["content"][0]["text"], "Then retry.");
    }

    #[test]
    fn headings_and_no_empty_text_nodes() {
        let doc = document("## What to do\n\n```\n```\n#nothashtag");
        let blocks = doc["content"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "heading");
        assert_eq!(blocks[0]["attrs"]["level"], 2);
        assert_eq!(blocks[1]["type"], "codeBlock");
        assert!(blocks[1]["content"].as_array().unwrap().is_empty());
        assert_eq!(blocks[2]["type"], "paragraph");
        assert!(!doc.to_string().contains(r#""text":"""#));
    }

    #[test]
    fn plain_text_round_trips_the_words() {
        let text = "# Title\nline one\nline two\n\n```\ncode\n```";
        assert_eq!(
            plain_text(&document(text)),
            "Title\nline one\nline two\ncode"
        );
    }

    #[test]
    fn empty_text_is_an_empty_doc() {
        assert!(document("")["content"].as_array().unwrap().is_empty());
    }
}
