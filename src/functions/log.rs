//! Per-invocation logging: every line goes to the invocation's `Logs` (which the host writes
//! to its own log) and to `tracing`, tagged with the invocation id.

use std::sync::{Arc, Mutex};

/// The most lines one invocation keeps for the host; tracing still gets every line.
const MAX_LINES: usize = 500;

/// Collects an invocation's log lines.
#[derive(Debug, Clone)]
pub struct InvocationLog {
    invocation_id: Arc<str>,
    function: Arc<str>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl InvocationLog {
    /// A log for one invocation of `function`.
    pub fn new(function: &str, invocation_id: &str) -> Self {
        Self {
            invocation_id: invocation_id.into(),
            function: function.into(),
            lines: Arc::default(),
        }
    }

    /// The invocation id (`X-Azure-Functions-InvocationId`), or `-` when the caller sent none.
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// An informational line.
    pub fn info(&self, message: impl AsRef<str>) {
        let message = message.as_ref();
        tracing::info!(invocation_id = %self.invocation_id, function = %self.function, "{message}");
        self.push("Information", message);
    }

    /// A warning.
    pub fn warn(&self, message: impl AsRef<str>) {
        let message = message.as_ref();
        tracing::warn!(invocation_id = %self.invocation_id, function = %self.function, "{message}");
        self.push("Warning", message);
    }

    /// An error.
    pub fn error(&self, message: impl AsRef<str>) {
        let message = message.as_ref();
        tracing::error!(invocation_id = %self.invocation_id, function = %self.function, "{message}");
        self.push("Error", message);
    }

    fn push(&self, level: &str, message: &str) {
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() < MAX_LINES {
            lines.push(format!("[{level}] {message}"));
        } else if lines.len() == MAX_LINES {
            lines.push("[Warning] further log lines dropped from Logs (see traces)".into());
        }
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::InvocationLog;

    #[test]
    fn collects_levels_and_caps() {
        let log = InvocationLog::new("scan", "id-1");
        log.info("one");
        log.error("two");
        assert_eq!(log.lines(), vec!["[Information] one", "[Error] two"]);
        for i in 0..1000 {
            log.warn(format!("{i}"));
        }
        assert_eq!(log.lines().len(), super::MAX_LINES + 1);
    }
}
