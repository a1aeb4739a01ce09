//! The pure, synchronous detection core (DESIGN.md §3): typed records in, findings out.
//! No I/O, no async.

pub mod model;
