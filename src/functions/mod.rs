//! The Azure Functions custom-handler shim. It knows Azure Functions, and nothing of MFA.
