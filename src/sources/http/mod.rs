//! The HTTP layer of the live sources: one [`ApiClient`] per service on azure_core's
//! transport, with retries ([`RetryPolicy`]), the identity-report limiter
//! ([`ReportLimiter`]), collection pages ([`Page`]) and call errors ([`CallError`]).

pub mod client;
pub mod error;
pub mod limiter;
pub mod page;
pub mod retry;

pub use client::{parse_base_url, ApiClient, BaseUrlError, Pace, StatsSnapshot};
pub use error::{CallError, Reason};
pub use limiter::ReportLimiter;
pub use page::Page;
pub use retry::RetryPolicy;
