//! A small card answering a chat command: a title and lines, cut with "and N more" to fit.

use serde_json::Value;

use super::elements::{adaptive_card, safe_text, subheading, text};
use super::fit::fit_list;

/// A chat answer: `title` over `lines` (both made safe; one TextBlock per line).
pub fn chat_reply(title: &str, lines: &[String]) -> Value {
    let lines: Vec<String> = lines.iter().map(|l| safe_text(l)).collect();
    fit_list(lines.len(), |shown| {
        let mut body = vec![subheading(safe_text(title))];
        body.extend(lines[..shown].iter().map(|l| text(l.clone())));
        if shown < lines.len() {
            body.push(text(format!("…and {} more", lines.len() - shown)));
        }
        adaptive_card(body, vec![], &[])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teams::cards::fits;

    #[test]
    fn a_long_answer_is_cut_with_the_right_count() {
        let lines: Vec<String> = (0..2000)
            .map(|i| format!("user{i:04}@contoso.com — high"))
            .collect();
        let card = chat_reply("status", &lines);
        assert!(fits(&card));
        let body = card["body"].as_array().unwrap();
        let shown = body.len() - 2; // title and the "more" line
        assert_eq!(
            body.last().unwrap()["text"],
            format!("…and {} more", 2000 - shown)
        );
        assert_eq!(body[1]["text"], "user0000@contoso.com — high");
    }

    #[test]
    fn a_short_answer_is_whole_and_safe() {
        let card = chat_reply("<at>x</at>", &["a".into(), "b".into()]);
        assert_eq!(card["body"].as_array().unwrap().len(), 3);
        assert!(!card.to_string().contains("<at>"));
    }
}
