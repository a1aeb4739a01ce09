//! The `stepup` binary: see `stepup --help`.

fn main() -> std::process::ExitCode {
    stepup::cli::main()
}
