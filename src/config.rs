//! Runtime configuration from the environment.
