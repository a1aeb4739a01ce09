//! The synchronous answer to an outgoing webhook: a message activity. Teams renders its
//! `text` or its attachments (Adaptive Cards whose only actions may be `Action.OpenUrl`).

use serde_json::{json, Value};

use crate::teams::cards::envelope;

/// A message activity carrying `card`.
pub fn card_message(card: Value) -> Value {
    envelope(card)
}

/// A plain text message activity.
pub fn text_message(text: &str) -> Value {
    json!({ "type": "message", "text": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_message_activities() {
        let m = card_message(json!({"type": "AdaptiveCard"}));
        assert_eq!(m["type"], "message");
        assert_eq!(
            m["attachments"][0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(text_message("hi")["text"], "hi");
    }
}
