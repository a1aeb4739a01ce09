//! `stepup demo`.

use super::args::DemoArgs;

/// Runs `stepup demo`.
pub fn run(_args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("demo is being wired up")
}
