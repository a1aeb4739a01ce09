//! `scripts/deploy`: its arguments are checked before anything else (no Azure CLI is
//! installed here), a missing `az` is reported clearly, and with a fake `az` that records
//! its calls the whole deployment runs in the right order without a key on a command line.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::bicep::repo_root;

const FUNCTION_KEY: &str = "fAkEkEy_0123456789abcdefABCDEF==";
const PRINCIPAL: &str = "bbbbbbbb-0000-0000-0000-000000000002";

/// An `az` stand-in: appends each call's arguments (one line, NUL-separated words) to
/// `$FAKE_AZ_LOG`, keeps a copy of every `@file` argument, and answers the queries
/// scripts/deploy makes.
const FAKE_AZ: &str = r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\0' "$@" >>"$FAKE_AZ_LOG"
printf '\n' >>"$FAKE_AZ_LOG"
for arg in "$@"; do
    if [[ "$arg" == @* && -f "${arg#@}" ]]; then
        cp "${arg#@}" "$FAKE_AZ_LOG.params"
        echo "${arg#@}" >"$FAKE_AZ_LOG.params-path"
    fi
done
query=""
previous=""
for arg in "$@"; do
    [[ "$previous" == "--query" ]] && query="$arg"
    previous="$arg"
done
case "$1 ${2:-} ${3:-}" in
    "account show "*) printf '11111111-1111-1111-1111-111111111111\tdeployer@contoso.com\tuser\n' ;;
    "ad signed-in-user "*) echo "aaaaaaaa-0000-0000-0000-000000000001" ;;
    "group exists "*) echo "${FAKE_GROUP_EXISTS:-false}" ;;
    "group create "*) ;;
    "deployment group create") ;;
    "deployment mg create") ;;
    "deployment group what-if") echo "what-if: 12 to create" ;;
    "deployment group show")
        case "$query" in
            *functionAppName*) echo "stepup-abc" ;;
            *functionAppHostName*) echo "stepup-abc.azurewebsites.net" ;;
            *identityPrincipalId*) echo "bbbbbbbb-0000-0000-0000-000000000002" ;;
            *keyVaultName*) echo "stepup-kv" ;;
            *) echo "fake az: unexpected query $query" >&2; exit 1 ;;
        esac ;;
    "ad sp show")
        case "$query" in
            id) echo "cccccccc-0000-0000-0000-000000000003" ;;
            *AuditLog.Read.All*) echo "b0afded3-3588-46d8-8b3d-9842eff778da" ;;
            *User.Read.All*) echo "df021288-bdef-4463-88db-98f22de89214" ;;
            *) echo "fake az: unexpected query $query" >&2; exit 1 ;;
        esac ;;
    "rest --method get") echo 0 ;;
    "rest --method post") ;;
    "keyvault secret set") ;;
    "functionapp deployment source") ;;
    "functionapp function keys") echo "fAkEkEy_0123456789abcdefABCDEF==" ;;
    *) echo "fake az: unexpected call: $*" >&2; exit 1 ;;
esac
"#;

fn deploy(args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(repo_root().join("scripts/deploy"))
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/deploy: {e}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A temporary folder with the fake `az`; returns (folder, az path, log path).
fn fake_az() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let az = dir.path().join("az");
    fs::write(&az, FAKE_AZ).expect("write fake az");
    fs::set_permissions(&az, fs::Permissions::from_mode(0o755)).expect("chmod fake az");
    let log = dir.path().join("az.log");
    (dir, az, log)
}

/// The recorded `az` calls, each as its list of arguments.
fn calls(log: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .map(|line| {
            line.split('\0')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn position(calls: &[Vec<String>], what: &str, from: usize) -> usize {
    calls
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, c)| c.join(" ").starts_with(what))
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no `az {what}` after call {from} in {calls:#?}"))
}

/// The value after `flag` in one call.
fn flag<'a>(call: &'a [String], flag: &str) -> Option<&'a str> {
    call.iter()
        .position(|a| a == flag)
        .and_then(|i| call.get(i + 1))
        .map(String::as_str)
}

#[test]
fn help_exits_zero_and_lists_the_options() {
    let output = deploy(&["--help"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--resource-group",
        "--location",
        "--subscriptions",
        "--name-prefix",
        "--what-if",
        "--secret",
        "--graph-roles",
    ] {
        assert!(
            help.contains(option),
            "--help does not mention {option}:\n{help}"
        );
    }
}

#[test]
fn no_arguments_is_a_usage_error() {
    let output = deploy(&[], &[("AZ", "/nonexistent/az")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("usage: scripts/deploy --resource-group NAME --location REGION"),
        "{err}"
    );
    assert!(
        !err.contains("Azure CLI"),
        "arguments must be checked before az: {err}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    for (args, message) in [
        (
            vec!["-g", "rg", "-l", "westeurope", "--frobnicate"],
            "unknown argument: --frobnicate",
        ),
        (vec!["-g", "rg"], "--location is required"),
        (
            vec!["-g", "rg", "-l", "westeurope", "--subscriptions", "prod"],
            "prod is not a subscription id",
        ),
        (
            vec!["-g", "rg", "-l", "westeurope", "--name-prefix", "Step Up"],
            "--name-prefix must be",
        ),
        (
            vec!["-g", "rg", "-l", "westeurope", "--graph-roles", "maybe"],
            "--graph-roles must be",
        ),
        (
            vec![
                "-g",
                "rg",
                "-l",
                "westeurope",
                "--secret",
                "TOKEN=/nonexistent",
            ],
            "--secret takes STEPUP_SETTING=FILE",
        ),
        (vec!["-g", "-l", "westeurope"], "-g needs a value"),
    ] {
        let output = deploy(&args, &[("AZ", "/nonexistent/az")]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_missing_azure_cli_is_reported_after_the_arguments() {
    let output = deploy(
        &["-g", "rg", "-l", "westeurope"],
        &[("AZ", "/nonexistent/az")],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("the Azure CLI (/nonexistent/az) is not installed"),
        "{err}"
    );
}

#[test]
fn what_if_previews_the_infrastructure_and_changes_nothing() {
    let (_dir, az, log) = fake_az();
    let output = deploy(
        &["-g", "rg-stepup", "-l", "westeurope", "--what-if"],
        &[
            ("AZ", az.to_str().expect("UTF-8 path")),
            ("FAKE_AZ_LOG", log.to_str().expect("UTF-8 path")),
            ("FAKE_GROUP_EXISTS", "true"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("what-if: 12 to create"));
    let calls = calls(&log);
    let what_if = &calls[position(&calls, "deployment group what-if", 0)];
    assert_eq!(
        flag(what_if, "--template-file"),
        repo_root().join("infra/main.bicep").to_str()
    );
    let changes = [
        "group create",
        "deployment group create",
        "functionapp",
        "rest",
        "keyvault",
    ];
    for call in &calls {
        let line = call.join(" ");
        assert!(
            !changes.iter().any(|c| line.starts_with(c)),
            "what-if ran `az {line}`"
        );
    }
}

#[test]
fn deploys_infrastructure_code_roles_secrets_and_alerts_in_order() {
    let (dir, az, log) = fake_az();
    let secret = dir.path().join("hmac.txt");
    fs::write(&secret, "not-a-real-secret").expect("write secret file");
    let zip = dir.path().join("out/stepup.zip");
    let secret_arg = format!("STEPUP_TEAMS_HMAC_SECRET={}", secret.display());
    let output = deploy(
        &[
            "--resource-group",
            "rg-stepup",
            "--location",
            "westeurope",
            "--subscriptions",
            "22222222-2222-2222-2222-22222222222A,33333333-3333-3333-3333-333333333333",
            "--management-group",
            "mg-platform",
            "--parameters",
            "defaultOwner=cloud-admins@contoso.com",
            "--secret",
            &secret_arg,
            "--binary",
            env!("CARGO_BIN_EXE_stepup"),
            "--zip",
            zip.to_str().expect("UTF-8 path"),
        ],
        &[
            ("AZ", az.to_str().expect("UTF-8 path")),
            ("FAKE_AZ_LOG", log.to_str().expect("UTF-8 path")),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        zip.is_file(),
        "scripts/package did not write {}",
        zip.display()
    );

    let calls = calls(&log);
    let first = position(&calls, "deployment group create", 0);
    let group = position(&calls, "group create", 0);
    assert!(
        group < first,
        "the resource group is created before the deployment"
    );
    let create = &calls[first];
    assert_eq!(flag(create, "--resource-group"), Some("rg-stepup"));
    assert_eq!(
        flag(create, "--template-file"),
        repo_root().join("infra/main.bicep").to_str()
    );
    let params: Vec<&str> = create
        .windows(2)
        .filter(|w| w[0] == "--parameters")
        .map(|w| w[1].as_str())
        .collect();
    for expected in [
        "location=westeurope",
        "namePrefix=stepup",
        r#"targetSubscriptionIds=["22222222-2222-2222-2222-22222222222a","33333333-3333-3333-3333-333333333333"]"#,
        "defaultOwner=cloud-admins@contoso.com",
        "secretsOfficerPrincipalId=aaaaaaaa-0000-0000-0000-000000000001",
        "secretsOfficerPrincipalType=User",
    ] {
        assert!(params.contains(&expected), "{expected} not in {params:?}");
    }

    let mg = &calls[position(&calls, "deployment mg create", first)];
    assert_eq!(flag(mg, "--management-group-id"), Some("mg-platform"));
    assert_eq!(
        flag(mg, "--parameters"),
        Some(format!("principalId={PRINCIPAL}").as_str())
    );

    let posts: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| c.join(" ").starts_with("rest --method post"))
        .collect();
    assert_eq!(posts.len(), 2, "one app role assignment per Graph role");
    for (post, role_id) in posts.iter().zip([
        "b0afded3-3588-46d8-8b3d-9842eff778da",
        "df021288-bdef-4463-88db-98f22de89214",
    ]) {
        let body = flag(post, "--body").unwrap_or("");
        assert!(body.contains(role_id) && body.contains(PRINCIPAL), "{body}");
        assert_eq!(
            flag(post, "--url"),
            Some(format!("https://graph.microsoft.com/v1.0/servicePrincipals/{PRINCIPAL}/appRoleAssignments").as_str())
        );
    }

    let stored = &calls[position(&calls, "keyvault secret set", first)];
    assert_eq!(flag(stored, "--vault-name"), Some("stepup-kv"));
    assert_eq!(flag(stored, "--name"), Some("teams-hmac-secret"));
    assert_eq!(flag(stored, "--file"), secret.to_str());

    let zip_deploy = position(&calls, "functionapp deployment source config-zip", first);
    assert_eq!(flag(&calls[zip_deploy], "--src"), zip.to_str());
    assert_eq!(flag(&calls[zip_deploy], "--name"), Some("stepup-abc"));
    let keys = position(&calls, "functionapp function keys list", zip_deploy);
    assert_eq!(
        flag(&calls[keys], "--function-name"),
        Some("service-health")
    );
    let second = position(&calls, "deployment group create", keys);
    let with_key = calls[second]
        .iter()
        .find(|a| a.starts_with('@'))
        .expect("a parameters file");
    let passed = fs::read_to_string(format!("{}.params", log.display()))
        .expect("the parameters file was passed");
    let json: serde_json::Value =
        serde_json::from_str(&passed).expect("valid JSON parameters file");
    assert_eq!(
        json["parameters"]["serviceHealthFunctionKey"]["value"],
        FUNCTION_KEY
    );
    assert!(
        !Path::new(&with_key[1..]).exists(),
        "the key file is removed afterwards"
    );

    for call in &calls {
        assert!(
            !call.iter().any(|a| a.contains(FUNCTION_KEY)),
            "the function key is on a command line: {call:?}"
        );
        assert!(
            !call.iter().any(|a| a.contains("not-a-real-secret")),
            "a secret is on a command line"
        );
    }
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains("https://stepup-abc.azurewebsites.net/api/teams"),
        "{summary}"
    );
    assert!(summary.contains("alerts on 2 subscription(s)"), "{summary}");
}
