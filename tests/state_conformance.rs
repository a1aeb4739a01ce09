//! One conformance suite for every [`StateStore`]: the local directory store and the blob
//! store (the real `azure_storage_blob` SDK against Azurite over HTTPS with bearer tokens).
//! Each check takes `&dyn StateStore` and a namespace so checks never see each other's keys.

mod support;

use std::num::NonZeroU32;
use std::path::Path;
use std::process::{Command, Stdio};

use bytes::Bytes;
use stepup::state::{
    get_json, update_json, BlobStore, BlobStoreOptions, Condition, ETag, LocalDirStore, StateError,
    StateKey, StateStore,
};
use support::azurite::Azurite;

/// Parses a key built by the checks.
fn key(text: &str) -> StateKey {
    StateKey::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

async fn absent_get_is_none(store: &dyn StateStore, ns: &str) {
    let got = store.get(&key(&format!("{ns}/missing.json"))).await;
    assert!(matches!(got, Ok(None)), "{got:?}");
}

async fn put_then_get_roundtrips(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/accounts/t1/u1.json"));
    let body = Bytes::from_static(b"{\"a\":1}\n\x00\xffbinary");
    let etag = store
        .put(&k, body.clone(), Condition::Always)
        .await
        .expect("put");
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!(got.body, body);
    assert_eq!(got.etag, etag, "get returns the version put returned");
    let empty = key(&format!("{ns}/empty"));
    store
        .put(&empty, Bytes::new(), Condition::Always)
        .await
        .expect("put empty");
    let got = store.get(&empty).await.expect("get").expect("present");
    assert!(got.body.is_empty());
}

async fn if_absent_twice_conflicts(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/once.json"));
    store
        .put(&k, Bytes::from_static(b"first"), Condition::IfAbsent)
        .await
        .expect("first create");
    let second = store
        .put(&k, Bytes::from_static(b"second"), Condition::IfAbsent)
        .await;
    assert!(
        matches!(second, Err(StateError::Conflict { .. })),
        "{second:?}"
    );
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!(got.body, Bytes::from_static(b"first"));
}

async fn stale_if_match_conflicts(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/cas.json"));
    let v1 = store
        .put(&k, Bytes::from_static(b"1"), Condition::Always)
        .await
        .expect("v1");
    let v2 = store
        .put(&k, Bytes::from_static(b"2"), Condition::IfMatch(v1.clone()))
        .await
        .expect("v2 with the current version");
    let stale = store
        .put(&k, Bytes::from_static(b"3"), Condition::IfMatch(v1))
        .await;
    assert!(
        matches!(stale, Err(StateError::Conflict { .. })),
        "{stale:?}"
    );
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!((got.body, got.etag), (Bytes::from_static(b"2"), v2));
    let missing = key(&format!("{ns}/cas-missing.json"));
    let absent = store
        .put(
            &missing,
            Bytes::from_static(b"x"),
            Condition::IfMatch(ETag("\"0x1\"".into())),
        )
        .await;
    assert!(
        matches!(absent, Err(StateError::Conflict { .. })),
        "If-Match on an absent key: {absent:?}"
    );
}

async fn etag_changes_on_every_write(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/versions.json"));
    let mut seen = Vec::new();
    for _ in 0..5 {
        let etag = store
            .put(&k, Bytes::from_static(b"same body"), Condition::Always)
            .await
            .expect("put");
        assert!(!seen.contains(&etag), "{etag:?} repeated in {seen:?}");
        seen.push(etag);
    }
}

async fn version_is_the_etag_without_the_body(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/version.json"));
    assert_eq!(store.version(&k).await.expect("version of absent"), None);
    let first = store
        .put(&k, Bytes::from_static(b"one"), Condition::Always)
        .await
        .expect("put");
    assert_eq!(
        store.version(&k).await.expect("version"),
        Some(first.clone())
    );
    let second = store
        .put(&k, Bytes::from_static(b"two"), Condition::Always)
        .await
        .expect("put");
    let now = store.version(&k).await.expect("version");
    assert_eq!(now, Some(second.clone()));
    assert_ne!(now, Some(first));
    let read = store.get(&k).await.expect("get").expect("present");
    assert_eq!(read.etag, second);
}

async fn delete_is_conditional(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/gone.json"));
    let v1 = store
        .put(&k, Bytes::from_static(b"1"), Condition::Always)
        .await
        .expect("v1");
    let v2 = store
        .put(&k, Bytes::from_static(b"2"), Condition::Always)
        .await
        .expect("v2");
    let stale = store.delete(&k, Condition::IfMatch(v1)).await;
    assert!(
        matches!(stale, Err(StateError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(store.get(&k).await.expect("get").is_some(), "still there");
    let present = store.delete(&k, Condition::IfAbsent).await;
    assert!(
        matches!(present, Err(StateError::Conflict { .. })),
        "{present:?}"
    );
    store
        .delete(&k, Condition::IfMatch(v2.clone()))
        .await
        .expect("delete with the current version");
    assert!(store.get(&k).await.expect("get").is_none(), "deleted");
    store
        .delete(&k, Condition::Always)
        .await
        .expect("deleting an absent key unconditionally is fine");
    let gone = store.delete(&k, Condition::IfMatch(v2)).await;
    assert!(
        matches!(gone, Err(StateError::Conflict { .. })),
        "If-Match on an absent key: {gone:?}"
    );
}

async fn list_by_prefix_is_sorted_and_complete(store: &dyn StateStore, ns: &str) {
    // 30 keys written out of order: more than one page with a page size of 7.
    let mut expected: Vec<StateKey> = (0..30)
        .map(|i| key(&format!("{ns}/list/t{}/u{:02}.json", i % 3, (i * 7) % 30)))
        .collect();
    for k in &expected {
        store
            .put(k, Bytes::from_static(b"{}"), Condition::Always)
            .await
            .expect("put");
    }
    for other in [format!("{ns}/listx.json"), format!("{ns}/lis/t0.json")] {
        store
            .put(&key(&other), Bytes::from_static(b"{}"), Condition::Always)
            .await
            .expect("put outside the prefix");
    }
    expected.sort();
    let listed = store.list(&format!("{ns}/list/")).await.expect("list");
    assert_eq!(listed, expected);
    let t1: Vec<StateKey> = expected
        .iter()
        .filter(|k| k.as_str().starts_with(&format!("{ns}/list/t1/")))
        .cloned()
        .collect();
    assert_eq!(t1.len(), 10);
    let listed = store.list(&format!("{ns}/list/t1/")).await.expect("list");
    assert_eq!(listed, t1);
    // A prefix that ends inside a segment.
    let listed = store.list(&format!("{ns}/list/t1/u0")).await.expect("list");
    let u0: Vec<StateKey> = t1
        .iter()
        .filter(|k| k.as_str().contains("/u0"))
        .cloned()
        .collect();
    assert!(!u0.is_empty());
    assert_eq!(listed, u0);
    assert!(store
        .list(&format!("{ns}/nothing/"))
        .await
        .expect("list")
        .is_empty());
}

async fn concurrent_updates_add_up(store: &dyn StateStore, ns: &str) {
    let k = key(&format!("{ns}/counter.json"));
    let writer = || async {
        for _ in 0..50 {
            update_json(store, &k, |n: Option<u64>| Ok(n.unwrap_or(0) + 1))
                .await
                .expect("update");
        }
    };
    tokio::join!(writer(), writer());
    assert_eq!(get_json::<u64>(store, &k).await.expect("get"), Some(100));
}

async fn odd_keys_are_refused_before_any_io(store: &dyn StateStore, ns: &str) {
    for bad in [
        "../secret.json",
        "a/../../secret.json",
        "/etc/passwd",
        "a\\..\\b",
        "a/%2e%2e/b",
        "a?comp=list",
        "a#b",
        "a b",
        "",
    ] {
        assert!(StateKey::parse(bad).is_err(), "{bad:?} must not be a key");
    }
    for prefix in ["../", "a/../", "/", "..\\/", "a b/"] {
        let listed = store.list(prefix).await.expect("list");
        assert!(listed.is_empty(), "{prefix:?} listed {listed:?}");
    }
    let _ = ns;
}

/// Runs every check, naming the one that failed.
async fn conformance(store: &dyn StateStore, ns: &str) {
    macro_rules! check {
        ($name:ident) => {
            eprintln!("state conformance ({ns}): {}", stringify!($name));
            $name(store, ns).await;
        };
    }
    check!(absent_get_is_none);
    check!(put_then_get_roundtrips);
    check!(if_absent_twice_conflicts);
    check!(stale_if_match_conflicts);
    check!(etag_changes_on_every_write);
    check!(version_is_the_etag_without_the_body);
    check!(delete_is_conditional);
    check!(list_by_prefix_is_sorted_and_complete);
    check!(concurrent_updates_add_up);
    check!(odd_keys_are_refused_before_any_io);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_dir_store_conforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("secret.json"), b"outside the store").expect("bait");
    let store = LocalDirStore::new(dir.path().join("state"));
    conformance(&store, "local").await;
    // Only keys and the lock file: no temporary file is left behind.
    assert!(store.root().join("~lock").exists());
    let leftovers = files_with_tilde(store.root());
    assert_eq!(leftovers, vec!["~lock".to_string()]);
}

/// Names containing `~` below `dir`.
fn files_with_tilde(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.path().is_dir() {
            found.extend(files_with_tilde(&entry.path()));
        } else if name.contains('~') {
            found.push(name);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_store_conforms_against_azurite() {
    let azurite = Azurite::start();
    let (client_options, log) = azurite.client_options_logged();
    let mut options = BlobStoreOptions {
        client_options,
        page_size: NonZeroU32::new(7),
    };
    let store = BlobStore::connect(
        &azurite.account_url(),
        "stepup",
        Azurite::credential(),
        options.clone(),
    )
    .await
    .expect("connect (creates the container)");
    conformance(&store, "blob").await;
    // The listing really pages: 30 names at 7 a page take 5 requests.
    log.clear();
    assert_eq!(store.list("blob/list/").await.expect("list").len(), 30);
    let lists = log
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("GET /devstoreaccount1/stepup?") && l.contains("comp=list"))
        .count();
    assert_eq!(lists, 5, "{:?}", log.lines());
    // Connecting again to the existing container is fine and sees the same keys.
    options.page_size = None;
    let again = BlobStore::connect(
        &azurite.account_url(),
        "stepup",
        Azurite::credential(),
        options,
    )
    .await
    .expect("connect to the existing container");
    let listed = again.list("blob/list/t2/").await.expect("list");
    assert_eq!(listed.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_store_reports_a_refused_token_as_denied_without_the_token() {
    let azurite = Azurite::start();
    let result = BlobStore::connect(
        &azurite.account_url(),
        "stepup",
        Azurite::wrong_audience_credential(),
        BlobStoreOptions {
            client_options: azurite.client_options(),
            page_size: None,
        },
    )
    .await;
    match result {
        Err(StateError::Denied { message, .. }) => {
            assert!(!message.contains("eyJ"), "a token leaked: {message}");
        }
        other => panic!("expected Denied, got {other:?}"),
    }
}

/// Set in the child processes of [`local_dir_store_serialises_writers_across_processes`].
const CHILD_ROOT: &str = "STEPUP_STATE_CONFORMANCE_CHILD_ROOT";

/// Not a test on its own: the body of each child process (50 increments of a shared counter).
#[tokio::test]
#[ignore = "run by local_dir_store_serialises_writers_across_processes"]
async fn child_process_increments_the_counter() {
    let Some(root) = std::env::var_os(CHILD_ROOT) else {
        return;
    };
    let store = LocalDirStore::new(root);
    for _ in 0..50 {
        update_json(&store, &key("counter.json"), |n: Option<u64>| {
            Ok(n.unwrap_or(0) + 1)
        })
        .await
        .expect("update");
    }
}

#[test]
fn local_dir_store_serialises_writers_across_processes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_process_increments_the_counter",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env(CHILD_ROOT, dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("child");
        assert!(
            out.status.success(),
            "child failed: {:?}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let body = std::fs::read(dir.path().join("counter.json")).expect("counter");
    let count: u64 = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(count, 100);
}
