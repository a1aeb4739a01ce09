//! `stepup synth`.

use super::args::SynthArgs;

/// Runs `stepup synth`.
pub fn run(_args: SynthArgs) -> anyhow::Result<()> {
    anyhow::bail!("synth is being wired up")
}
