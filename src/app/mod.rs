//! Binds the Azure Functions to stepup behaviour.
