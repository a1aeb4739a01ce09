//! `stepup scan`: the readiness report of exported tenant data.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use super::args::{OutputFormat, ScanArgs};
use crate::config::Config;
use crate::input::ExportDir;
use crate::offline::{scan_dir, settings_for};
use crate::report::{render, Format, Scan};

/// At most this many problems are printed on stderr; the report lists them all.
const PROBLEMS_SHOWN: usize = 20;

/// Runs `stepup scan`.
pub fn run(args: ScanArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let Some(from) = args.from.clone() else {
        super::logging::init(config.log_format, super::scan_live::LOG_FILTER);
        return super::scan_live::run(args, &config);
    };
    super::logging::init(config.log_format, "warn");
    let dir = ExportDir::open(&from)?;
    let settings = settings_for(&dir, args.settings.as_deref(), &config.tenant)?;
    let (scan, _) = scan_dir(&dir, &settings, Utc::now())?;
    warn_problems(&scan);
    let scan = match args.min_severity {
        Some(min) => scan.with_min_severity(min),
        None => scan,
    };
    write_report(&scan, args.format.into(), args.out.as_deref())
}

/// Prints the scan's problems on stderr, a bounded number of them.
pub(super) fn warn_problems(scan: &Scan) {
    let problems = &scan.report.problems;
    for p in problems.iter().take(PROBLEMS_SHOWN) {
        eprintln!("stepup: warning: {p}");
    }
    if problems.len() > PROBLEMS_SHOWN {
        eprintln!(
            "stepup: warning: and {} more problems (see the report)",
            problems.len() - PROBLEMS_SHOWN
        );
    }
    if !problems.is_empty() {
        eprintln!("stepup: warning: the scan is incomplete; it resolves nothing");
    }
}

/// Renders a report to a file, or to stdout.
pub(super) fn write_report(scan: &Scan, format: Format, out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            render(scan, format, &mut file)
                .and_then(|()| file.flush())
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => super::to_stdout(|out| render(scan, format, out)),
    }
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Md => Format::Md,
            OutputFormat::Html => Format::Html,
            OutputFormat::Csv => Format::Csv,
        }
    }
}
