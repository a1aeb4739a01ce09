//! `scripts/package` writes the zip a Functions app is deployed from: `host.json`, one
//! folder per function with its `function.json`, and the `stepup` executable with its run bit.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::app_layout::{repo_root, AppLayout, FUNCTION_DEFS_DIR};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_stepup"))
}

fn package(args: &[&str]) -> Output {
    Command::new(repo_root().join("scripts/package"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/package: {e}"))
}

/// Packages the test binary into `dir/stepup.zip` and returns the zip's path.
fn package_into(dir: &Path) -> PathBuf {
    let zip = dir.join("out/stepup.zip");
    let bin = binary();
    let output = package(&[
        "--binary",
        bin.to_str().expect("binary path is UTF-8"),
        "--out",
        zip.to_str().expect("temp path is UTF-8"),
    ]);
    assert!(
        output.status.success(),
        "scripts/package failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    zip
}

/// The zip's entries: name → (Unix mode, content).
fn entries(zip: &Path) -> Vec<(String, Option<u32>, Vec<u8>)> {
    let file = fs::File::open(zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let mut archive = zip::ZipArchive::new(file).unwrap_or_else(|e| panic!("not a zip: {e}"));
    (0..archive.len())
        .map(|i| {
            let mut entry = archive
                .by_index(i)
                .unwrap_or_else(|e| panic!("entry {i}: {e}"));
            let mut content = Vec::new();
            entry
                .read_to_end(&mut content)
                .unwrap_or_else(|e| panic!("{}: {e}", entry.name()));
            (entry.name().to_string(), entry.unix_mode(), content)
        })
        .collect()
}

fn function_names() -> Vec<String> {
    let layout = AppLayout::from_sources(&repo_root()).unwrap_or_else(|e| panic!("{e}"));
    layout.functions.keys().cloned().collect()
}

#[test]
fn the_zip_holds_exactly_the_app_layout() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let zip = package_into(tmp.path());
    let names: BTreeSet<String> = entries(&zip).into_iter().map(|(n, _, _)| n).collect();
    let mut expected: BTreeSet<String> = function_names()
        .into_iter()
        .map(|f| format!("{f}/function.json"))
        .collect();
    expected.insert("host.json".into());
    expected.insert("stepup".into());
    assert_eq!(names, expected);
    assert_eq!(
        names.len(),
        8,
        "host.json, six functions and the executable"
    );
}

#[test]
fn the_executable_keeps_its_run_bit_and_the_json_files_are_plain() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let zip = package_into(tmp.path());
    for (name, mode, _) in entries(&zip) {
        let mode = mode.unwrap_or_else(|| panic!("{name} has no Unix mode"));
        // A regular file (S_IFREG), with the permissions stepup needs.
        assert_eq!(mode & 0o170000, 0o100000, "{name} is not a regular file");
        let expected = if name == "stepup" { 0o755 } else { 0o644 };
        assert_eq!(mode & 0o777, expected, "{name} mode {:o}", mode & 0o777);
    }
}

#[test]
fn every_entry_is_identical_to_its_source() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let zip = package_into(tmp.path());
    let repo = repo_root();
    for (name, _, content) in entries(&zip) {
        let source = match name.as_str() {
            "stepup" => binary(),
            "host.json" => repo.join("host.json"),
            other => repo.join(FUNCTION_DEFS_DIR).join(other),
        };
        let original = fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            content == original,
            "{name} differs from {}",
            source.display()
        );
    }
}

#[test]
fn the_unpacked_zip_is_an_app_root_the_host_can_index() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let zip = package_into(tmp.path());
    let root = tmp.path().join("wwwroot");
    for (name, _, content) in entries(&zip) {
        let path = root.join(&name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folder");
        }
        fs::write(&path, content).expect("write entry");
    }
    let deployed = AppLayout::from_app_root(&root).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = deployed.functions.keys().cloned().collect();
    assert_eq!(names, function_names());
    let handler = deployed.host.custom_handler.expect("customHandler");
    assert!(root
        .join(&handler.description.default_executable_path)
        .is_file());
}

#[test]
fn bad_arguments_fail_with_a_reason() {
    let unknown = package(&["--frobnicate"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown argument: --frobnicate"));

    let tmp = tempfile::tempdir().expect("temp dir");
    let missing = tmp.path().join("no-such-binary");
    let out = tmp.path().join("stepup.zip");
    let result = package(&[
        "--binary",
        missing.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("no executable at"));
    assert!(!out.exists(), "no zip after a failure");
}
