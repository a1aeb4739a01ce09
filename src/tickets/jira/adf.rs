//! Markdown to Atlassian Document Format (ADF), which Jira Cloud's REST v3 takes for
//! descriptions and comments. `pulldown-cmark` parses; this writes a `doc` of paragraphs,
//! headings, code blocks, bullet and ordered lists, quotes and rules, with strong, em,
//! strike, code and link marks. Raw HTML comes out as visible text, never as markup.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
use serde_json::{json, Map, Value};

/// An ADF document (`{"type":"doc","version":1,"content":[…]}`) of a Markdown text.
pub fn document(markdown: &str) -> Value {
    let mut w = Writer {
        stack: vec![Frame::Block {
            node: node("doc"),
            implicit: false,
        }],
    };
    for event in Parser::new(markdown) {
        w.event(event);
    }
    while w.stack.len() > 1 {
        w.pop();
    }
    match w.stack.pop() {
        Some(Frame::Block { mut node, .. }) => {
            node.insert("version".into(), json!(1));
            Value::Object(node)
        }
        _ => json!({ "type": "doc", "version": 1, "content": [] }),
    }
}

/// The plain text of an ADF node (texts concatenated, breaks and blocks as newlines).
pub fn plain_text(node: &Value) -> String {
    let mut out = String::new();
    collect(node, &mut out);
    out.trim_end().to_owned()
}

fn collect(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        Some("hardBreak") => out.push('\n'),
        kind => {
            for child in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect(child, out);
            }
            if matches!(kind, Some("paragraph" | "heading" | "codeBlock")) {
                out.push('\n');
            }
        }
    }
}

/// One open element.
enum Frame {
    /// A block node; `implicit` paragraphs wrap loose inline content (tight list items).
    Block {
        node: Map<String, Value>,
        implicit: bool,
    },
    /// An inline mark applying to the text inside.
    Mark(Value),
    /// A tag ADF has no node for (tables, footnotes…): its content flows into the parent.
    Transparent,
}

struct Writer {
    stack: Vec<Frame>,
}

fn node(kind: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    m.insert("content".into(), json!([]));
    m
}

fn with_attrs(kind: &str, attrs: Value) -> Map<String, Value> {
    let mut m = node(kind);
    m.insert("attrs".into(), attrs);
    m
}

fn kind(node: &Map<String, Value>) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

impl Writer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(_) => self.end(),
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => self.text(&t, false),
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, true),
            Event::SoftBreak => self.text(" ", false),
            Event::HardBreak => self.inline(json!({ "type": "hardBreak" })),
            Event::Rule => self.block(node("rule")),
            Event::FootnoteReference(t) => self.text(&format!("[{t}]"), false),
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }, false),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let block = |n| Frame::Block {
            node: n,
            implicit: false,
        };
        let frame = match tag {
            Tag::Paragraph => block(node("paragraph")),
            Tag::Heading { level, .. } => {
                block(with_attrs("heading", json!({ "level": level as u8 })))
            }
            Tag::BlockQuote(_) => block(node("blockquote")),
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                let language = info.split_whitespace().next().unwrap_or("");
                if language.is_empty() {
                    block(node("codeBlock"))
                } else {
                    block(with_attrs("codeBlock", json!({ "language": language })))
                }
            }
            Tag::CodeBlock(CodeBlockKind::Indented) => block(node("codeBlock")),
            Tag::List(None) => block(node("bulletList")),
            Tag::List(Some(start)) => block(with_attrs("orderedList", json!({ "order": start }))),
            Tag::Item => block(node("listItem")),
            Tag::Emphasis => Frame::Mark(json!({ "type": "em" })),
            Tag::Strong => Frame::Mark(json!({ "type": "strong" })),
            Tag::Strikethrough => Frame::Mark(json!({ "type": "strike" })),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                Frame::Mark(json!({ "type": "link", "attrs": { "href": dest_url.to_string() } }))
            }
            _ => Frame::Transparent,
        };
        if matches!(frame, Frame::Block { .. }) {
            self.close_implicit();
        }
        self.stack.push(frame);
    }

    fn end(&mut self) {
        self.close_implicit();
        self.pop();
    }

    /// Closes an implicit paragraph at the top (before a block starts or its parent ends).
    fn close_implicit(&mut self) {
        if matches!(self.stack.last(), Some(Frame::Block { implicit: true, .. })) {
            self.pop();
        }
    }

    /// Pops the top frame; a block goes into the nearest block below, if worth keeping.
    fn pop(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        if let Some(Frame::Block { mut node, .. }) = self.stack.pop() {
            let empty = node
                .get("content")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            match kind(&node) {
                "paragraph" | "heading" | "blockquote" | "bulletList" | "orderedList" if empty => {
                    return
                }
                "listItem" if empty => {
                    node.insert(
                        "content".into(),
                        json!([{ "type": "paragraph", "content": [] }]),
                    );
                }
                "codeBlock" => trim_code(&mut node),
                "rule" => {
                    node.remove("content");
                }
                _ => {}
            }
            self.append(Value::Object(node));
        }
    }

    /// Appends a child to the nearest block.
    fn append(&mut self, child: Value) {
        let parent = self.stack.iter_mut().rev().find_map(|f| match f {
            Frame::Block { node, .. } => node.get_mut("content").and_then(Value::as_array_mut),
            _ => None,
        });
        if let Some(content) = parent {
            // Adjacent texts with the same marks merge into one node.
            if let (Some(last), Some(text)) = (content.last_mut(), child.get("text")) {
                if last.get("type") == Some(&json!("text"))
                    && last.get("marks") == child.get("marks")
                {
                    let joined = format!(
                        "{}{}",
                        last.get("text").and_then(Value::as_str).unwrap_or(""),
                        text.as_str().unwrap_or("")
                    );
                    last["text"] = json!(joined);
                    return;
                }
            }
            content.push(child);
        }
    }

    /// A block with no content of its own (a rule).
    fn block(&mut self, n: Map<String, Value>) {
        self.close_implicit();
        self.stack.push(Frame::Block {
            node: n,
            implicit: false,
        });
        self.pop();
    }

    /// Text with the open marks (`code` keeps only link marks beside it, as ADF requires).
    fn text(&mut self, text: &str, code: bool) {
        if text.is_empty() {
            return;
        }
        let in_code_block = self.innermost_block_kind() == Some("codeBlock");
        let mut marks: Vec<Value> = if in_code_block {
            Vec::new()
        } else {
            self.stack
                .iter()
                .filter_map(|f| match f {
                    Frame::Mark(m) if !code || m["type"] == "link" => Some(m.clone()),
                    _ => None,
                })
                .collect()
        };
        if code && !in_code_block {
            marks.push(json!({ "type": "code" }));
        }
        let mut n = json!({ "type": "text", "text": text });
        if !marks.is_empty() {
            n["marks"] = Value::Array(marks);
        }
        self.inline(n);
    }

    /// An inline node, inside an implicit paragraph when its block takes only blocks.
    fn inline(&mut self, n: Value) {
        if !matches!(
            self.innermost_block_kind(),
            Some("paragraph" | "heading" | "codeBlock")
        ) {
            let at = self
                .stack
                .iter()
                .rposition(|f| matches!(f, Frame::Block { .. }))
                .map_or(self.stack.len(), |i| i + 1);
            self.stack.insert(
                at,
                Frame::Block {
                    node: node("paragraph"),
                    implicit: true,
                },
            );
        }
        self.append(n);
    }

    fn innermost_block_kind(&self) -> Option<&str> {
        self.stack.iter().rev().find_map(|f| match f {
            Frame::Block { node, .. } => Some(kind(node)),
            _ => None,
        })
    }
}

/// Code blocks keep their text without the final newline, and no empty text node.
fn trim_code(node: &mut Map<String, Value>) {
    if let Some(content) = node.get_mut("content").and_then(Value::as_array_mut) {
        if let Some(last) = content.last_mut() {
            let trimmed = last["text"]
                .as_str()
                .unwrap_or("")
                .trim_end_matches('\n')
                .to_owned();
            last["text"] = json!(trimmed);
        }
        content.retain(|t| t["text"].as_str().is_some_and(|s| !s.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(doc: &Value) -> &Vec<Value> {
        doc["content"].as_array().expect("content")
    }

    #[test]
    fn paragraphs_split_at_blank_lines_and_hard_breaks_stay() {
        let doc = document("first line\nsame paragraph  \nafter a hard break\n\nnext paragraph\n");
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["version"], 1);
        let b = blocks(&doc);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0]["type"], "paragraph");
        assert_eq!(b[0]["content"][0]["text"], "first line same paragraph");
        assert_eq!(b[0]["content"][1]["type"], "hardBreak");
        assert_eq!(b[1]["content"][0]["text"], "next paragraph");
    }

    #[test]
    fn fences_become_code_blocks_with_their_language() {
        let doc = document("Run:\n\n```bash\naz upgrade\n\naz login\n```\n\nThen retry.");
        let b = blocks(&doc);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1]["type"], "codeBlock");
        assert_eq!(b[1]["attrs"]["language"], "bash");
        assert_eq!(b[1]["content"][0]["text"], "az upgrade\n\naz login");
        assert!(b[1]["content"][0].get("marks").is_none());
        assert_eq!(b[2]["content"][0]["text"], "Then retry.");
    }

    #[test]
    fn marks_for_strong_code_and_links() {
        let doc = document("**Account** `svc-deploy` see [docs](https://aka.ms/mfaforazure)");
        let c = &blocks(&doc)[0]["content"];
        assert_eq!(c[0]["text"], "Account");
        assert_eq!(c[0]["marks"], json!([{ "type": "strong" }]));
        assert_eq!(c[2]["text"], "svc-deploy");
        assert_eq!(c[2]["marks"], json!([{ "type": "code" }]));
        assert_eq!(c[4]["text"], "docs");
        assert_eq!(
            c[4]["marks"][0]["attrs"]["href"],
            "https://aka.ms/mfaforazure"
        );
    }

    #[test]
    fn tight_list_items_get_paragraphs_and_lists_nest() {
        let doc = document("- one **bold**\n- two\n  1. nested\n");
        let list = &blocks(&doc)[0];
        assert_eq!(list["type"], "bulletList");
        let first = &list["content"][0];
        assert_eq!(first["type"], "listItem");
        assert_eq!(first["content"][0]["type"], "paragraph");
        assert_eq!(
            first["content"][0]["content"][1]["marks"][0]["type"],
            "strong"
        );
        let second = &list["content"][1];
        assert_eq!(second["content"][1]["type"], "orderedList");
        assert_eq!(second["content"][1]["attrs"]["order"], 1);
        assert_eq!(
            second["content"][1]["content"][0]["content"][0]["content"][0]["text"],
            "nested"
        );
    }

    #[test]
    fn html_is_text_and_no_empty_nodes() {
        let doc = document("## What to do\n\n```\n```\n\n<script>x</script>\n\n---");
        let b = blocks(&doc);
        assert_eq!(b[0]["type"], "heading");
        assert_eq!(b[0]["attrs"]["level"], 2);
        assert_eq!(b[1]["type"], "codeBlock");
        assert!(b[1]["content"].as_array().expect("array").is_empty());
        assert!(plain_text(&doc).contains("<script>x</script>"));
        assert_eq!(b.last().expect("rule")["type"], "rule");
        assert!(!doc.to_string().contains(r#""text":"""#));
    }

    #[test]
    fn plain_text_keeps_the_words() {
        let text = "# Title\nline one\n\n```\ncode\n```";
        assert_eq!(plain_text(&document(text)), "Title\nline one\ncode");
    }

    #[test]
    fn empty_text_is_an_empty_doc() {
        assert!(blocks(&document("")).is_empty());
    }
}
