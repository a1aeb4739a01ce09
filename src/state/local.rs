//! The embedded default store: one file per key below a directory (`./.stepup/`).
//!
//! - Writes go to a temporary file in the key's directory, are flushed to disk (`fsync`) and
//!   renamed over the key, so a reader sees the old value or the new one, never a mix.
//! - Every conditional check and write happens under an advisory lock on `<root>/~lock`
//!   (`flock`), so two writers — threads or processes — can never both win.
//! - The ETag is the file's modification time in nanoseconds and its length. Each write sets
//!   the time strictly after the previous one, so every write yields a new ETag, as in Blob
//!   Storage, even when the body is the same.
//! - Lock and temporary files have a `~` in their names, which no [`StateKey`] may contain.
//!
//! One difference from Blob Storage: a file system cannot hold both `a` and `a/b`; writing
//! the second one fails with [`StateError::Failed`].

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;

use super::{Condition, ETag, StateError, StateKey, StateStore, Versioned};

/// The lock file below the root; not a valid key.
const LOCK_FILE: &str = "~lock";

/// Makes temporary file names unique within a process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A [`StateStore`] in a local directory, created on first write.
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// A store below `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory holding the keys.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs file system work off the async runtime.
    async fn blocking<T, F>(&self, key: &str, op: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&Path) -> Result<T, StateError> + Send + 'static,
    {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || op(&root))
            .await
            .map_err(|e| StateError::Failed {
                key: key.to_string(),
                message: format!("file system task failed: {e}"),
            })?
    }
}

#[async_trait]
impl StateStore for LocalDirStore {
    async fn get(&self, key: &StateKey) -> Result<Option<Versioned>, StateError> {
        let owned = key.clone();
        self.blocking(key.as_str(), move |root| read(root, &owned))
            .await
    }

    async fn put(
        &self,
        key: &StateKey,
        body: Bytes,
        condition: Condition,
    ) -> Result<ETag, StateError> {
        let owned = key.clone();
        self.blocking(key.as_str(), move |root| {
            write(root, &owned, &body, &condition)
        })
        .await
    }

    async fn delete(&self, key: &StateKey, condition: Condition) -> Result<(), StateError> {
        let owned = key.clone();
        self.blocking(key.as_str(), move |root| remove(root, &owned, &condition))
            .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<StateKey>, StateError> {
        if !StateKey::could_start_with(prefix) {
            return Ok(Vec::new());
        }
        let owned = prefix.to_string();
        self.blocking(prefix, move |root| list(root, &owned)).await
    }

    async fn version(&self, key: &StateKey) -> Result<Option<ETag>, StateError> {
        let owned = key.clone();
        self.blocking(key.as_str(), move |root| {
            let name = owned.as_str();
            Ok(current_etag(&root.join(name), name)?.map(|(etag, _)| etag))
        })
        .await
    }
}

/// Maps an I/O error to a store error for `key`.
fn io_error(key: &str, doing: &str, e: io::Error) -> StateError {
    let message = format!("{doing}: {e}");
    if e.kind() == io::ErrorKind::PermissionDenied {
        StateError::Denied {
            key: key.to_string(),
            message,
        }
    } else {
        StateError::Failed {
            key: key.to_string(),
            message,
        }
    }
}

/// Whether an error means "no such file" (including a parent that is a file).
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// The version of a stored file.
fn etag_of(meta: &Metadata) -> io::Result<ETag> {
    let nanos = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_err(io::Error::other)?
        .as_nanos();
    Ok(ETag(format!("{nanos:x}-{:x}", meta.len())))
}

/// The metadata of the file holding a key, `None` when absent (a directory counts as absent).
fn stat(path: &Path) -> io::Result<Option<Metadata>> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Some(meta)),
        Ok(_) => Ok(None),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a key without locking: files are only ever replaced by rename, so the open file
/// handle sees one complete version, and its metadata belongs to that version.
fn read(root: &Path, key: &StateKey) -> Result<Option<Versioned>, StateError> {
    let path = root.join(key.as_str());
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => return Err(io_error(key.as_str(), "opening", e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| io_error(key.as_str(), "reading metadata", e))?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut body)
        .map_err(|e| io_error(key.as_str(), "reading", e))?;
    let etag = etag_of(&meta).map_err(|e| io_error(key.as_str(), "reading metadata", e))?;
    Ok(Some(Versioned {
        body: Bytes::from(body),
        etag,
    }))
}

/// Takes the store-wide write lock; released when the returned file is dropped.
fn lock(root: &Path, key: &str) -> Result<File, StateError> {
    fs::create_dir_all(root).map_err(|e| io_error(key, "creating the state directory", e))?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(root.join(LOCK_FILE))
        .map_err(|e| io_error(key, "opening the lock file", e))?;
    file.lock()
        .map_err(|e| io_error(key, "locking the state directory", e))?;
    Ok(file)
}

/// Whether `condition` holds for the current version (`None`: absent).
fn holds(current: Option<&ETag>, condition: &Condition) -> bool {
    match condition {
        Condition::Always => true,
        Condition::IfAbsent => current.is_none(),
        Condition::IfMatch(wanted) => current == Some(wanted),
    }
}

/// The current version of a key's file, `None` when absent.
fn current_etag(path: &Path, key: &str) -> Result<Option<(ETag, SystemTime)>, StateError> {
    let Some(meta) = stat(path).map_err(|e| io_error(key, "reading metadata", e))? else {
        return Ok(None);
    };
    let etag = etag_of(&meta).map_err(|e| io_error(key, "reading metadata", e))?;
    let modified = meta
        .modified()
        .map_err(|e| io_error(key, "reading metadata", e))?;
    Ok(Some((etag, modified)))
}

/// Writes a key under the lock when the condition holds.
fn write(
    root: &Path,
    key: &StateKey,
    body: &[u8],
    condition: &Condition,
) -> Result<ETag, StateError> {
    let name = key.as_str();
    let _lock = lock(root, name)?;
    let path = root.join(name);
    let current = current_etag(&path, name)?;
    if !holds(current.as_ref().map(|(etag, _)| etag), condition) {
        return Err(StateError::Conflict {
            key: name.to_string(),
        });
    }
    let (dir, file_name) = match (path.parent(), path.file_name()) {
        (Some(dir), Some(file_name)) => (dir.to_path_buf(), file_name.to_string_lossy()),
        _ => {
            return Err(StateError::Failed {
                key: name.to_string(),
                message: "key has no file name".to_string(),
            })
        }
    };
    fs::create_dir_all(&dir).map_err(|e| io_error(name, "creating the key's directory", e))?;
    let temp = dir.join(format!(
        "{file_name}~{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let previous = current.map(|(_, modified)| modified);
    let written = write_temp(&temp, body, previous).and_then(|meta| {
        fs::rename(&temp, &path)?;
        sync_dir(&dir)?;
        Ok(meta)
    });
    match written {
        Ok(meta) => etag_of(&meta).map_err(|e| io_error(name, "reading metadata", e)),
        Err(e) => {
            // Best effort: the temporary file is not a key and is skipped by `list` anyway.
            let _ = fs::remove_file(&temp);
            Err(io_error(name, "writing", e))
        }
    }
}

/// Writes and flushes the temporary file, stamped strictly after `previous`; returns the
/// metadata it will have once renamed.
fn write_temp(temp: &Path, body: &[u8], previous: Option<SystemTime>) -> io::Result<Metadata> {
    let mut file = File::create(temp)?;
    file.write_all(body)?;
    stamp_after(&file, previous)?;
    file.sync_all()?;
    file.metadata()
}

/// Sets the file's modification time to now, or just after `previous` when the clock has
/// not moved past it, and checks that the file system kept a time after `previous` (some
/// file systems round times; then a coarser step is tried).
fn stamp_after(file: &File, previous: Option<SystemTime>) -> io::Result<()> {
    let now = SystemTime::now();
    let Some(previous) = previous else {
        return file.set_modified(now);
    };
    for step in [
        Duration::from_nanos(1),
        Duration::from_millis(1),
        Duration::from_secs(1),
        Duration::from_secs(2),
    ] {
        file.set_modified(now.max(previous + step))?;
        if file.metadata()?.modified()? > previous {
            return Ok(());
        }
    }
    Err(io::Error::other(
        "the file system does not keep modification times precisely enough for versions",
    ))
}

/// Flushes a directory entry change (rename, removal) to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Deletes a key under the lock when the condition holds.
fn remove(root: &Path, key: &StateKey, condition: &Condition) -> Result<(), StateError> {
    let name = key.as_str();
    let _lock = lock(root, name)?;
    let path = root.join(name);
    let current = current_etag(&path, name)?;
    if !holds(current.as_ref().map(|(etag, _)| etag), condition) {
        return Err(StateError::Conflict {
            key: name.to_string(),
        });
    }
    if current.is_none() {
        return Ok(());
    }
    fs::remove_file(&path).map_err(|e| io_error(name, "deleting", e))?;
    // Tidy now-empty directories up to the root; `remove_dir` refuses non-empty ones, and
    // every writer holds the lock, so none is creating a file here meanwhile.
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    if let Some(parent) = path.parent() {
        if parent.exists() {
            sync_dir(parent).map_err(|e| io_error(name, "deleting", e))?;
        }
    }
    Ok(())
}

/// Keys below `prefix`, sorted; `prefix` has passed [`StateKey::could_start_with`].
fn list(root: &Path, prefix: &str) -> Result<Vec<StateKey>, StateError> {
    let (dir_part, start) = match prefix.rfind('/') {
        Some(end) => (&prefix[..end], root.join(&prefix[..end])),
        None => ("", root.to_path_buf()),
    };
    let mut keys = Vec::new();
    walk(&start, dir_part, prefix, &mut keys).map_err(|e| io_error(prefix, "listing", e))?;
    keys.sort();
    Ok(keys)
}

/// Collects the keys in `dir` (whose key path is `rel`) that start with `prefix`.
fn walk(dir: &Path, rel: &str, prefix: &str, keys: &mut Vec<StateKey>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if is_absent(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.contains('~') {
            continue;
        }
        let key = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) if is_absent(&e) => continue,
            Err(e) => return Err(e),
        };
        if file_type.is_dir() {
            // Only descend where a key below could still match the prefix.
            let below = format!("{key}/");
            if below.starts_with(prefix) || prefix.starts_with(&below) {
                walk(&entry.path(), &key, prefix, keys)?;
            }
        } else if file_type.is_file() && key.starts_with(prefix) {
            if let Ok(parsed) = StateKey::parse(&key) {
                keys.push(parsed);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> StateKey {
        StateKey::parse(text).expect("key")
    }

    #[tokio::test]
    async fn leftover_temporary_files_are_neither_keys_nor_values() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        store
            .put(
                &key("a/x.json"),
                Bytes::from_static(b"1"),
                Condition::Always,
            )
            .await
            .expect("put");
        // What a process killed between write and rename leaves behind.
        fs::write(dir.path().join("a/x.json~999-0"), b"half").expect("leftover");
        assert_eq!(store.list("").await.expect("list"), vec![key("a/x.json")]);
        let got = store
            .get(&key("a/x.json"))
            .await
            .expect("get")
            .expect("value");
        assert_eq!(got.body, Bytes::from_static(b"1"));
    }

    #[tokio::test]
    async fn a_directory_is_not_a_value() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        store
            .put(&key("a/b"), Bytes::from_static(b"1"), Condition::Always)
            .await
            .expect("put");
        assert!(store.get(&key("a")).await.expect("get").is_none());
        let clash = store
            .put(&key("a"), Bytes::from_static(b"2"), Condition::IfAbsent)
            .await;
        assert!(matches!(clash, Err(StateError::Failed { .. })), "{clash:?}");
    }

    #[tokio::test]
    async fn deleting_the_last_key_of_a_directory_removes_the_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirStore::new(dir.path());
        let k = key("accounts/t1/u1.json");
        store
            .put(&k, Bytes::from_static(b"1"), Condition::Always)
            .await
            .expect("put");
        store.delete(&k, Condition::Always).await.expect("delete");
        assert!(!dir.path().join("accounts").exists());
        assert!(dir.path().exists(), "the root stays");
    }
}
