//! A Functions host emulator: it lays out an app root the way a deployment does, starts the
//! built `stepup` as the host starts a custom handler, and invokes its functions with the
//! host's requests.
//!
//! Starting, as the host does:
//! - app root = a temporary folder with `host.json` and `<function>/function.json`;
//! - executable = `customHandler.description.defaultExecutablePath` resolved against the
//!   working directory (empty = the app root); here a link to the built binary;
//! - arguments = `customHandler.description.arguments`;
//! - environment = this process's, the app settings of [`DEFAULT_APP_SETTINGS`] (unless
//!   already set), the test's extra variables, and the host's own: `FUNCTIONS_CUSTOMHANDLER_PORT`,
//!   `FUNCTIONS_CUSTOMHANDLER_WORKER_ID`, `FUNCTIONS_HTTPWORKER_PORT`, `FUNCTIONS_HTTPWORKER_ID`,
//!   `FUNCTIONS_APP_ROOT_PATH`;
//! - every `%SETTING%` of a binding must resolve, or the host would not index the function;
//! - ready = the port accepts connections (the host pings until it gets any HTTP answer).
//!
//! Invoking, as the host does:
//! - timers and queues: `POST /<FunctionName>` with the bodies of [`payloads`] and the
//!   headers `X-Azure-Functions-InvocationId`, `X-Azure-Functions-HostVersion`,
//!   `User-Agent: Azure-Functions-Host/<version>`, `Content-Type: application/json`;
//! - HTTP functions with only an HTTP trigger and an HTTP output, with
//!   `enableForwardingHttpRequest`: the original method, path (`/<routePrefix>/<route>`),
//!   query, headers and raw body, plus the three host headers; the answer is returned as is.
//!   A request no function's route and methods match gets the host's 404, and a request to
//!   a `function` (or `admin`) level function without the key (`?code=` or
//!   `x-functions-key`) gets the host's empty 401; neither reaches the handler. The emulated
//!   app's keys are [`FUNCTION_KEY`] and [`MASTER_KEY`].

use std::collections::BTreeMap;
use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::Utc;
use tempfile::TempDir;

use super::app_layout::{repo_root, AppLayout, FunctionJson, FUNCTION_DEFS_DIR};
use super::app_settings::{resolve, DEFAULT_APP_SETTINGS};
use super::ncrontab;
use super::payloads::{self, QueueDelivery, QueueWire};
use super::replies::{HttpReply, Invocation};

/// The host version the emulator claims to be.
pub const HOST_VERSION: &str = "4.1044.400.0";

/// The emulated app's function key (valid for `function` level functions).
pub const FUNCTION_KEY: &str = "emulated-function-key";

/// The emulated app's master key (valid for every level).
pub const MASTER_KEY: &str = "emulated-master-key";

/// How long the handler may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `stepup serve` behind an emulated Functions host. Dropping it kills the handler.
pub struct HostEmulator {
    layout: AppLayout,
    settings: BTreeMap<String, String>,
    app_root: TempDir,
    logs: TempDir,
    child: Child,
    port: u16,
    client: reqwest::Client,
}

impl HostEmulator {
    /// Starts the handler with the default app settings.
    pub async fn start() -> Self {
        Self::start_with_env(&[]).await
    }

    /// Starts the handler with extra environment variables (app settings).
    ///
    /// Panics with a clear message, including the handler's stderr, when the layout cannot be
    /// read, a `%SETTING%` is missing, or the handler exits or does not listen in time.
    pub async fn start_with_env(extra: &[(&str, &str)]) -> Self {
        let app_root = tempfile::tempdir().expect("emulator: temporary app root");
        let logs = tempfile::tempdir().expect("emulator: temporary log folder");
        lay_out_app_root(&repo_root(), app_root.path());
        let layout = AppLayout::from_app_root(app_root.path())
            .unwrap_or_else(|e| panic!("emulator: the app root cannot be read: {e}"));
        let handler = layout
            .host
            .custom_handler
            .clone()
            .unwrap_or_else(|| panic!("emulator: host.json has no customHandler section"));

        let settings = app_settings(extra);
        check_indexable(&layout, &settings);

        let working_dir = if handler.description.working_directory.is_empty() {
            app_root.path().to_path_buf()
        } else {
            app_root.path().join(&handler.description.working_directory)
        };
        let executable = working_dir.join(&handler.description.default_executable_path);
        link_binary(Path::new(env!("CARGO_BIN_EXE_stepup")), &executable);

        let port = free_port();
        let worker_id = payloads::random_uuid().to_string();
        let stdout = fs::File::create(logs.path().join("stdout")).expect("emulator: stdout file");
        let stderr = fs::File::create(logs.path().join("stderr")).expect("emulator: stderr file");
        let mut command = Command::new(&executable);
        command
            .args(&handler.description.arguments)
            .current_dir(&working_dir)
            .envs(&settings)
            .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
            .env("FUNCTIONS_CUSTOMHANDLER_WORKER_ID", &worker_id)
            .env("FUNCTIONS_HTTPWORKER_PORT", port.to_string())
            .env("FUNCTIONS_HTTPWORKER_ID", &worker_id)
            .env("FUNCTIONS_APP_ROOT_PATH", app_root.path())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("emulator: cannot start {}: {e}", executable.display()));

        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("emulator: HTTP client");
        let mut emulator = Self {
            layout,
            settings,
            app_root,
            logs,
            child,
            port,
            client,
        };
        emulator.wait_until_listening().await;
        emulator
    }

    /// The port the handler listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The app root (the handler's working directory).
    pub fn app_root(&self) -> &Path {
        self.app_root.path()
    }

    /// The app as the host indexed it.
    pub fn layout(&self) -> &AppLayout {
        &self.layout
    }

    /// The handler's stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(self.logs.path().join("stderr")).unwrap_or_default()
    }

    /// The handler's stdout so far.
    pub fn stdout(&self) -> String {
        fs::read_to_string(self.logs.path().join("stdout")).unwrap_or_default()
    }

    /// Fires a timer-triggered function, with the schedule status the host would keep.
    pub async fn invoke_timer(&self, name: &str, past_due: bool) -> Invocation {
        let (function, binding, schedule) = self.timer(name);
        let now = Utc::now();
        let status = payloads::schedule_status(&schedule, now, past_due);
        let body = payloads::timer_request(&function, &binding, Some(status), past_due, now);
        self.invoke_raw(&function, body.to_string()).await
    }

    /// Fires a timer-triggered function the first time (no schedule status yet).
    pub async fn invoke_timer_first_run(&self, name: &str) -> Invocation {
        let (function, binding, _) = self.timer(name);
        let body = payloads::timer_request(&function, &binding, None, false, Utc::now());
        self.invoke_raw(&function, body.to_string()).await
    }

    /// Delivers a queue message to a queue-triggered function, encoded as the host does.
    pub async fn invoke_queue(&self, name: &str, message: &str, dequeue_count: u32) -> Invocation {
        self.invoke_queue_as(name, message, dequeue_count, QueueWire::Host)
            .await
    }

    /// Delivers a queue message in the given wire form.
    pub async fn invoke_queue_as(
        &self,
        name: &str,
        message: &str,
        dequeue_count: u32,
        wire: QueueWire,
    ) -> Invocation {
        let (function, f) = self.known(name);
        let trigger = f
            .trigger()
            .filter(|t| t.is("queueTrigger"))
            .unwrap_or_else(|| panic!("emulator: {function} is not queue-triggered"));
        let delivery = QueueDelivery {
            function: &function,
            binding: &trigger.name,
            message,
            dequeue_count,
        };
        let body = payloads::queue_request(&delivery, wire, Utc::now());
        self.invoke_raw(&function, body.to_string()).await
    }

    /// Posts `body` as is to `/<name>` with the host's invocation headers, whether or not
    /// `name` is a function (for error tests).
    pub async fn invoke_raw(&self, name: &str, body: impl Into<Vec<u8>>) -> Invocation {
        let url = format!("http://127.0.0.1:{}/{name}", self.port);
        let request = self
            .with_host_headers(self.client.post(&url), None)
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body.into());
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| self.fail(&format!("POST /{name} failed: {e}")));
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| self.fail(&format!("reading the answer to /{name}: {e}")));
        Invocation {
            function: name.to_string(),
            status,
            content_type,
            body,
        }
    }

    /// Sends an HTTP request to the app as a client would (`route` below the route prefix,
    /// optionally with `?query`); the host forwards it to the handler.
    pub async fn http(
        &self,
        method: &str,
        route: &str,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> HttpReply {
        let route = route.trim_start_matches('/');
        let (path, query) = route.split_once('?').unwrap_or((route, ""));
        let Some((_, function)) = self
            .layout
            .http_function(method, path.trim_end_matches('/'))
        else {
            return host_reply(404);
        };
        let level = function
            .trigger()
            .and_then(|t| t.auth_level.as_deref())
            .unwrap_or("function");
        if !authorized(level, query, headers) {
            return host_reply(401);
        }
        let forwarding = self
            .layout
            .host
            .custom_handler
            .as_ref()
            .is_some_and(|h| h.enable_forwarding_http_request);
        assert!(
            forwarding && function.is_http_in_and_out(),
            "emulator: only forwarded HTTP functions are emulated ({method} {route})"
        );
        let prefix = self.layout.route_prefix().trim_matches('/');
        let mut url = if prefix.is_empty() {
            format!("http://127.0.0.1:{}/{path}", self.port)
        } else {
            format!("http://127.0.0.1:{}/{prefix}/{path}", self.port)
        };
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let method = reqwest::Method::from_str(method)
            .unwrap_or_else(|e| panic!("emulator: bad method {method:?}: {e}"));
        let mut request = self.client.request(method, &url);
        let mut user_agent = None;
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("user-agent") {
                user_agent = Some(*value);
            } else {
                request = request.header(*name, *value);
            }
        }
        let request = self
            .with_host_headers(request, user_agent)
            .body(body.into());
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| self.fail(&format!("forwarding {route} failed: {e}")));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .bytes()
            .await
            .unwrap_or_else(|e| self.fail(&format!("reading the answer to {route}: {e}")))
            .to_vec();
        HttpReply {
            status,
            headers,
            body,
            from_handler: true,
        }
    }

    /// The host's headers on every request to the handler. The host appends its product
    /// token to a forwarded request's own `User-Agent`.
    fn with_host_headers(
        &self,
        request: reqwest::RequestBuilder,
        user_agent: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let host_agent = format!("Azure-Functions-Host/{HOST_VERSION}");
        let agent = match user_agent {
            Some(ua) => format!("{ua} {host_agent}"),
            None => host_agent,
        };
        request
            .header(
                "X-Azure-Functions-InvocationId",
                payloads::random_uuid().to_string(),
            )
            .header("X-Azure-Functions-HostVersion", HOST_VERSION)
            .header("User-Agent", agent)
    }

    /// A function by name; panics when the app has none of that name.
    fn known(&self, name: &str) -> (String, &FunctionJson) {
        self.layout
            .function(name)
            .map(|(n, f)| (n.to_string(), f))
            .unwrap_or_else(|| panic!("emulator: the app has no function {name:?}"))
    }

    /// A timer function's name, trigger binding name and resolved schedule.
    fn timer(&self, name: &str) -> (String, String, cron::Schedule) {
        let (function, f) = self.known(name);
        let trigger = f
            .trigger()
            .filter(|t| t.is("timerTrigger"))
            .unwrap_or_else(|| panic!("emulator: {function} is not timer-triggered"));
        let written = trigger.schedule.as_deref().unwrap_or_default();
        let expression = resolve(written, &self.settings)
            .unwrap_or_else(|e| panic!("emulator: {function}: {e}"));
        let schedule =
            ncrontab::parse(&expression).unwrap_or_else(|e| panic!("emulator: {function}: {e}"));
        (function, trigger.name.clone(), schedule)
    }

    /// Waits until the handler accepts connections; panics if it exits or takes too long.
    async fn wait_until_listening(&mut self) {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => panic!(
                    "emulator: stepup serve exited ({status}) before listening on port {}\n--- stderr ---\n{}",
                    self.port,
                    self.stderr()
                ),
                Ok(None) => {}
                Err(e) => self.fail(&format!("cannot watch stepup serve: {e}")),
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "stepup serve did not listen on port {} within {STARTUP_TIMEOUT:?}",
                    self.port
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Panics with `message` and the handler's stderr.
    fn fail(&self, message: &str) -> ! {
        panic!(
            "emulator: {message}\n--- stepup stderr ---\n{}",
            self.stderr()
        )
    }
}

impl Drop for HostEmulator {
    fn drop(&mut self) {
        // The child may have exited already; both calls then fail harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer of the host itself (the handler is not called): a status with an empty body.
fn host_reply(status: u16) -> HttpReply {
    HttpReply {
        status,
        headers: Vec::new(),
        body: Vec::new(),
        from_handler: false,
    }
}

/// The host's key check: `anonymous` needs nothing, `function` the function or master key,
/// `admin` the master key, given as `?code=` or `x-functions-key`.
fn authorized(level: &str, query: &str, headers: &[(&str, &str)]) -> bool {
    let from_query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == "code")
        .map(|(_, v)| v);
    let from_header = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("x-functions-key"))
        .map(|(_, v)| *v);
    let mut keys = from_query.chain(from_header);
    match level.to_ascii_lowercase().as_str() {
        "anonymous" => true,
        "admin" => keys.any(|k| k == MASTER_KEY),
        _ => keys.any(|k| k == FUNCTION_KEY || k == MASTER_KEY),
    }
}

/// Builds an app root from the repository: `host.json` and `<function>/function.json`.
pub fn lay_out_app_root(repo: &Path, root: &Path) {
    let copy = |from: &Path, to: &Path| {
        fs::copy(from, to).unwrap_or_else(|e| {
            panic!(
                "emulator: cannot copy {} to {}: {e}",
                from.display(),
                to.display()
            )
        });
    };
    copy(&repo.join("host.json"), &root.join("host.json"));
    let defs = repo.join(FUNCTION_DEFS_DIR);
    let entries = fs::read_dir(&defs)
        .unwrap_or_else(|e| panic!("emulator: cannot read {}: {e}", defs.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("emulator: {}: {e}", defs.display()));
        let source = entry.path().join("function.json");
        if source.is_file() {
            let folder = root.join(entry.file_name());
            fs::create_dir_all(&folder)
                .unwrap_or_else(|e| panic!("emulator: {}: {e}", folder.display()));
            copy(&source, &folder.join("function.json"));
        }
    }
}

/// The app settings the handler gets: defaults not already in the environment, then extras.
fn app_settings(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut settings: BTreeMap<String, String> = std::env::vars().collect();
    for (k, v) in DEFAULT_APP_SETTINGS {
        settings
            .entry((*k).to_string())
            .or_insert_with(|| (*v).to_string());
    }
    for (k, v) in extra {
        settings.insert((*k).to_string(), (*v).to_string());
    }
    settings
}

/// Panics when a binding names an app setting that is missing: the host would not index it.
fn check_indexable(layout: &AppLayout, settings: &BTreeMap<String, String>) {
    for (name, function) in &layout.functions {
        for binding in &function.bindings {
            for value in [&binding.schedule, &binding.queue_name]
                .into_iter()
                .flatten()
            {
                if let Err(e) = resolve(value, settings) {
                    panic!(
                        "emulator: the host would not index {name} (binding {}): {e}",
                        binding.name
                    );
                }
            }
        }
    }
}

/// Puts the built binary where host.json says the executable is.
fn link_binary(binary: &Path, at: &Path) {
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(binary, at);
    #[cfg(not(unix))]
    let linked = fs::copy(binary, at).map(|_| ());
    linked.unwrap_or_else(|e| {
        panic!(
            "emulator: cannot place {} at {}: {e}",
            binary.display(),
            at.display()
        )
    });
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("emulator: no free local port")
}
