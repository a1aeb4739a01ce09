//! Checking the bearer token of a Graph or ARM request.

use super::request::FakeRequest;
use super::state::State;
use super::tokens::{Audience, Check, TokenInfo};

/// Why a request is not authenticated.
#[derive(Debug, Clone)]
pub(crate) enum AuthError {
    /// No `Authorization: Bearer …` header.
    Missing,
    /// A token the fake never issued.
    Unknown,
    /// An expired token.
    Expired(TokenInfo),
    /// A token for the other service.
    WrongAudience(TokenInfo),
}

/// The token of `req`, if it is valid for `want`.
pub(crate) fn authenticate(
    state: &State,
    req: &FakeRequest,
    want: Audience,
) -> Result<TokenInfo, AuthError> {
    let token = req.bearer().ok_or(AuthError::Missing)?;
    match state.tokens.check(token) {
        Check::Unknown => Err(AuthError::Unknown),
        Check::Expired(info) => Err(AuthError::Expired(info)),
        Check::Valid(info) if info.audience != want => Err(AuthError::WrongAudience(info)),
        Check::Valid(info) => Ok(info),
    }
}
