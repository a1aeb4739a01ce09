//! The Azure Functions custom-handler shim. It knows Azure Functions, and nothing of MFA.
//!
//! The Functions host starts `stepup serve`, which listens on
//! `127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT`. The host then
//! - posts non-HTTP invocations (timers, queues) to `/<FunctionName>` as
//!   `{"Data": …, "Metadata": …}` and reads back `{"Outputs": …, "Logs": […], "ReturnValue": …}`;
//! - forwards HTTP-triggered requests as they are (`enableForwardingHttpRequest`) to
//!   `/api/<route>`, so handlers see the raw body (the Teams HMAC needs it).
//!
//! What a function does is someone else's business: handlers implement
//! [`FunctionHandler`] or [`HttpHandler`] and are registered in a [`Registry`].

mod dispatch;
pub mod forwarded;
pub mod invocation;
#[cfg(test)]
mod invocation_props;
pub mod log;
pub mod registry;
pub mod server;

pub use forwarded::{ForwardedRequest, HttpReply};
pub use invocation::{
    InvocationRequest, InvocationResponse, QueueMessage, QueueMetadata, TimerInfo,
};
pub use log::InvocationLog;
pub use registry::{FunctionHandler, HandlerError, HttpHandler, Registry};
pub use server::{serve, ServeError, MAX_BODY_BYTES};
