//! The live scan's progress bar (indicatif) on stderr, only when stderr is a terminal:
//! jobs done of jobs planned, records read, the source of the last page.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sources::{JobOutcome, Progress, SourceJob};

/// Progress of a live scan.
pub(super) struct ScanProgress {
    bar: Option<ProgressBar>,
    records: AtomicU64,
}

impl ScanProgress {
    /// A bar on stderr when it is a terminal, else nothing.
    pub(super) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} sources · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            records: AtomicU64::new(0),
        }
    }

    /// Clears the bar.
    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for ScanProgress {
    fn page(&self, source: &str, records: usize) {
        let total = self.records.fetch_add(records as u64, Ordering::Relaxed) + records as u64;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{total} records · {source}"));
        }
    }

    fn finished(&self, _job: &SourceJob, outcome: &JobOutcome) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if let JobOutcome::Failed { source, .. } = outcome {
                bar.println(format!("stepup: {source} failed (see the report)"));
            }
        }
    }

    fn planned(&self, jobs: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(jobs as u64);
        }
    }
}
