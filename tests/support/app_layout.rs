//! The Functions app layout as the host reads it: `host.json` at the app root and one folder
//! per function holding its `function.json`. In this repository the function folders live
//! under `function-defs/`; packaging puts them at the app root beside `host.json`.
//!
//! Known properties are typed; anything else lands in an `other` map, so a test can insist
//! that nothing unexpected (a misspelt property) is present.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The folder of the repository's function definitions, relative to its root.
pub const FUNCTION_DEFS_DIR: &str = "function-defs";

/// Why a layout could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file is not the JSON the host expects.
    #[error("{path} is not a valid {what}: {source}")]
    Json {
        /// The path.
        path: PathBuf,
        /// `host.json` or `function.json`.
        what: &'static str,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A function folder has no `function.json`.
    #[error("{0} holds no function.json")]
    MissingFunctionJson(PathBuf),
    /// A folder name is not valid UTF-8.
    #[error("{0} is not a valid UTF-8 function name")]
    BadName(PathBuf),
}

/// The repository root: where `host.json` and `function-defs/` live.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `host.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostJson {
    /// The schema version; `"2.0"` for Functions 2.x and later.
    pub version: String,
    /// The longest a function may run (`hh:mm:ss`).
    pub function_timeout: Option<String>,
    /// The custom handler section.
    pub custom_handler: Option<CustomHandler>,
    /// The extension bundle that provides the timer, queue and HTTP bindings.
    pub extension_bundle: Option<ExtensionBundle>,
    /// Binding extension settings.
    #[serde(default)]
    pub extensions: Extensions,
    /// Logging settings, kept as JSON.
    pub logging: Option<Value>,
    /// Any other top-level property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `customHandler`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomHandler {
    /// How to start the handler.
    pub description: HandlerDescription,
    /// Whether HTTP-only functions get the original request forwarded.
    #[serde(default)]
    pub enable_forwarding_http_request: bool,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `customHandler.description`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandlerDescription {
    /// The executable, relative to the working directory when not absolute.
    pub default_executable_path: String,
    /// The working directory; empty means the app root.
    #[serde(default)]
    pub working_directory: String,
    /// Arguments passed to the executable.
    #[serde(default)]
    pub arguments: Vec<String>,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `extensionBundle`.
#[derive(Debug, Clone, Deserialize)]
pub struct ExtensionBundle {
    /// The bundle id.
    pub id: String,
    /// The version range.
    pub version: String,
}

/// `extensions`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Extensions {
    /// `extensions.http`.
    pub http: Option<HttpExtension>,
    /// `extensions.queues`.
    pub queues: Option<QueuesExtension>,
    /// Any other extension's settings.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `extensions.http`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpExtension {
    /// The route prefix of every HTTP function (`api` by default).
    pub route_prefix: Option<String>,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `extensions.queues`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuesExtension {
    /// Messages fetched and run in parallel per function and instance.
    pub batch_size: Option<u32>,
    /// When the in-flight count falls to this, the next batch is fetched.
    pub new_batch_threshold: Option<u32>,
    /// The longest wait between polls of an empty queue.
    pub max_polling_interval: Option<String>,
    /// How long a failed message stays invisible before its retry.
    pub visibility_timeout: Option<String>,
    /// Deliveries before a message moves to `<queue>-poison`.
    pub max_dequeue_count: Option<u32>,
    /// `base64` (the default) or `none`.
    pub message_encoding: Option<String>,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One `function.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct FunctionJson {
    /// The bindings, trigger included.
    pub bindings: Vec<Binding>,
    /// Whether the function is disabled.
    pub disabled: Option<bool>,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One binding of a `function.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The binding type (`timerTrigger`, `queueTrigger`, `queue`, `httpTrigger`, `http`).
    #[serde(rename = "type")]
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// The name under which the value travels in `Data` or `Outputs`.
    pub name: String,
    /// Timer: the NCRONTAB schedule or a `%SETTING%`.
    pub schedule: Option<String>,
    /// Timer: whether to run when the host starts.
    pub run_on_startup: Option<bool>,
    /// Timer: whether the host keeps the schedule status (past-due detection).
    pub use_monitor: Option<bool>,
    /// Queue: the queue name or a `%SETTING%`.
    pub queue_name: Option<String>,
    /// Queue: the app-setting prefix of the storage connection.
    pub connection: Option<String>,
    /// HTTP trigger: `anonymous`, `function` or `admin`.
    pub auth_level: Option<String>,
    /// HTTP trigger: the accepted methods.
    pub methods: Option<Vec<String>>,
    /// HTTP trigger: the route below the route prefix.
    pub route: Option<String>,
    /// Any other property.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Binding {
    /// Whether this is a trigger binding (its type ends in `Trigger`).
    pub fn is_trigger(&self) -> bool {
        self.kind.to_ascii_lowercase().ends_with("trigger")
    }

    /// Whether this binding's type is `kind` (the host compares types case-insensitively).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// Whether the binding is an input (the host's `direction: in`).
    pub fn is_input(&self) -> bool {
        self.direction.eq_ignore_ascii_case("in")
    }

    /// Whether the binding is an output (`direction: out`).
    pub fn is_output(&self) -> bool {
        self.direction.eq_ignore_ascii_case("out")
    }
}

impl FunctionJson {
    /// The trigger bindings (a valid function has exactly one).
    pub fn triggers(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| b.is_trigger())
    }

    /// The one trigger, if there is exactly one.
    pub fn trigger(&self) -> Option<&Binding> {
        let mut triggers = self.triggers();
        match (triggers.next(), triggers.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }

    /// The input bindings, trigger included.
    pub fn inputs(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| b.is_input())
    }

    /// The output bindings.
    pub fn outputs(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| b.is_output())
    }

    /// The binding named `name`.
    pub fn binding(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.name == name)
    }

    /// The host's rule for forwarding an HTTP request unchanged: exactly one input, an
    /// `httpTrigger`, and exactly one output, an `http` binding.
    pub fn is_http_in_and_out(&self) -> bool {
        let inputs: Vec<&Binding> = self.inputs().collect();
        let outputs: Vec<&Binding> = self.outputs().collect();
        matches!(
            (inputs.as_slice(), outputs.as_slice()),
            ([i], [o]) if i.is("httpTrigger") && o.is("http")
        )
    }
}

/// A whole app: `host.json` and the functions by name.
#[derive(Debug, Clone)]
pub struct AppLayout {
    /// `host.json`.
    pub host: HostJson,
    /// Each function's `function.json`, by folder name.
    pub functions: BTreeMap<String, FunctionJson>,
}

impl AppLayout {
    /// The repository's sources: `<repo>/host.json` and `<repo>/function-defs/*/function.json`.
    pub fn from_sources(repo: &Path) -> Result<Self, LayoutError> {
        Ok(Self {
            host: read_host_json(&repo.join("host.json"))?,
            functions: read_function_dirs(&repo.join(FUNCTION_DEFS_DIR), true)?,
        })
    }

    /// A deployed app root: `<root>/host.json` and `<root>/*/function.json`, the way the host
    /// indexes it (folders without a `function.json` are not functions).
    pub fn from_app_root(root: &Path) -> Result<Self, LayoutError> {
        Ok(Self {
            host: read_host_json(&root.join("host.json"))?,
            functions: read_function_dirs(root, false)?,
        })
    }

    /// A function by name, compared case-insensitively as the host does.
    pub fn function(&self, name: &str) -> Option<(&str, &FunctionJson)> {
        self.functions
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The route prefix of HTTP functions (`api` unless `host.json` says otherwise).
    pub fn route_prefix(&self) -> &str {
        self.host
            .extensions
            .http
            .as_ref()
            .and_then(|h| h.route_prefix.as_deref())
            .unwrap_or("api")
    }

    /// The HTTP function serving `method` at `route` (below the prefix), if any. Routes are
    /// compared literally and case-insensitively; stepup's routes have no parameters.
    pub fn http_function(&self, method: &str, route: &str) -> Option<(&str, &FunctionJson)> {
        self.functions
            .iter()
            .find(|(_, f)| {
                f.trigger().is_some_and(|t| {
                    t.is("httpTrigger")
                        && t.route
                            .as_deref()
                            .is_some_and(|r| r.trim_matches('/').eq_ignore_ascii_case(route))
                        && t.methods
                            .as_ref()
                            .is_none_or(|ms| ms.iter().any(|m| m.eq_ignore_ascii_case(method)))
                })
            })
            .map(|(k, v)| (k.as_str(), v))
    }
}

fn read_host_json(path: &Path) -> Result<HostJson, LayoutError> {
    let text = fs::read_to_string(path).map_err(|source| LayoutError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| LayoutError::Json {
        path: path.to_path_buf(),
        what: "host.json",
        source,
    })
}

/// Reads `<dir>/*/function.json`. With `strict`, every subfolder must hold one.
fn read_function_dirs(
    dir: &Path,
    strict: bool,
) -> Result<BTreeMap<String, FunctionJson>, LayoutError> {
    let io = |source| LayoutError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut functions = BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let file = path.join("function.json");
        if !file.is_file() {
            if strict {
                return Err(LayoutError::MissingFunctionJson(path));
            }
            continue;
        }
        let name = entry
            .file_name()
            .to_str()
            .ok_or_else(|| LayoutError::BadName(path.clone()))?
            .to_string();
        let text = fs::read_to_string(&file).map_err(|source| LayoutError::Io {
            path: file.clone(),
            source,
        })?;
        let function = serde_json::from_str(&text).map_err(|source| LayoutError::Json {
            path: file.clone(),
            what: "function.json",
            source,
        })?;
        functions.insert(name, function);
    }
    Ok(functions)
}
