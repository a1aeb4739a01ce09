//! The file outbox, the embedded default (used by `stepup demo` and whenever no webhook is
//! configured): each message is `<dir>/<channel>/<name>.json` (the envelope a webhook
//! would get) and `<name>.txt` (a plain-text rendering). Names are deterministic, so the
//! same message lands in the same files; writes are atomic (temporary file + rename).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{DeliveryError, Message, Posted, TeamsSink};
use crate::teams::text::plain_text;

/// Messages as files in a folder.
#[derive(Debug, Clone)]
pub struct OutboxSink {
    dir: PathBuf,
}

impl OutboxSink {
    /// An outbox in `dir` (created on the first message).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The JSON file of a message: `<dir>/<channel slug>/<name>.json`.
    pub fn path_of(&self, message: &Message) -> PathBuf {
        self.dir
            .join(message.channel.slug())
            .join(format!("{}.json", message.name))
    }

    fn write(&self, message: &Message) -> std::io::Result<()> {
        let json = self.path_of(message);
        let folder = json.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&folder)?;
        let mut envelope = serde_json::to_vec_pretty(&message.envelope())?;
        envelope.push(b'\n');
        atomic_write(&folder, &json, &envelope)?;
        let text = format!("To: {}\n\n{}", message.channel, plain_text(&message.card));
        atomic_write(&folder, &json.with_extension("txt"), text.as_bytes())
    }
}

fn atomic_write(folder: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(folder)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[async_trait]
impl TeamsSink for OutboxSink {
    fn kind(&self) -> &'static str {
        "outbox"
    }

    async fn post(&self, message: &Message) -> Result<Posted, DeliveryError> {
        message.check_size()?;
        let this = self.clone();
        let owned = message.clone();
        let result = tokio::task::spawn_blocking(move || this.write(&owned))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|r| r);
        result.map_err(|e| DeliveryError::Failed {
            channel: message.channel.to_string(),
            message: format!("cannot write to the outbox {}: {e}", self.dir.display()),
            maybe_posted: false,
        })?;
        Ok(Posted {
            attempts: 1,
            throttled: 0,
        })
    }
}
