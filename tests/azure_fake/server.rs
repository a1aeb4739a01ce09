//! The loopback servers: one port per service, each speaking HTTP and HTTPS (the first byte
//! of a connection tells a TLS handshake apart), hyper underneath; delivery of held and
//! truncated bodies; shutdown.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

use super::counters::Endpoint;
use super::faults::TruncateMode;
use super::reply::{Delivery, Reply};
use super::request::FakeRequest;
use super::state::{Service, State};
use super::tls::Tls;
use super::{arm, authority, graph};

/// The largest request body read.
const MAX_BODY: usize = 1 << 20;

type Body = BoxBody<Bytes, io::Error>;

/// Accepts connections on `listener` until shutdown.
pub(crate) async fn run(
    listener: std::net::TcpListener,
    service: Service,
    port: u16,
    state: Arc<State>,
    tls: Tls,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let mut stop = state.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                tokio::spawn(connection(stream, service, port, state.clone(), tls.clone()));
            }
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn connection(stream: TcpStream, service: Service, port: u16, state: Arc<State>, tls: Tls) {
    let mut first = [0u8; 1];
    match stream.peek(&mut first).await {
        Ok(1) => {}
        _ => return,
    }
    if first[0] == 0x16 {
        if let Ok(stream) = tls.acceptor.accept(stream).await {
            serve(stream, service, format!("https://127.0.0.1:{port}"), state).await;
        }
    } else {
        serve(stream, service, format!("http://127.0.0.1:{port}"), state).await;
    }
}

async fn serve<IO>(io: IO, service: Service, base: String, state: Arc<State>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut stop = state.shutdown.clone();
    let st = state.clone();
    let svc = service_fn(move |req: Request<Incoming>| {
        let (state, base) = (st.clone(), base.clone());
        async move { Ok::<_, Infallible>(respond(req, service, base, state).await) }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), svc);
    tokio::select! {
        _ = conn => {}
        _ = stop.wait_for(|s| *s) => {}
    }
}

fn classify(service: Service, req: &FakeRequest) -> Endpoint {
    match service {
        Service::Graph => graph::classify(req),
        Service::Arm => arm::classify(req),
        Service::Authority => authority::classify(req),
    }
}

async fn respond(
    req: Request<Incoming>,
    service: Service,
    base: String,
    state: Arc<State>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large or unreadable",
            )
        }
    };
    let req = FakeRequest::new(
        parts.method,
        parts.uri.path(),
        parts.uri.query(),
        parts.headers,
        body,
        base,
    );
    let endpoint = classify(service, &req);
    state.counters.request(endpoint);
    state.sleep(state.faults.latency()).await;
    let reply = match service {
        Service::Graph => graph::handle(&state, &req, endpoint),
        Service::Arm => arm::handle(&state, &req, endpoint),
        Service::Authority => authority::handle(&state, &req, endpoint),
    };
    state.counters.outcome(endpoint, reply.outcome);
    deliver(reply, &state).await
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(full(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r
}

fn full(b: Bytes) -> Body {
    Full::new(b).map_err(|never| match never {}).boxed()
}

async fn deliver(reply: Reply, state: &State) -> Response<Body> {
    let body = Bytes::from(reply.body);
    let len = body.len();
    let (payload, length, close) = match reply.delivery {
        Delivery::Normal => (full(body), len, false),
        Delivery::Hold(d) => {
            state.sleep(d).await;
            (full(body), len, false)
        }
        Delivery::Truncate(TruncateMode::Clean) => {
            let half = body.slice(..len / 2);
            (full(half), len / 2, true)
        }
        Delivery::Truncate(TruncateMode::Abort) => {
            let half = body.slice(..len / 2);
            let first =
                futures_util::stream::once(async move { Ok::<_, io::Error>(Frame::data(half)) });
            let fail = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "injected truncation",
                ))
            });
            (
                BodyExt::boxed(StreamBody::new(first.chain(fail))),
                len,
                true,
            )
        }
    };
    let mut r = Response::new(payload);
    *r.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert("content-length", HeaderValue::from(length));
    if close {
        h.insert("connection", HeaderValue::from_static("close"));
    }
    for (k, v) in &reply.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(k, v);
        }
    }
    r
}
