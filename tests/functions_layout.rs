//! The Functions app layout: `host.json` and `function-defs/*/function.json` hold only what
//! the Functions host accepts, and say what stepup needs.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use support::app_layout::{repo_root, AppLayout, Binding, FunctionJson};
use support::app_settings::{reference, DEFAULT_APP_SETTINGS};
use support::ncrontab;

/// The functions stepup deploys.
const FUNCTIONS: [&str; 6] = [
    "digest",
    "notify-worker",
    "scan",
    "scan-worker",
    "service-health",
    "teams",
];

/// The storage connection every queue binding uses (the app's own account).
const STORAGE_CONNECTION: &str = "AzureWebJobsStorage";

fn app() -> AppLayout {
    AppLayout::from_sources(&repo_root()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every binding of every function, with its function's name.
fn all_bindings(app: &AppLayout) -> Vec<(&str, &Binding)> {
    app.functions
        .iter()
        .flat_map(|(name, f)| f.bindings.iter().map(move |b| (name.as_str(), b)))
        .collect()
}

// ---- rules of the host and of Azure Storage ----

/// The host's function-name rule: `^[a-z][a-z0-9_\-]{0,127}$`, case-insensitive.
fn valid_function_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The host's binding-name rule: `^([a-zA-Z][a-zA-Z0-9]{0,127}|\$return)$`.
fn valid_binding_name(name: &str) -> bool {
    if name == "$return" {
        return true;
    }
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Azure Storage queue names: 3–63 characters, lowercase letters, digits and hyphens; starts
/// and ends with a letter or digit; no two hyphens in a row.
fn valid_queue_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// A queue name as written in function.json: a valid name or a `%SETTING%`.
fn valid_queue_name_property(value: &str) -> bool {
    reference(value).is_some() || valid_queue_name(value)
}

/// A schedule as written in function.json: a `%SETTING%` or a six-field NCRONTAB.
fn check_schedule_property(value: &str) -> Result<(), String> {
    match reference(value) {
        Some(_) => Ok(()),
        None => ncrontab::parse(value).map(|_| ()),
    }
}

/// An HTTP route below the prefix: non-empty, no leading or trailing `/`, no query, no
/// parameters (stepup's routes are literal), lowercase letters, digits, `-` and `/`.
fn valid_route(route: &str) -> bool {
    !route.is_empty()
        && !route.starts_with('/')
        && !route.ends_with('/')
        && !route.contains("//")
        && route
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/')
}

/// A .NET `TimeSpan` in `hh:mm:ss`, as seconds.
fn timespan_seconds(value: &str) -> Option<u64> {
    let parts: Vec<&str> = value.split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return None;
    };
    let (h, m, s): (u64, u64, u64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// The properties each binding type may carry besides `type`, `direction` and `name`.
fn allowed_properties(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "timerTrigger" => &["schedule", "runOnStartup", "useMonitor"],
        "queueTrigger" | "queue" => &["queueName", "connection"],
        "httpTrigger" => &["authLevel", "methods", "route"],
        "http" => &[],
        _ => return None,
    })
}

/// The properties a binding sets, as written.
fn set_properties(b: &Binding) -> BTreeSet<String> {
    let typed = [
        ("schedule", b.schedule.is_some()),
        ("runOnStartup", b.run_on_startup.is_some()),
        ("useMonitor", b.use_monitor.is_some()),
        ("queueName", b.queue_name.is_some()),
        ("connection", b.connection.is_some()),
        ("authLevel", b.auth_level.is_some()),
        ("methods", b.methods.is_some()),
        ("route", b.route.is_some()),
    ];
    typed
        .iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| (*k).to_string())
        .chain(b.other.keys().cloned())
        .collect()
}

// ---- the rules reject what they should ----

#[test]
fn the_rules_reject_invalid_values() {
    for bad in [
        "ab",
        "Stepup-jobs",
        "-jobs",
        "jobs-",
        "stepup--jobs",
        "a_b",
        &"q".repeat(64),
    ] {
        assert!(!valid_queue_name(bad), "queue name {bad:?} accepted");
    }
    assert!(valid_queue_name("abc") && valid_queue_name(&"q".repeat(63)));
    assert!(!valid_queue_name_property("%%") && valid_queue_name_property("%QUEUE%"));
    for bad in [
        "0 5 * * *",
        "0 0 8 * * 1",
        "0 0 8 ? * Mon",
        "0 0 25 * * *",
        "@daily",
    ] {
        assert!(
            check_schedule_property(bad).is_err(),
            "schedule {bad:?} accepted"
        );
    }
    assert!(check_schedule_property("0 */5 * * * Mon-Fri").is_ok());
    for bad in [
        "",
        "/teams",
        "teams/",
        "api//x",
        "teams/{id}",
        "Teams",
        "teams?x=1",
    ] {
        assert!(!valid_route(bad), "route {bad:?} accepted");
    }
    for bad in ["1scan", "scan.worker", ""] {
        assert!(!valid_function_name(bad), "function name {bad:?} accepted");
    }
    for bad in ["job-1", "1job", "my_job", ""] {
        assert!(!valid_binding_name(bad), "binding name {bad:?} accepted");
    }
    assert_eq!(timespan_seconds("00:10:00"), Some(600));
    assert_eq!(timespan_seconds("00:61:00"), None);
    assert_eq!(timespan_seconds("10:00"), None);
}

// ---- function.json ----

#[test]
fn the_function_set_is_exactly_the_six() {
    let app = app();
    let names: Vec<&str> = app.functions.keys().map(String::as_str).collect();
    assert_eq!(names, FUNCTIONS);
    for name in names {
        assert!(
            valid_function_name(name),
            "{name} is not a valid function name"
        );
    }
}

#[test]
fn function_json_files_carry_only_bindings() {
    for (name, f) in &app().functions {
        assert!(
            f.other.is_empty(),
            "{name}: unexpected {:?}",
            f.other.keys()
        );
        assert_ne!(f.disabled, Some(true), "{name} is disabled");
        assert!(!f.bindings.is_empty(), "{name} has no bindings");
    }
}

#[test]
fn every_binding_has_a_known_type_direction_and_properties() {
    let app = app();
    for (function, b) in all_bindings(&app) {
        let allowed = allowed_properties(&b.kind)
            .unwrap_or_else(|| panic!("{function}: unknown binding type {:?}", b.kind));
        let direction = if b.is_trigger() { "in" } else { "out" };
        assert_eq!(b.direction, direction, "{function}/{}: direction", b.name);
        let unexpected: Vec<String> = set_properties(b)
            .into_iter()
            .filter(|p| !allowed.contains(&p.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{function}/{}: properties {unexpected:?} do not belong to {}",
            b.name,
            b.kind
        );
    }
}

#[test]
fn binding_names_are_valid_and_unique_per_function() {
    for (function, f) in &app().functions {
        let mut seen = BTreeSet::new();
        for b in &f.bindings {
            assert!(
                valid_binding_name(&b.name),
                "{function}: binding name {:?}",
                b.name
            );
            // The host compares binding names case-insensitively.
            assert!(
                seen.insert(b.name.to_ascii_lowercase()),
                "{function}: binding name {:?} used twice",
                b.name
            );
        }
    }
}

#[test]
fn every_function_has_exactly_one_trigger() {
    for (function, f) in &app().functions {
        let triggers: Vec<&str> = f.triggers().map(|t| t.kind.as_str()).collect();
        assert_eq!(triggers.len(), 1, "{function} has triggers {triggers:?}");
    }
}

#[test]
fn queue_bindings_name_valid_queues_on_the_app_storage() {
    let app = app();
    for (function, b) in all_bindings(&app) {
        if !(b.is("queueTrigger") || b.is("queue")) {
            continue;
        }
        let queue = b.queue_name.as_deref().unwrap_or_default();
        assert!(
            valid_queue_name_property(queue),
            "{function}/{}: queue name {queue:?}",
            b.name
        );
        // Poison messages go to <queue>-poison, which must be a valid name too.
        if reference(queue).is_none() {
            assert!(
                valid_queue_name(&format!("{queue}-poison")),
                "{queue}-poison"
            );
        }
        assert_eq!(
            b.connection.as_deref(),
            Some(STORAGE_CONNECTION),
            "{function}/{}: connection",
            b.name
        );
    }
}

#[test]
fn every_queue_written_is_read_by_a_worker() {
    let app = app();
    let read: BTreeSet<&str> = all_bindings(&app)
        .into_iter()
        .filter(|(_, b)| b.is("queueTrigger"))
        .filter_map(|(_, b)| b.queue_name.as_deref())
        .collect();
    for (function, b) in all_bindings(&app) {
        if b.is("queue") {
            let queue = b.queue_name.as_deref().unwrap_or_default();
            assert!(
                read.contains(queue),
                "{function} writes {queue}, nobody reads it"
            );
        }
    }
}

#[test]
fn timer_schedules_are_settings_or_ncrontab_and_their_defaults_are_valid() {
    let app = app();
    let defaults: BTreeMap<&str, &str> = DEFAULT_APP_SETTINGS.iter().copied().collect();
    for (function, b) in all_bindings(&app) {
        if !b.is("timerTrigger") {
            continue;
        }
        let schedule = b.schedule.as_deref().unwrap_or_default();
        check_schedule_property(schedule).unwrap_or_else(|e| panic!("{function}: {e}"));
        if let Some(setting) = reference(schedule) {
            let default = defaults
                .get(setting)
                .unwrap_or_else(|| panic!("{function}: no default for app setting {setting}"));
            ncrontab::parse(default).unwrap_or_else(|e| panic!("{setting}: {e}"));
        }
        assert_ne!(
            b.run_on_startup,
            Some(true),
            "{function}: runOnStartup in production"
        );
    }
}

#[test]
fn http_functions_are_forwardable_with_valid_routes_and_methods() {
    let app = app();
    let mut routes = BTreeSet::new();
    for (function, f) in &app.functions {
        let Some(trigger) = f.trigger().filter(|t| t.is("httpTrigger")) else {
            assert!(
                f.bindings.iter().all(|b| !b.is("http")),
                "{function}: http output without an HTTP trigger"
            );
            continue;
        };
        assert!(
            f.is_http_in_and_out(),
            "{function}: forwarding needs exactly an httpTrigger in and an http out"
        );
        let route = trigger.route.as_deref().unwrap_or_default();
        assert!(valid_route(route), "{function}: route {route:?}");
        assert!(routes.insert(route.to_string()), "route {route} used twice");
        let methods = trigger.methods.clone().unwrap_or_default();
        assert!(
            !methods.is_empty(),
            "{function}: no methods (would accept all)"
        );
        for m in &methods {
            assert!(
                ["get", "post", "put", "patch", "delete", "head", "options"].contains(&m.as_str()),
                "{function}: method {m:?}"
            );
        }
        let auth = trigger.auth_level.as_deref().unwrap_or_default();
        assert!(
            ["anonymous", "function", "admin"].contains(&auth),
            "{function}: authLevel {auth:?}"
        );
    }
}

/// The bindings each function must have: type, direction, name and the properties stepup
/// depends on.
fn expected_bindings() -> BTreeMap<&'static str, Value> {
    let queue_out = |name: &str, queue: &str| {
        json!({"type": "queue", "direction": "out", "name": name, "queueName": queue,
               "connection": STORAGE_CONNECTION})
    };
    let queue_in = |name: &str, queue: &str| {
        json!({"type": "queueTrigger", "direction": "in", "name": name, "queueName": queue,
               "connection": STORAGE_CONNECTION})
    };
    let timer = |setting: &str| {
        json!({"type": "timerTrigger", "direction": "in", "name": "timer",
               "schedule": format!("%{setting}%")})
    };
    let http = |route: &str, auth: &str| {
        json!([
            {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": auth,
             "methods": ["post"], "route": route},
            {"type": "http", "direction": "out", "name": "res"}
        ])
    };
    BTreeMap::from([
        (
            "scan",
            json!([
                timer("STEPUP_SCAN_SCHEDULE"),
                queue_out("jobs", "stepup-jobs")
            ]),
        ),
        ("digest", json!([timer("STEPUP_DIGEST_SCHEDULE")])),
        (
            "scan-worker",
            json!([
                queue_in("job", "stepup-jobs"),
                queue_out("jobs", "stepup-jobs"),
                queue_out("notify", "stepup-notify")
            ]),
        ),
        (
            "notify-worker",
            json!([queue_in("notice", "stepup-notify")]),
        ),
        ("service-health", http("service-health", "function")),
        ("teams", http("teams", "anonymous")),
    ])
}

/// Whether every property of `expected` is in `actual` with the same value.
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        _ => actual == expected,
    }
}

#[test]
fn each_function_has_the_bindings_stepup_needs() {
    for (function, expected) in expected_bindings() {
        let path = repo_root().join(format!("function-defs/{function}/function.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let actual: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let actual = actual["bindings"].as_array().cloned().unwrap_or_default();
        let expected = expected.as_array().cloned().unwrap_or_default();
        assert_eq!(actual.len(), expected.len(), "{function}: binding count");
        for e in &expected {
            assert!(
                actual.iter().any(|a| contains(a, e)),
                "{function}: no binding like {e}"
            );
        }
    }
}

#[test]
fn timers_keep_a_schedule_status() {
    let app = app();
    for (function, b) in all_bindings(&app) {
        if b.is("timerTrigger") {
            assert_eq!(b.use_monitor, Some(true), "{function}: useMonitor");
        }
    }
}

/// Helper so a function's trigger type is easy to state in assertions.
fn trigger_kind(f: &FunctionJson) -> &str {
    f.trigger().map_or("", |t| t.kind.as_str())
}

#[test]
fn triggers_are_what_each_function_reacts_to() {
    let app = app();
    let kinds: BTreeMap<&str, &str> = app
        .functions
        .iter()
        .map(|(n, f)| (n.as_str(), trigger_kind(f)))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("digest", "timerTrigger"),
            ("notify-worker", "queueTrigger"),
            ("scan", "timerTrigger"),
            ("scan-worker", "queueTrigger"),
            ("service-health", "httpTrigger"),
            ("teams", "httpTrigger"),
        ])
    );
}

// ---- host.json ----

#[test]
fn host_json_starts_stepup_serve_as_the_custom_handler() {
    let host = app().host;
    assert_eq!(host.version, "2.0");
    assert!(
        host.other.is_empty(),
        "unexpected host.json keys {:?}",
        host.other.keys()
    );
    let handler = host.custom_handler.expect("customHandler");
    assert_eq!(handler.description.default_executable_path, "stepup");
    assert_eq!(handler.description.working_directory, "");
    assert_eq!(handler.description.arguments, ["serve"]);
    assert!(handler.description.other.is_empty());
    assert!(handler.enable_forwarding_http_request);
    assert!(handler.other.is_empty());
}

#[test]
fn host_json_uses_the_v4_bundle_and_a_consumption_safe_timeout() {
    let host = app().host;
    let bundle = host.extension_bundle.expect("extensionBundle");
    assert_eq!(bundle.id, "Microsoft.Azure.Functions.ExtensionBundle");
    assert_eq!(bundle.version, "[4.*, 5.0.0)");
    let timeout = host.function_timeout.expect("functionTimeout");
    let seconds = timespan_seconds(&timeout).unwrap_or_else(|| panic!("timeout {timeout:?}"));
    // The Consumption plan's maximum is 10 minutes.
    assert!((60..=600).contains(&seconds), "functionTimeout {timeout}");
}

#[test]
fn host_json_queues_take_plain_json_messages() {
    let host = app().host;
    let queues = host.extensions.queues.expect("extensions.queues");
    assert_eq!(queues.message_encoding.as_deref(), Some("none"));
    assert_eq!(queues.max_dequeue_count, Some(5));
    let batch = queues.batch_size.expect("batchSize");
    assert!((1..=32).contains(&batch), "batchSize {batch}");
    for (what, value) in [
        ("visibilityTimeout", queues.visibility_timeout),
        ("maxPollingInterval", queues.max_polling_interval),
    ] {
        let value = value.unwrap_or_else(|| panic!("{what} missing"));
        assert!(timespan_seconds(&value).is_some(), "{what} {value:?}");
    }
    assert!(
        queues.other.is_empty(),
        "unexpected {:?}",
        queues.other.keys()
    );
}

#[test]
fn host_json_routes_http_under_api_and_samples_telemetry() {
    let app = app();
    assert_eq!(app.route_prefix(), "api");
    let logging = app.host.logging.expect("logging");
    assert_eq!(
        logging["applicationInsights"]["samplingSettings"]["isEnabled"],
        json!(true)
    );
    assert!(
        logging["applicationInsights"]["samplingSettings"]["excludedTypes"]
            .as_str()
            .is_some_and(|t| t.split(';').any(|t| t == "Exception")),
        "exceptions must never be sampled away"
    );
    let levels = logging["logLevel"].as_object().expect("logging.logLevel");
    let known = [
        "Trace",
        "Debug",
        "Information",
        "Warning",
        "Error",
        "Critical",
        "None",
    ];
    assert!(levels.contains_key("default"));
    for (category, level) in levels {
        assert!(
            level.as_str().is_some_and(|l| known.contains(&l)),
            "log level {category}: {level}"
        );
    }
}
