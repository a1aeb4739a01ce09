//! The command line: `serve`, `scan`, `demo`, `digest`, `tickets`, `synth`.
//!
//! Exit codes: 0 ok, 1 failure, 2 usage. Errors are one line on stderr.

mod args;
mod backends;
mod demo;
mod demo_teams;
mod demo_tickets;
mod digest;
mod logging;
mod scan;
mod scan_live;
mod scan_progress;
mod serve;
mod synth;
mod tickets;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, OutputFormat};

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version print to stdout and exit 0; usage errors print and exit 2.
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stepup: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => serve::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Digest(a) => digest::run(a),
        Command::Tickets(a) => tickets::run(a),
        Command::Synth(a) => synth::run(a),
    }
}

/// Writes to stdout through `write`; a reader that stopped early (`stepup … | head`) is not
/// an error.
fn to_stdout(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match write(&mut lock).and_then(|()| std::io::Write::flush(&mut lock)) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// An error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace(['\r', '\n'], " ")
}
