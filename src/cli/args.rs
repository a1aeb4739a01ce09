//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::detect::model::Severity;

/// stepup finds the accounts that break under Microsoft's mandatory MFA for Azure Resource
/// Manager ("Phase 2"), tells their owners and tracks them until they are fixed.
#[derive(Debug, Parser)]
#[command(name = "stepup", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Azure Functions custom handler (the Functions host starts this).
    Serve(ServeArgs),
    /// Scan a tenant live (Graph and ARM), or exported data with --from DIR, and print the
    /// readiness report.
    Scan(ScanArgs),
    /// Run the whole job on the bundled demo tenant, state in a local folder.
    Demo(DemoArgs),
    /// Print the readiness digest from the state folder, or post it to Teams (--post).
    Digest(DigestArgs),
    /// Show the lifecycle of each tracked account (state, ticket, dates) from the state folder.
    Tickets(TicketsArgs),
    /// Write a deterministic synthetic tenant (export layout) with its expected report.
    Synth(SynthArgs),
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for a terminal.
    Table,
    /// The JSON report (stable contract).
    Json,
    /// Markdown.
    Md,
    /// A self-contained HTML readiness report.
    Html,
    /// One CSV row per account.
    Csv,
}

/// `stepup serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (127.0.0.1); defaults to $FUNCTIONS_CUSTOMHANDLER_PORT.
    #[arg(long)]
    pub port: Option<String>,
}

/// `stepup scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory of exported API data (signIns.json, activityLog.json, …; see DESIGN.md §4).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only list accounts at or above this severity (critical, high, medium, low).
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Tenant settings file (default: DIR/stepup.toml when present; live: the STEPUP_*
    /// environment).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Live scans: the tenant to read (default: $STEPUP_TENANT_ID, else $AZURE_TENANT_ID).
    #[arg(long, value_name = "TENANT_ID", conflicts_with = "from")]
    pub tenant: Option<String>,
    /// Live scans: comma-separated subscription ids to read (default: $STEPUP_SUBSCRIPTIONS,
    /// else every subscription the identity can read).
    #[arg(long, value_name = "IDS", conflicts_with = "from")]
    pub subscriptions: Option<String>,
    /// Live scans: read the whole look-back and keep no incremental state (default: read
    /// only what is new since the last scan, with state in $STEPUP_STATE_DIR).
    #[arg(long, conflicts_with = "from")]
    pub full: bool,
}

/// `stepup demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo keeps its tenant, reports and outboxes (default: $STEPUP_STATE_DIR or .stepup).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Size of the demo tenant.
    #[arg(long, default_value_t = 400)]
    pub users: usize,
}

/// `stepup digest`.
#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The state folder (default: $STEPUP_STATE_DIR or .stepup).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Output format: table (text) or json.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// The tenant (default: $STEPUP_TENANT_ID when it has a scan, else every scanned tenant).
    #[arg(long, value_name = "TENANT_ID")]
    pub tenant: Option<crate::ids::TenantId>,
    /// Also post the digest card to the default Teams channel ($STEPUP_TEAMS_WEBHOOK, else
    /// the outbox folder $STEPUP_TEAMS_DIR or <state dir>/teams).
    #[arg(long)]
    pub post: bool,
}

/// `stepup tickets`.
#[derive(Debug, Args)]
pub struct TicketsArgs {
    /// The state folder (default: $STEPUP_STATE_DIR or .stepup).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Output format: table (text) or json.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// `stepup synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of user accounts.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Days of activity.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Random seed (same seed, same tenant, byte for byte).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}
