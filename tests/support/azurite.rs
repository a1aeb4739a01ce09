//! Azurite (the Storage emulator, npm `azurite` pinned in `tests/node`) for tests that run
//! the real `azure_storage_blob` and `azure_storage_queue` SDKs: the blob service always,
//! the queue service with [`Azurite::start_with_queues`].
//!
//! The SDK sends only Entra bearer tokens and only over HTTPS, so Azurite runs with
//! `--oauth basic` on loopback with a self-signed certificate made at start-up. The SDK gets
//! [`Azurite::client_options`] (an HTTP client that trusts that certificate, through the SDK's
//! own transport option) and [`Azurite::credential`] (unsigned tokens with the claims
//! Azurite's basic mode checks: `aud`, `iss`, `iat`, `nbf`, `exp`). Nothing else differs
//! from production. Azurite is killed when the value is dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{ClientOptions, Context, Request, Transport, Url};
use azure_core::time::OffsetDateTime;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Azurite's built-in account.
pub const ACCOUNT: &str = "devstoreaccount1";

/// A running Azurite blob service (and queue service, when asked for).
pub struct Azurite {
    child: Child,
    port: u16,
    queues: Option<(Child, u16)>,
    cert_pem: String,
    dir: tempfile::TempDir,
}

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

impl Azurite {
    /// Starts Azurite's blob service on a free loopback port and waits until it accepts
    /// connections. Panics with instructions when `npm ci --prefix tests/node` has not been run.
    pub fn start() -> Self {
        Self::launch(false)
    }

    /// Starts the blob and the queue service.
    pub fn start_with_queues() -> Self {
        Self::launch(true)
    }

    fn launch(with_queues: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".into()])
                .expect("self-signed certificate");
        let cert_pem = certified.cert.pem();
        std::fs::write(dir.path().join("cert.pem"), &cert_pem).expect("write cert");
        std::fs::write(
            dir.path().join("key.pem"),
            certified.signing_key.serialize_pem(),
        )
        .expect("write key");
        let port = free_port();
        let child = spawn(dir.path(), "blob", port);
        let queues = with_queues.then(|| {
            let queue_port = free_port();
            (spawn(dir.path(), "queue", queue_port), queue_port)
        });
        let mut azurite = Self {
            child,
            port,
            queues,
            cert_pem,
            dir,
        };
        azurite.wait_ready(Duration::from_secs(60));
        azurite
    }

    /// Polls the ports until Azurite listens; panics if it exits or takes too long.
    fn wait_ready(&mut self, limit: Duration) {
        let started = Instant::now();
        let mut ports = vec![self.port];
        ports.extend(self.queues.as_ref().map(|(_, p)| *p));
        for port in ports {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            loop {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    break;
                }
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!("azurite-blob exited early: {status}");
                }
                if let Some((queue, _)) = self.queues.as_mut() {
                    if let Ok(Some(status)) = queue.try_wait() {
                        panic!("azurite-queue exited early: {status}");
                    }
                }
                assert!(
                    started.elapsed() < limit,
                    "azurite did not listen on {addr} within {limit:?}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The account's queue endpoint; panics unless started with queues.
    pub fn queue_url(&self) -> Url {
        let (_, port) = self
            .queues
            .as_ref()
            .expect("Azurite was started without the queue service");
        Url::parse(&format!("https://127.0.0.1:{port}/{ACCOUNT}")).expect("URL")
    }

    /// The PEM file of Azurite's certificate (for `SSL_CERT_FILE` of a child process).
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// The account's blob endpoint (path style, as for any IP host).
    pub fn account_url(&self) -> Url {
        Url::parse(&format!("https://127.0.0.1:{}/{ACCOUNT}", self.port)).expect("URL")
    }

    /// SDK client options whose HTTP client trusts only Azurite's certificate.
    pub fn client_options(&self) -> ClientOptions {
        let cert = reqwest_azure::Certificate::from_pem(self.cert_pem.as_bytes())
            .expect("parse certificate");
        let client = reqwest_azure::Client::builder()
            .tls_certs_only([cert])
            .no_proxy()
            .build()
            .expect("HTTP client");
        ClientOptions {
            transport: Some(Transport::new(Arc::new(client))),
            ..Default::default()
        }
    }

    /// Like [`Self::client_options`], recording every request's method and path + query.
    pub fn client_options_logged(&self) -> (ClientOptions, RequestLog) {
        let log = RequestLog::default();
        let mut options = self.client_options();
        options.per_call_policies.push(Arc::new(log.clone()));
        (options, log)
    }

    /// A credential issuing tokens that Azurite's `--oauth basic` mode accepts.
    pub fn credential() -> Arc<dyn TokenCredential> {
        Arc::new(EmulatorCredential {
            audience: "https://storage.azure.com",
        })
    }

    /// A credential whose tokens Azurite refuses (audience of another service).
    pub fn wrong_audience_credential() -> Arc<dyn TokenCredential> {
        Arc::new(EmulatorCredential {
            audience: "https://vault.azure.net",
        })
    }

    /// Where this instance keeps its files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// On Linux, has the kernel kill Azurite if the test process dies without running `Drop`
/// (killed by a timeout, for instance), so no emulator outlives its test.
fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches only the child being spawned.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((queue, _)) = self.queues.as_mut() {
            let _ = queue.kill();
            let _ = queue.wait();
        }
    }
}

/// Starts one Azurite service (`blob` or `queue`) on `port`, with `--oauth basic` and the
/// certificate in `dir`.
fn spawn(dir: &Path, service: &str, port: u16) -> Child {
    let bin = root().join(format!("tests/node/node_modules/.bin/azurite-{service}"));
    assert!(
        bin.exists(),
        "{} is missing: run `npm ci --prefix tests/node` (scripts/test does)",
        bin.display()
    );
    let mut command = Command::new(&bin);
    die_with_parent(&mut command);
    command
        .arg(format!("--{service}Host"))
        .arg("127.0.0.1")
        .arg(format!("--{service}Port"))
        .arg(port.to_string())
        .args(["--oauth", "basic"])
        .arg("--cert")
        .arg(dir.join("cert.pem"))
        .arg("--key")
        .arg(dir.join("key.pem"))
        .current_dir(dir)
        .args([
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--silent",
            "--disableTelemetry",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start azurite-{service}: {e}"))
}

/// An unsigned JWT with the claims Azurite's `--oauth basic` mode checks, for `audience`;
/// returns the token and its expiry (Unix seconds).
pub fn emulator_token(audience: &str) -> (String, i64) {
    let iat = OffsetDateTime::now_utc().unix_timestamp() - 60;
    let exp = iat + 3600;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    let claims = serde_json::json!({
        "aud": audience,
        "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "oid": "0d3e7999-75b3-4e4a-9c3b-5b0e4f1e2a10",
        "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    });
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"unsigned")
    );
    (token, exp)
}

/// Issues unsigned JWTs for an audience (Azurite's basic mode checks the claims, not the
/// signature).
#[derive(Debug)]
struct EmulatorCredential {
    audience: &'static str,
}

#[async_trait::async_trait]
impl TokenCredential for EmulatorCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let now = OffsetDateTime::now_utc();
        let (token, exp) = emulator_token(self.audience);
        Ok(AccessToken::new(
            token,
            OffsetDateTime::from_unix_timestamp(exp).unwrap_or(now),
        ))
    }
}

/// The requests an SDK client sent (`GET /devstoreaccount1/stepup?comp=list…`).
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<String>>>);

impl RequestLog {
    /// The requests so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        if let Ok(mut lines) = self.0.lock() {
            lines.clear();
        }
    }
}

#[async_trait::async_trait]
impl Policy for RequestLog {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let url = request.url();
        let line = format!(
            "{} {}?{}",
            request.method(),
            url.path(),
            url.query().unwrap_or("")
        );
        if let Ok(mut lines) = self.0.lock() {
            lines.push(line);
        }
        match next.split_first() {
            Some((first, rest)) => first.send(ctx, request, rest).await,
            None => Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                "RequestLog must not be the last policy",
            )),
        }
    }
}
