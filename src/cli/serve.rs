//! `stepup serve`: the custom handler the Functions host starts.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{anyhow, Context};

use super::args::ServeArgs;
use crate::config::{parse_port, Config};

/// Runs the server until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let port = match &args.port {
        Some(p) => parse_port("--port", p)?,
        None => config.port.ok_or_else(|| {
            anyhow!("no port: set FUNCTIONS_CUSTOMHANDLER_PORT (the Functions host does) or pass --port")
        })?,
    };
    super::logging::init(config.log_format, "info");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // Blob state and Queue Storage need the app's identity; the local store does not.
        let needs_identity =
            config.state.blob.is_some() || config.orchestration.queue_url.is_some();
        let credential = needs_identity
            .then(|| crate::identity::credential(&config.identity))
            .transpose()
            .context("cannot build the Azure credential")?;
        let store = config
            .state
            .open(credential.clone())
            .await
            .context("cannot open the state store")?;
        let queues = match (&config.orchestration.queue_url, credential) {
            (Some(url), Some(credential)) => Some(
                crate::queue::StorageQueues::new(url, credential, Default::default())
                    .context("cannot reach Queue Storage")?,
            ),
            _ => None,
        };
        let mut ctx = crate::app::AppContext::new(config, store, crate::app::system_clock());
        if let Some(queues) = queues {
            ctx = ctx.with_queues(std::sync::Arc::new(queues));
        }
        let ctx = std::sync::Arc::new(ctx);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        crate::functions::serve(
            addr,
            crate::app::registry(ctx),
            |bound| tracing::info!(%bound, "stepup custom handler listening"),
            shutdown_signal(),
        )
        .await
        .map_err(anyhow::Error::from)
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}
