//! `stepup synth`: a deterministic synthetic tenant in the export layout.

use anyhow::Context;

use super::args::SynthArgs;
use crate::synth::{generate, SynthOptions};

/// Runs `stepup synth`.
pub fn run(args: SynthArgs) -> anyhow::Result<()> {
    if args.users == 0 {
        anyhow::bail!("--users must be at least 1");
    }
    if args.days == 0 {
        anyhow::bail!("--days must be at least 1");
    }
    let opts = SynthOptions::new(args.users, args.days, args.seed);
    let summary = generate(&opts, &args.out).with_context(|| {
        format!(
            "cannot write the synthetic tenant to {}",
            args.out.display()
        )
    })?;
    let bytes: u64 = summary.files.iter().map(|(_, b)| b).sum();
    println!(
        "wrote {} records ({:.1} MB) for {} users over {} days to {}; {} accounts expected at risk (expected.json)",
        summary.records,
        bytes as f64 / 1e6,
        args.users,
        args.days,
        args.out.display(),
        summary.expected_at_risk
    );
    Ok(())
}
