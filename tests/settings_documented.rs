//! Every setting the code reads is documented in the README and listed in
//! `local.settings.example.json`, and nothing else reads the environment.

use std::collections::BTreeSet;
use std::path::Path;

use stepup::config::SETTINGS;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn readme_documents_every_setting() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    for s in SETTINGS {
        assert!(
            readme.contains(&format!("`{}`", s.name)),
            "README.md does not document {}",
            s.name
        );
    }
}

#[test]
fn local_settings_example_lists_exactly_the_settings() {
    let text = std::fs::read_to_string(root().join("local.settings.example.json"))
        .expect("local.settings.example.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let listed: BTreeSet<&str> = json["Values"]
        .as_object()
        .expect("Values object")
        .keys()
        .map(String::as_str)
        .filter(|k| !matches!(*k, "FUNCTIONS_WORKER_RUNTIME" | "AzureWebJobsStorage"))
        .collect();
    // The host sets the port itself; it is not an app setting.
    let expected: BTreeSet<&str> = SETTINGS
        .iter()
        .map(|s| s.name)
        .filter(|n| *n != "FUNCTIONS_CUSTOMHANDLER_PORT")
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(json["Values"]["FUNCTIONS_WORKER_RUNTIME"], "custom");
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_config_reads_the_environment() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| !p.ends_with("config.rs"))
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            text.contains("env::var(") || text.contains("env::var_os(")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "read the environment outside config.rs: {offenders:?}"
    );
}
