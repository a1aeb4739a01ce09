//! Handlers and the registry that maps function names and HTTP routes to them.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::forwarded::{ForwardedRequest, HttpReply};
use super::invocation::{InvocationRequest, InvocationResponse};
use super::log::InvocationLog;

/// A handler failure. Its message ends up in the invocation's `Logs` and in a 500 reply.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The invocation's payload was not what the function expects: not worth a retry.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The function failed; the host may retry (queues) or the next timer run will.
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
}

/// A non-HTTP function (timer- or queue-triggered).
#[async_trait]
pub trait FunctionHandler: Send + Sync {
    /// Runs one invocation. Log through `log`; return the outputs.
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError>;
}

/// An HTTP function whose requests the host forwards unchanged.
#[async_trait]
pub trait HttpHandler: Send + Sync {
    /// Answers one request. Bad requests get a 4xx with a one-line reason.
    async fn handle(&self, request: ForwardedRequest, log: &InvocationLog) -> HttpReply;
}

/// Which handler serves which function name or route.
#[derive(Clone, Default)]
pub struct Registry {
    functions: BTreeMap<String, Arc<dyn FunctionHandler>>,
    routes: BTreeMap<String, Arc<dyn HttpHandler>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a non-HTTP function by its name (the `function-defs/<name>` folder).
    pub fn function(mut self, name: &str, handler: impl FunctionHandler + 'static) -> Self {
        self.functions.insert(name.to_string(), Arc::new(handler));
        self
    }

    /// Registers an HTTP function by its route (below `/api/`).
    pub fn route(mut self, route: &str, handler: impl HttpHandler + 'static) -> Self {
        self.routes.insert(route.to_string(), Arc::new(handler));
        self
    }

    /// The handler of a function, by name (case-insensitive, as the host's are).
    pub fn find_function(&self, name: &str) -> Option<Arc<dyn FunctionHandler>> {
        self.functions
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, h)| h.clone())
    }

    /// The handler of a route (case-insensitive).
    pub fn find_route(&self, route: &str) -> Option<Arc<dyn HttpHandler>> {
        self.routes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(route))
            .map(|(_, h)| h.clone())
    }

    /// Registered function names.
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// Registered routes.
    pub fn route_names(&self) -> impl Iterator<Item = &str> {
        self.routes.keys().map(String::as_str)
    }
}
