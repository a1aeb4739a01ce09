//! The warp server the Functions host talks to.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use warp::Filter;

use super::dispatch::{dispatch, Incoming};
use super::registry::Registry;

/// The largest request body accepted (256 KiB); larger ones get a 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Binds `addr` and serves `registry` until `shutdown` completes. Returns the bound address
/// through `on_bound` as soon as the socket accepts connections.
pub async fn serve(
    addr: SocketAddr,
    registry: Registry,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    on_bound(bound);
    warp::serve(routes(registry))
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
    Ok(())
}

/// The one catch-all filter: every request reaches [`dispatch`], which never rejects.
pub(crate) fn routes(
    registry: Registry,
) -> impl Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible> + Clone {
    let registry = Arc::new(registry);
    warp::method()
        .and(warp::path::full())
        .and(
            warp::query::raw()
                .map(Some)
                .or(warp::any().map(|| None))
                .unify(),
        )
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .then(
            move |method, path: warp::path::FullPath, query, headers, body| {
                let registry = registry.clone();
                async move {
                    let incoming = Incoming {
                        method,
                        path: path.as_str().to_string(),
                        query,
                        headers,
                        body: Box::pin(body),
                    };
                    dispatch(registry, incoming).await
                }
            },
        )
        .recover(|_rejection: warp::Rejection| async {
            let mut response =
                warp::reply::Response::new("{\"error\":\"request not understood\"}".into());
            *response.status_mut() = warp::http::StatusCode::BAD_REQUEST;
            Ok::<_, std::convert::Infallible>(response)
        })
        .unify()
}
