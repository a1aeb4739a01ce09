//! The 28 KB message limit: the envelope, its size, and cutting a list until the message
//! fits, with an honest "and N more".

use serde_json::{json, Value};

use super::CONTENT_TYPE;

/// The largest message Teams accepts, in serialized envelope bytes.
pub const MAX_MESSAGE_BYTES: usize = 28 * 1024;

/// Wraps a card in the message envelope Workflows and incoming webhooks accept.
pub fn envelope(card: Value) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": CONTENT_TYPE,
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// The serialized size of `card`'s envelope, in bytes.
pub fn message_bytes(card: &Value) -> usize {
    // The envelope adds a fixed frame around the card's own serialization.
    let frame = serde_json::to_vec(&envelope(Value::Null)).map_or(0, |v| v.len()) - "null".len();
    frame + serde_json::to_vec(card).map_or(usize::MAX / 2, |v| v.len())
}

/// Whether `card`'s envelope is within [`MAX_MESSAGE_BYTES`].
pub fn fits(card: &Value) -> bool {
    message_bytes(card) <= MAX_MESSAGE_BYTES
}

/// The card built by `build(shown)` for the largest `shown` ≤ `total` whose message fits
/// (`build` shows the first `shown` items of a list and says "and `total - shown` more").
/// Falls back to `build(0)` when nothing fits. Size grows with `shown`, so this searches.
pub fn fit_list(total: usize, build: impl Fn(usize) -> Value) -> Value {
    let all = build(total);
    if fits(&all) {
        return all;
    }
    let (mut lo, mut hi) = (0usize, total); // build(lo) is assumed to fit; build(hi) does not.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(&build(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    build(lo)
}

#[cfg(test)]
mod tests {
    use super::super::elements::{adaptive_card, bullets};
    use super::*;

    #[test]
    fn message_bytes_is_the_envelope_size() {
        let card = json!({"type": "AdaptiveCard", "body": ["é"]});
        let exact = serde_json::to_vec(&envelope(card.clone())).unwrap().len();
        assert_eq!(message_bytes(&card), exact);
    }

    #[test]
    fn fit_list_keeps_as_many_items_as_fit_and_counts_the_rest() {
        let items: Vec<String> = (0..5000)
            .map(|i| format!("account-{i:05}@contoso.com"))
            .collect();
        let build = |shown: usize| {
            adaptive_card(
                vec![bullets(&items[..shown], items.len() - shown)],
                vec![],
                &[],
            )
        };
        let card = fit_list(items.len(), build);
        assert!(fits(&card));
        let text = card["body"][0]["text"].as_str().unwrap();
        let shown = text.lines().filter(|l| l.contains("@contoso.com")).count();
        assert!(shown > 100 && shown < 5000, "shown {shown}");
        assert!(text.ends_with(&format!("…and {} more", 5000 - shown)));
        assert!(
            !fits(&build(shown + 1)),
            "one more item would not have fitted"
        );

        let small = fit_list(3, |n| {
            adaptive_card(vec![bullets(&items[..n], 3 - n)], vec![], &[])
        });
        assert!(!small["body"][0]["text"].as_str().unwrap().contains("more"));
    }
}
