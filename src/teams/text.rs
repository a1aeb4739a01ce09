//! A plain-text rendering of an Adaptive Card, for the outbox and for people reading it in
//! a terminal: text blocks line by line, facts as `title: value`, containers indented,
//! buttons as `[title] url`, charts as their title and data points.

use serde_json::Value;

/// The card's content as plain text, one element per line (ends with a newline).
pub fn plain_text(card: &Value) -> String {
    let mut out = String::new();
    if let Some(body) = card.get("body").and_then(Value::as_array) {
        for element in body {
            element_text(element, 0, &mut out);
        }
    }
    if let Some(actions) = card.get("actions").and_then(Value::as_array) {
        for action in actions {
            action_text(action, 0, &mut out);
        }
    }
    out
}

fn line(out: &mut String, depth: usize, text: &str) {
    for l in text.lines() {
        out.push_str(&"  ".repeat(depth));
        out.push_str(l.replace('\u{a0}', " ").trim_end());
        out.push('\n');
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn element_text(e: &Value, depth: usize, out: &mut String) {
    let kind = str_of(e, "type");
    match kind {
        "TextBlock" => {
            let t = str_of(e, "text");
            if str_of(e, "size") == "Large" || str_of(e, "weight") == "Bolder" {
                if !out.is_empty() && depth == 0 {
                    out.push('\n');
                }
                line(out, depth, t);
            } else {
                line(out, depth, t);
            }
        }
        "FactSet" => {
            for fact in e
                .get("facts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                line(
                    out,
                    depth,
                    &format!(
                        "{}: {}",
                        str_of(fact, "title").trim(),
                        str_of(fact, "value")
                    ),
                );
            }
        }
        "Container" => {
            let inner = if e.get("style").and_then(Value::as_str) == Some("emphasis") {
                out.push('\n');
                depth
            } else {
                depth + 1
            };
            for item in e
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                element_text(item, inner, out);
            }
        }
        "ActionSet" => {
            for action in e
                .get("actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                action_text(action, depth, out);
            }
        }
        k if k.starts_with("Chart.") => chart_text(e, depth, out),
        _ => {}
    }
}

fn action_text(a: &Value, depth: usize, out: &mut String) {
    let url = str_of(a, "url");
    if url.is_empty() {
        line(out, depth, &format!("[{}]", str_of(a, "title")));
    } else {
        line(out, depth, &format!("[{}] {url}", str_of(a, "title")));
    }
}

fn chart_text(e: &Value, depth: usize, out: &mut String) {
    line(out, depth, &format!("Chart: {}", str_of(e, "title")));
    for series in e
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(values) = series.get("values").and_then(Value::as_array) {
            let points: Vec<String> = values
                .iter()
                .map(|p| format!("{} {}", scalar(&p["x"]), scalar(&p["y"])))
                .collect();
            line(
                out,
                depth + 1,
                &format!("{}: {}", str_of(series, "legend"), points.join(", ")),
            );
        } else {
            line(
                out,
                depth + 1,
                &format!("{}: {}", str_of(series, "legend"), scalar(&series["value"])),
            );
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::teams::cards::{adaptive_card, chat_reply, Mention};

    #[test]
    fn every_element_kind_reads_as_text() {
        let m = Mention::of("owner@contoso.com");
        let card = adaptive_card(
            vec![
                json!({"type": "TextBlock", "text": "Title", "size": "Large", "weight": "Bolder"}),
                json!({"type": "TextBlock", "text": format!("{} look", m.text())}),
                json!({"type": "FactSet", "facts": [{"title": "  critical", "value": "3"}]}),
                json!({"type": "Container", "style": "emphasis", "items": [
                    {"type": "TextBlock", "text": "- a\n- b"},
                    {"type": "Container", "items": [{"type": "TextBlock", "text": "\u{a0}\u{a0}code"}]},
                    {"type": "ActionSet", "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": "https://x/1"}]}
                ]}),
                json!({"type": "Chart.Line", "title": "Burn", "data": [{"legend": "at risk", "values": [{"x": "2026-W46", "y": 4}, {"x": "2026-W47", "y": 2}]}]}),
                json!({"type": "Chart.Donut", "title": "Sev", "data": [{"legend": "high", "value": 2}]}),
            ],
            vec![json!({"type": "Action.OpenUrl", "title": "Docs", "url": "https://learn"})],
            &[m],
        );
        let text = plain_text(&card);
        for needle in [
            "Title\n",
            "<at>owner@contoso.com</at> look",
            "critical: 3",
            "- a\n- b\n",
            "    code\n",
            "[Open] https://x/1",
            "Chart: Burn",
            "at risk: 2026-W46 4, 2026-W47 2",
            "high: 2",
            "[Docs] https://learn",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        assert!(text.ends_with('\n'));
        assert!(plain_text(&chat_reply("Status", &["one".into()])).contains("one"));
    }
}
