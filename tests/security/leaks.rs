//! The secret scanner of the leak tests: every secret a test configured or saw issued, by
//! name, and assertions that a text, or every file below a folder, contains none of them.

use std::path::Path;

/// Secrets by name.
#[derive(Debug, Default, Clone)]
pub struct Secrets {
    known: Vec<(String, String)>,
}

impl Secrets {
    /// No secrets yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`, known as `name` in failure messages. Values shorter than 8 characters
    /// would match by chance and are refused.
    pub fn add(&mut self, name: &str, value: &str) -> &mut Self {
        assert!(
            value.len() >= 8,
            "{name}: a test secret needs 8+ characters"
        );
        self.known.push((name.to_string(), value.to_string()));
        self
    }

    /// Panics when `text` (found at `place`) contains a secret; names the secret, never
    /// prints it.
    pub fn assert_absent(&self, place: &str, text: &str) {
        for (name, value) in &self.known {
            if let Some(at) = text.find(value.as_str()) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(60)
                    .map_or(0, |(i, _)| i);
                panic!("{name} leaked into {place}, after: {:?}", &text[from..at]);
            }
        }
    }

    /// Checks every file below `dir` (read as lossy UTF-8); returns how many were read.
    pub fn assert_absent_below(&self, dir: &Path) -> usize {
        let mut read = 0;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                read += self.assert_absent_below(&path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                self.assert_absent(
                    &path.display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                );
                read += 1;
            }
        }
        read
    }
}
