//! `stepup digest`.

use super::args::DigestArgs;

/// Runs `stepup digest`.
pub fn run(_args: DigestArgs) -> anyhow::Result<()> {
    anyhow::bail!("digest is being wired up")
}
