//! `stepup scan`.

use super::args::ScanArgs;

/// Runs `stepup scan`.
pub fn run(_args: ScanArgs) -> anyhow::Result<()> {
    anyhow::bail!("scan is being wired up")
}
