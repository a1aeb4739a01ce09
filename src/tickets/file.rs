//! The file sink, the embedded default used by `stepup demo`: one Markdown file per ticket,
//! `<tenant>_<user>.md` in an outbox folder, with front matter (key, state, severity,
//! assignee, due, title), the body, then the notes, appended. Finding a ticket by key is a
//! file lookup; writes are atomic (temp file + rename).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{FoundTicket, TicketDraft, TicketError, TicketKey, TicketRef, TicketSink, TicketState};

const SYSTEM: &str = "file";
/// The line that separates the body from the notes.
const NOTES_MARKER: &str = "<!-- stepup:notes -->";

/// Settings of the file sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSinkConfig {
    /// The outbox folder (`STEPUP_TICKETS_DIR`, default `<state dir>/tickets`).
    pub dir: PathBuf,
}

impl FileSinkConfig {
    /// Reads `STEPUP_TICKETS_DIR` through `lookup`, defaulting to `<state_dir>/tickets`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>, state_dir: &Path) -> Self {
        let dir = lookup("STEPUP_TICKETS_DIR")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .map_or_else(|| state_dir.join("tickets"), PathBuf::from);
        Self { dir }
    }
}

/// Markdown tickets in a folder.
#[derive(Debug, Clone)]
pub struct FileSink {
    dir: PathBuf,
}

impl FileSink {
    /// A sink writing into `dir` (created on the first ticket).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// A sink from its settings.
    pub fn from_config(config: &FileSinkConfig) -> Self {
        Self::new(config.dir.clone())
    }

    /// The outbox folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file name of a key: `<tenant>_<user>.md` (GUIDs only, so always a safe name).
    pub fn file_name(key: &TicketKey) -> String {
        format!("{}_{}.md", key.tenant, key.user)
    }

    fn reference(&self, name: String) -> TicketRef {
        let url = Some(self.dir.join(&name).display().to_string());
        TicketRef {
            system: SYSTEM,
            id: name,
            url,
        }
    }

    /// The path of a reference, refusing anything but a plain `<safe>.md` name.
    fn path_of(&self, reference: &TicketRef) -> Result<PathBuf, TicketError> {
        let id = reference.id.as_str();
        let safe = id.ends_with(".md")
            && !id.starts_with('.')
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !safe || reference.system != SYSTEM {
            return Err(failed(format!("not a file ticket: {id:?}")));
        }
        Ok(self.dir.join(id))
    }

    fn read(&self, path: &Path) -> Result<Option<TicketFile>, TicketError> {
        match fs::read_to_string(path) {
            Ok(text) => TicketFile::parse(&text)
                .map(Some)
                .ok_or_else(|| failed(format!("{} is not a stepup ticket", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed(format!("cannot read {}: {e}", path.display()))),
        }
    }

    fn read_existing(&self, reference: &TicketRef) -> Result<(PathBuf, TicketFile), TicketError> {
        let path = self.path_of(reference)?;
        let file = self
            .read(&path)?
            .ok_or_else(|| failed(format!("no ticket {}", path.display())))?;
        Ok((path, file))
    }

    fn write(&self, path: &Path, file: &TicketFile) -> Result<(), TicketError> {
        fs::create_dir_all(&self.dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", self.dir.display())))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)
            .map_err(|e| failed(format!("cannot write in {}: {e}", self.dir.display())))?;
        tmp.write_all(file.render().as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
        tmp.persist(path)
            .map_err(|e| failed(format!("cannot write {}: {}", path.display(), e.error)))?;
        Ok(())
    }
}

fn failed(message: String) -> TicketError {
    TicketError::Failed {
        system: SYSTEM,
        message,
    }
}

/// One line of front matter: no line breaks.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A ticket file, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TicketFile {
    key: String,
    state: TicketState,
    severity: String,
    assignee: String,
    due: String,
    title: String,
    body: String,
    notes: String,
}

impl TicketFile {
    fn from_draft(draft: &TicketDraft) -> Self {
        let mut file = Self {
            key: draft.key.to_string(),
            state: TicketState::Open,
            severity: String::new(),
            assignee: String::new(),
            due: String::new(),
            title: String::new(),
            body: String::new(),
            notes: String::new(),
        };
        file.apply(draft);
        file
    }

    fn apply(&mut self, draft: &TicketDraft) {
        self.severity = draft.severity.as_str().to_string();
        self.assignee = draft.assignee.as_deref().map(one_line).unwrap_or_default();
        self.due = draft.due.to_string();
        self.title = one_line(&draft.title);
        self.body = draft.body.trim_end().to_string();
    }

    fn add_note(&mut self, note: &str) {
        let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        self.notes
            .push_str(&format!("\n### {at}\n\n{}\n", note.trim_end()));
    }

    fn render(&self) -> String {
        let state = match self.state {
            TicketState::Open => "open",
            TicketState::Resolved => "resolved",
        };
        format!(
            "---\nkey: {}\nstate: {state}\nseverity: {}\nassignee: {}\ndue: {}\ntitle: {}\n---\n\n# {}\n\n{}\n\n{NOTES_MARKER}\n## Notes\n{}",
            self.key, self.severity, self.assignee, self.due, self.title, self.title, self.body, self.notes
        )
    }

    fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("---\n")?;
        let (front, after) = rest.split_once("\n---\n")?;
        let field = |name: &str| {
            front.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        let state = match field("state")?.as_str() {
            "open" => TicketState::Open,
            "resolved" => TicketState::Resolved,
            _ => return None,
        };
        let title = field("title").unwrap_or_default();
        let (body, notes) = after.split_once(NOTES_MARKER).unwrap_or((after, ""));
        let body = body.trim();
        let body = body
            .strip_prefix(&format!("# {title}"))
            .unwrap_or(body)
            .trim()
            .to_string();
        let notes = notes
            .strip_prefix("\n## Notes\n")
            .unwrap_or(notes)
            .to_string();
        Some(Self {
            key: field("key")?,
            state,
            severity: field("severity").unwrap_or_default(),
            assignee: field("assignee").unwrap_or_default(),
            due: field("due").unwrap_or_default(),
            title,
            body,
            notes,
        })
    }
}

#[async_trait]
impl TicketSink for FileSink {
    fn system(&self) -> &'static str {
        SYSTEM
    }

    async fn find(&self, key: &TicketKey) -> Result<Option<FoundTicket>, TicketError> {
        let name = Self::file_name(key);
        let found = self.read(&self.dir.join(&name))?;
        Ok(found.map(|file| FoundTicket {
            reference: self.reference(name),
            state: file.state,
        }))
    }

    async fn create(&self, draft: &TicketDraft) -> Result<TicketRef, TicketError> {
        let name = Self::file_name(&draft.key);
        let path = self.dir.join(&name);
        if self.read(&path)?.is_some() {
            return Err(failed(format!("{} already exists", path.display())));
        }
        self.write(&path, &TicketFile::from_draft(draft))?;
        Ok(self.reference(name))
    }

    async fn update(
        &self,
        ticket: &TicketRef,
        draft: &TicketDraft,
        note: &str,
    ) -> Result<(), TicketError> {
        let (path, mut file) = self.read_existing(ticket)?;
        file.apply(draft);
        file.add_note(note);
        self.write(&path, &file)
    }

    async fn resolve(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let (path, mut file) = self.read_existing(ticket)?;
        file.state = TicketState::Resolved;
        file.add_note(note);
        self.write(&path, &file)
    }

    async fn reopen(&self, ticket: &TicketRef, note: &str) -> Result<(), TicketError> {
        let (path, mut file) = self.read_existing(ticket)?;
        file.state = TicketState::Open;
        file.add_note(note);
        self.write(&path, &file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_parse_round_trips() {
        let mut file = TicketFile {
            key: "stepup:t:u".into(),
            state: TicketState::Resolved,
            severity: "high".into(),
            assignee: "alice@contoso.example".into(),
            due: "2026-12-15".into(),
            title: "Title: with colon".into(),
            body: "Body\n\n- item".into(),
            notes: String::new(),
        };
        file.add_note("first\nsecond line");
        let parsed = TicketFile::parse(&file.render()).unwrap();
        assert_eq!(parsed, file);
    }

    #[test]
    fn config_defaults_under_the_state_dir() {
        let c = FileSinkConfig::from_lookup(|_| None, Path::new("/var/stepup"));
        assert_eq!(c.dir, Path::new("/var/stepup/tickets"));
        let c = FileSinkConfig::from_lookup(
            |k| (k == "STEPUP_TICKETS_DIR").then(|| "/tmp/out".to_string()),
            Path::new("/var/stepup"),
        );
        assert_eq!(c.dir, Path::new("/tmp/out"));
    }

    #[test]
    fn refuses_unsafe_references() {
        let sink = FileSink::new("/tmp/x");
        for id in ["../etc/passwd", "a/b.md", ".hidden.md", "x.txt"] {
            let r = TicketRef {
                system: SYSTEM,
                id: id.into(),
                url: None,
            };
            assert!(sink.path_of(&r).is_err(), "{id}");
        }
    }
}
