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
        let store = config
            .state
            .open(None)
            .await
            .context("cannot open the state store")?;
        let ctx = std::sync::Arc::new(crate::app::AppContext::new(
            config,
            store,
            crate::app::system_clock(),
        ));
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
