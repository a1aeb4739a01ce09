//! Hostile ids (`../`, `%2e%2e`, `/`, `\`, NUL, unicode, very long, and mixtures) never reach
//! a file path, a state key or a URL unescaped: ids are parsed once at the edge into GUIDs,
//! state keys accept only plain segments, keys built from free text are escaped, names of
//! files are slugs, and the local store and the ticket outbox stay inside their folders.

use std::path::{Component, Path};

use proptest::prelude::*;
use serde_json::json;

use stepup::ids::{ObjectId, SubscriptionId, TenantId};
use stepup::lifecycle::alerts::alert_key;
use stepup::state::{Condition, LocalDirStore, StateKey, StateStore};
use stepup::teams::channel::{slug, Channel};
use stepup::teams::delivery::outbox::OutboxSink;
use stepup::teams::delivery::Message;
use stepup::tickets::file::FileSink;
use stepup::tickets::{TicketRef, TicketSink};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// Strings made of the pieces path and URL attacks are made of, plus arbitrary text.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("../".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%2e%2e".to_string()),
        Just("%2F".to_string()),
        Just("%00".to_string()),
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("\0".to_string()),
        Just("~".to_string()),
        Just(":".to_string()),
        Just("?#&=".to_string()),
        Just(" ".to_string()),
        Just("ü".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{ff0e}\u{ff0e}\u{ff0f}".to_string()),
        Just(TENANT.to_string()),
        Just("{72F988BF-86F1-41AF-91AB-2D7CD011DB47}".to_string()),
        "[a-zA-Z0-9._-]{1,12}",
        any::<String>(),
    ];
    prop_oneof![
        8 => prop::collection::vec(piece, 1..10).prop_map(|p| p.concat()),
        1 => "[a./%\\\\-]{500,800}",
    ]
}

/// Whether `text` is a key the stores may join to a folder or use as a blob name.
fn plain_key(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 512
        && text.split('/').all(|s| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
        && Path::new(text)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn canonical_guid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

fn tenant() -> TenantId {
    TenantId::parse(TENANT).expect("tenant")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The edge: an id is a GUID or nothing, and prints in one canonical form.
    #[test]
    fn ids_are_guids_or_refused(text in hostile()) {
        for printed in [
            ObjectId::parse(&text).ok().map(|i| i.to_string()),
            TenantId::parse(&text).ok().map(|i| i.to_string()),
            SubscriptionId::parse(&text).ok().map(|i| i.to_string()),
            serde_json::from_value::<ObjectId>(json!(text)).ok().map(|i| i.to_string()),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(canonical_guid(&printed), "{printed:?} from {text:?}");
        }
    }

    /// State keys: whatever parses is plain.
    #[test]
    fn state_keys_are_plain_or_refused(text in hostile()) {
        if let Ok(key) = StateKey::parse(&text) {
            prop_assert!(plain_key(key.as_str()), "{text:?}");
        }
        for prefix in ["accounts/", "reports/"] {
            let joined = format!("{prefix}{text}/x.json");
            if let Ok(key) = StateKey::parse(&joined) {
                prop_assert!(plain_key(key.as_str()), "{joined:?}");
                prop_assert!(key.as_str().starts_with(prefix));
            }
        }
    }

    /// Keys built from free text (Service Health alert ids): always one escaped segment below
    /// the tenant's folder, and two ids never share a key.
    #[test]
    fn alert_keys_escape_any_id(a in hostile(), b in hostile()) {
        let dir = format!("alerts/{TENANT}/");
        let (ka, kb) = (alert_key(&tenant(), &a), alert_key(&tenant(), &b));
        for (id, key) in [(&a, &ka), (&b, &kb)] {
            match key {
                Ok(key) => {
                    prop_assert!(plain_key(key.as_str()), "{id:?}");
                    let rest = key.as_str().strip_prefix(&dir).unwrap_or_default();
                    prop_assert!(!rest.is_empty() && !rest.contains('/'), "{id:?} -> {key}");
                }
                // Only an id too long for a key is refused, never one that is odd.
                Err(_) => prop_assert!(id.len() > 100, "{id:?}"),
            }
        }
        if let (Ok(ka), Ok(kb)) = (&ka, &kb) {
            prop_assert_eq!(a == b, ka == kb);
        }
    }

    /// File and channel names made from owners, teams and rules are slugs.
    #[test]
    fn names_from_free_text_are_slugs(text in hostile()) {
        let s = slug(&text, 60);
        prop_assert!(plain_key(&s) && !s.contains('/'), "{text:?} -> {s:?}");
        let channel = Channel::Team { rule: text.clone(), team: Some(text.clone()) };
        let outbox = OutboxSink::new("/srv/outbox");
        let message = Message::new(channel, &text, json!({"type": "AdaptiveCard"}));
        let path = outbox.path_of(&message);
        let below = path.strip_prefix("/srv/outbox").expect("below the outbox");
        prop_assert_eq!(below.components().count(), 2);
        prop_assert!(below.components().all(|c| matches!(c, Component::Normal(_))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The local store writes only inside its folder; a prefix that climbs lists nothing.
    #[test]
    fn the_local_store_stays_in_its_folder(text in hostile()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let top = tempfile::tempdir().expect("temp dir");
        let root = top.path().join("state");
        std::fs::create_dir_all(&root).expect("root");
        let outside = top.path().join("outside.json");
        std::fs::write(&outside, b"{}").expect("outside");
        let store = LocalDirStore::new(&root);
        runtime.block_on(async {
            for candidate in [text.clone(), format!("accounts/{text}.json"), format!("{text}/x")] {
                if let Ok(key) = StateKey::parse(&candidate) {
                    store
                        .put(&key, bytes::Bytes::from_static(b"{}"), Condition::Always)
                        .await
                        .ok();
                    let written = root.join(key.as_str());
                    if written.exists() {
                        let real = written.canonicalize().expect("canonical");
                        assert!(real.starts_with(root.canonicalize().expect("root")));
                    }
                }
                let listed = store.list(&candidate).await.unwrap_or_default();
                assert!(listed.iter().all(|k| plain_key(k.as_str())), "{candidate:?}");
            }
            for climbing in [format!("../{text}"), "../".to_string(), format!("{text}/../../")] {
                let listed = store.list(&climbing).await.unwrap_or_default();
                assert!(listed.is_empty(), "{climbing:?} listed {listed:?}");
            }
        });
        prop_assert_eq!(std::fs::read(&outside).expect("outside"), b"{}".to_vec());
        let entries = std::fs::read_dir(top.path()).expect("top").count();
        prop_assert_eq!(entries, 2, "only the state folder and the sentinel");
    }

    /// The ticket outbox refuses a reference that is not a plain `<name>.md` in its folder.
    #[test]
    fn the_ticket_outbox_refuses_paths(text in hostile()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let top = tempfile::tempdir().expect("temp dir");
        let outside = top.path().join("evil.md");
        std::fs::write(&outside, b"untouched").expect("outside");
        let sink = FileSink::new(top.path().join("tickets"));
        for id in [text.clone(), format!("../{text}.md"), "../evil.md".to_string()] {
            let reference = TicketRef { system: "file", id: id.clone(), url: None };
            let result = runtime.block_on(sink.resolve(&reference, "note"));
            if id.contains(['/', '\\', '\0']) || id.starts_with('.') {
                prop_assert!(result.is_err(), "{id:?}");
            }
        }
        prop_assert_eq!(std::fs::read(&outside).expect("outside"), b"untouched".to_vec());
    }
}
