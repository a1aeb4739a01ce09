//! Property tests of the queue round trip through the Functions host: a message a handler
//! puts on a queue output binding comes back, whole, to the queue-triggered function that
//! reads it, in every wire form the host uses, with its metadata.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::invocation::{InvocationRequest, InvocationResponse};
use crate::teams::notify::NoticeMessage;

/// JSON without floats (the host keeps numbers as text; serde_json reads floats back to
/// the nearest value, not always the same one).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A queue message: always an object, as `push_queue_messages` requires.
fn message() -> impl Strategy<Value = Value> {
    ("[a-z][a-zA-Z]{0,12}", json_value())
        .prop_map(|(kind, payload)| json!({ "kind": kind, "payload": payload }))
}

/// How the host hands a queue message to the trigger.
#[derive(Debug, Clone, Copy)]
enum Wire {
    /// What the host sends today: the message text JSON-quoted once more, string metadata
    /// JSON-quoted, `DequeueCount` as a string.
    Host,
    /// The documented form: the text as it is, numbers as numbers.
    Documented,
    /// A JSON message already parsed into the envelope.
    Parsed,
}

/// The invocation body the host sends for `output` (what the handler queued).
fn delivery(output: &Value, wire: Wire, id: &str, dequeue_count: u32) -> Vec<u8> {
    let text = output.to_string();
    let quoted = |s: &str| Value::String(s.to_string()).to_string();
    let (message, count, id) = match wire {
        Wire::Host => (
            Value::String(quoted(&text)),
            Value::String(dequeue_count.to_string()),
            Value::String(quoted(id)),
        ),
        Wire::Documented => (Value::String(text), json!(dequeue_count), json!(id)),
        Wire::Parsed => (output.clone(), json!(dequeue_count), json!(id)),
    };
    let mut data = Map::new();
    data.insert("job".into(), message);
    json!({
        "Data": data,
        "Metadata": { "DequeueCount": count, "Id": id, "InsertionTime": "2026-11-22T06:00:01+00:00" },
    })
    .to_string()
    .into_bytes()
}

fn wire() -> impl Strategy<Value = Wire> {
    prop::sample::select(&[Wire::Host, Wire::Documented, Wire::Parsed][..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_queued_message_arrives_whole_in_every_wire_form(
        messages in prop::collection::vec(message(), 1..4),
        wire in wire(),
        id in "[0-9a-f-]{1,36}",
        dequeue_count in 1u32..=5,
    ) {
        let mut response = InvocationResponse::default();
        prop_assert!(response.push_queue_messages("jobs", messages.clone()).is_ok());
        let Some(Value::Array(outputs)) = response.outputs.get("jobs") else {
            return Err(TestCaseError::fail("no array of messages on the binding"));
        };
        prop_assert_eq!(outputs, &messages);
        for output in outputs {
            let body = delivery(output, wire, &id, dequeue_count);
            let request = InvocationRequest::parse(&body);
            prop_assert!(request.is_ok(), "{:?}", request);
            let queued = request.and_then(|r| r.queue("job"));
            prop_assert!(queued.is_ok(), "{:?}", queued);
            if let Ok(queued) = queued {
                let received = queued.json::<Value>().ok();
                prop_assert_eq!(received.as_ref(), Some(output));
                prop_assert_eq!(queued.metadata.dequeue_count, dequeue_count);
                prop_assert_eq!(queued.metadata.id.as_deref(), Some(id.as_str()));
            }
        }
    }

    #[test]
    fn a_claim_check_arrives_as_the_same_key(key in any::<String>(), wire in wire()) {
        let sent = NoticeMessage::StashedOwnerNotice { key };
        let mut response = InvocationResponse::default();
        prop_assert!(response.push_queue_messages("notices", [&sent]).is_ok());
        let output = response.outputs.get("notices").and_then(|v| v.get(0)).cloned();
        prop_assert!(output.is_some());
        let body = delivery(&output.unwrap_or_default(), wire, "1", 1);
        let received = InvocationRequest::parse(&body)
            .and_then(|r| r.queue("job"))
            .and_then(|q| q.json::<NoticeMessage>());
        prop_assert_eq!(received.ok(), Some(sent));
    }

    #[test]
    fn any_message_text_is_json_or_a_clear_error(text in any::<String>()) {
        let body = json!({ "Data": { "job": text }, "Metadata": {} }).to_string();
        let queued = InvocationRequest::parse(body.as_bytes()).and_then(|r| r.queue("job"));
        prop_assert!(queued.is_ok());
        if let Ok(queued) = queued {
            if let Err(e) = queued.json::<Value>() {
                prop_assert!(e.to_string().starts_with("binding \"queue message\""), "{}", e);
            }
        }
    }
}
