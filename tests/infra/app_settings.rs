//! The function app's settings in infra/main.bicep against what the code reads
//! (`stepup::config::SETTINGS`): every `STEPUP_*` setting is set, nothing else `STEPUP_*`
//! is, secrets are Key Vault references, and the host's own settings are identity-based.

use std::collections::{BTreeMap, BTreeSet};

use stepup::config::SETTINGS;

use crate::bicep::{object_of, repo_root, Template};

/// Settings the Functions host (not stepup) reads that the template may set.
const HOST_SETTINGS: &[&str] = &[
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__credential",
    "AzureWebJobsStorage__clientId",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
];

/// Settings a Flex Consumption app must not have (the platform rejects or ignores them),
/// and the key-based storage connection that shared-key-less storage cannot serve.
const FORBIDDEN_SETTINGS: &[&str] = &[
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "WEBSITE_CONTENTSHARE",
    "AzureWebJobsStorage",
];

/// The app settings main.bicep sets: plain ones with their value's source text, and
/// secret ones with their Key Vault secret name.
struct TemplateSettings {
    plain: BTreeMap<String, String>,
    secret: BTreeMap<String, String>,
}

fn template_settings(main: &Template) -> TemplateSettings {
    let plain = main
        .variable("appSettings")
        .expect("main.bicep declares `var appSettings = {…}`");
    let secret = main
        .variable("secretSettings")
        .expect("main.bicep declares `var secretSettings = {…}`");
    assert_eq!(plain.kind(), "object", "appSettings is an object literal");
    assert_eq!(
        secret.kind(),
        "object",
        "secretSettings is an object literal"
    );
    TemplateSettings {
        plain: main
            .object_entries(plain)
            .into_iter()
            .map(|(k, v)| (k, main.text(v).to_string()))
            .collect(),
        secret: main
            .object_entries(secret)
            .into_iter()
            .map(|(k, v)| (k, main.string_value(v).unwrap_or_default()))
            .collect(),
    }
}

/// The Key Vault secret name of a secret setting: without `STEPUP_`, lowercase, hyphens.
fn key_vault_secret_name(setting: &str) -> String {
    setting
        .trim_start_matches("STEPUP_")
        .to_ascii_lowercase()
        .replace('_', "-")
}

/// What is wrong between the `STEPUP_*` settings the code reads (name, secret) and those
/// the template sets.
fn stepup_mismatches(code: &[(&str, bool)], template: &TemplateSettings) -> Vec<String> {
    let mut problems = Vec::new();
    let read: BTreeSet<&str> = code.iter().map(|(n, _)| *n).collect();
    for &(name, secret) in code.iter().filter(|(n, _)| n.starts_with("STEPUP_")) {
        match (template.plain.contains_key(name), template.secret.get(name)) {
            (false, None) => problems.push(format!("{name} is read by stepup but not set by infra/main.bicep")),
            (true, Some(_)) => problems.push(format!("{name} is set twice (appSettings and secretSettings)")),
            (true, None) if secret => problems.push(format!(
                "{name} is a secret: it belongs in secretSettings (a Key Vault reference), not appSettings"
            )),
            (false, Some(_)) if !secret => problems.push(format!(
                "{name} is not a secret: set it in appSettings, not secretSettings"
            )),
            (false, Some(vault_name)) if *vault_name != key_vault_secret_name(name) => {
                problems.push(format!(
                    "{name}'s Key Vault secret is `{vault_name}`, expected `{}`",
                    key_vault_secret_name(name)
                ))
            }
            _ => {}
        }
    }
    for name in template.plain.keys().chain(template.secret.keys()) {
        if name.starts_with("STEPUP_") && !read.contains(name.as_str()) {
            problems.push(format!(
                "{name} is set by infra/main.bicep but stepup does not read it"
            ));
        }
    }
    problems
}

fn code_settings() -> Vec<(&'static str, bool)> {
    SETTINGS.iter().map(|s| (s.name, s.secret)).collect()
}

#[test]
fn the_template_sets_exactly_the_stepup_settings_the_code_reads() {
    let main = Template::infra("main.bicep");
    let template = template_settings(&main);
    let problems = stepup_mismatches(&code_settings(), &template);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let stepup_count = SETTINGS
        .iter()
        .filter(|s| s.name.starts_with("STEPUP_"))
        .count();
    assert!(
        stepup_count >= 5,
        "SETTINGS lists only {stepup_count} STEPUP_* settings"
    );
}

#[test]
fn a_missing_unknown_or_misplaced_setting_is_caught() {
    let template = TemplateSettings {
        plain: [
            ("STEPUP_SCAN_SCHEDULE", "scanSchedule"),
            ("STEPUP_RETIRED", "'x'"),
            ("STEPUP_TEAMS_HMAC_SECRET", "'oops'"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        secret: [("STEPUP_JIRA_TOKEN", "jira")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let code = [
        ("STEPUP_SCAN_SCHEDULE", false),
        ("STEPUP_NEW", false),
        ("STEPUP_TEAMS_HMAC_SECRET", true),
        ("STEPUP_JIRA_TOKEN", true),
    ];
    let problems = stepup_mismatches(&code, &template).join("\n");
    for expected in [
        "STEPUP_NEW is read by stepup but not set",
        "STEPUP_RETIRED is set by infra/main.bicep but stepup does not read it",
        "STEPUP_TEAMS_HMAC_SECRET is a secret",
        "STEPUP_JIRA_TOKEN's Key Vault secret is `jira`, expected `jira-token`",
    ] {
        assert!(
            problems.contains(expected),
            "`{expected}` not in:\n{problems}"
        );
    }
    assert!(!problems.contains("STEPUP_SCAN_SCHEDULE"), "{problems}");
}

#[test]
fn secret_settings_become_key_vault_references() {
    let main = Template::infra("main.bicep");
    let references = main
        .variable("keyVaultReferences")
        .map(|v| main.text(v).to_string())
        .expect("main.bicep declares keyVaultReferences");
    assert!(
        references.contains("items(secretSettings)")
            && references.contains("'@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${s.value}/)'"),
        "keyVaultReferences does not turn every secretSettings entry into a Key Vault reference:\n{references}"
    );

    // main.bicep hands both to the function app ...
    let function_app = main
        .declarations_of("module")
        .into_iter()
        .find(|d| d.name == "functionApp")
        .and_then(|d| main.assigned_value(d.node))
        .and_then(object_of)
        .expect("module functionApp");
    let params = main
        .entry(function_app, "params")
        .expect("functionApp params");
    let passed = main.entry(params, "appSettings").map(|v| main.text(v));
    assert_eq!(passed, Some("union(appSettings, keyVaultReferences)"));

    // ... which makes them its `appsettings`, and resolves references as the identity.
    let module = Template::infra("modules/function-app.bicep");
    let resources = module.resources();
    let config = resources
        .iter()
        .find(|(kind, _)| kind.starts_with("Microsoft.Web/sites/config@"))
        .map(|(_, body)| *body)
        .expect("a Microsoft.Web/sites/config resource");
    let name = module
        .entry(config, "name")
        .and_then(|n| module.string_value(n));
    assert_eq!(name.as_deref(), Some("appsettings"));
    let properties = module.entry(config, "properties").map(|v| module.text(v));
    assert_eq!(properties, Some("appSettings"));
    let site = resources
        .iter()
        .find(|(kind, _)| kind.starts_with("Microsoft.Web/sites@"))
        .map(|(_, body)| *body)
        .expect("a Microsoft.Web/sites resource");
    let site_properties = module.entry(site, "properties").expect("site properties");
    let reference_identity = module
        .entry(site_properties, "keyVaultReferenceIdentity")
        .map(|v| module.text(v));
    assert_eq!(reference_identity, Some("identityId"));
}

#[test]
fn the_host_uses_the_managed_identity_and_the_custom_handler() {
    let main = Template::infra("main.bicep");
    let template = template_settings(&main);
    let value = |name: &str| template.plain.get(name).map(String::as_str);
    assert_eq!(
        value("AzureWebJobsStorage__credential"),
        Some("'managedidentity'")
    );
    assert_eq!(
        value("AzureWebJobsStorage__accountName"),
        Some("storage.outputs.name")
    );
    assert_eq!(
        value("AzureWebJobsStorage__clientId"),
        Some("identity.outputs.clientId")
    );
    assert_eq!(value("AZURE_CLIENT_ID"), Some("identity.outputs.clientId"));
    assert_eq!(
        value("APPLICATIONINSIGHTS_CONNECTION_STRING"),
        Some("monitoring.outputs.connectionString")
    );
    for forbidden in FORBIDDEN_SETTINGS {
        assert!(
            !template.plain.contains_key(*forbidden) && !template.secret.contains_key(*forbidden),
            "{forbidden} must not be set on a Flex Consumption app with key-less storage"
        );
    }

    let module = Template::infra("modules/function-app.bicep");
    let runtime = module
        .nodes_of_kind("object_property")
        .into_iter()
        .find(|p| {
            p.named_child(0)
                .is_some_and(|k| module.text(k) == "runtime")
        })
        .and_then(|p| p.named_child(1))
        .expect("functionAppConfig.runtime");
    let name = module
        .entry(runtime, "name")
        .and_then(|n| module.string_value(n));
    assert_eq!(
        name.as_deref(),
        Some("custom"),
        "the custom-handler runtime"
    );
}

#[test]
fn every_other_setting_is_read_by_the_host_or_by_stepup() {
    let main = Template::infra("main.bicep");
    let template = template_settings(&main);
    for name in template.plain.keys().filter(|n| !n.starts_with("STEPUP_")) {
        let spec = SETTINGS.iter().find(|s| s.name == name);
        assert!(
            spec.is_some() || HOST_SETTINGS.contains(&name.as_str()),
            "{name} is neither read by stepup (src/config.rs) nor a host setting"
        );
        assert!(
            !spec.is_some_and(|s| s.secret),
            "{name} is a secret and is set as plain text"
        );
    }
    // The host sets the port itself; the identity needs no client secret or certificate.
    for never in [
        "FUNCTIONS_CUSTOMHANDLER_PORT",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_FEDERATED_TOKEN_FILE",
    ] {
        assert!(!template.plain.contains_key(never), "{never} is set");
    }
}

#[test]
fn the_queues_are_the_ones_the_functions_bind_to() {
    let mut bound = BTreeSet::new();
    let defs = repo_root().join("function-defs");
    for entry in std::fs::read_dir(&defs).expect("function-defs").flatten() {
        let file = entry.path().join("function.json");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for binding in json["bindings"].as_array().into_iter().flatten() {
            if let Some(queue) = binding["queueName"].as_str() {
                bound.insert(queue.to_string());
            }
        }
    }
    assert!(!bound.is_empty(), "no queue bindings in function-defs");

    let main = Template::infra("main.bicep");
    let queues = main.variable("queueNames").expect("var queueNames");
    let created: BTreeSet<String> = queues
        .named_children(&mut queues.walk())
        .filter_map(|q| main.string_value(q))
        .collect();
    assert_eq!(created, bound);
}
