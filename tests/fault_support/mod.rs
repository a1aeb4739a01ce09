//! Support of the fault-injection matrix (`tests/fault_matrix.rs`): the world a cell runs
//! in ([`world`]), a state store that crashes at a chosen write ([`store`]) and the
//! invariants every cell asserts ([`checks`]).

// Each cell uses a different part of this module.
#![allow(dead_code)]

pub mod checks;
pub mod store;
pub mod world;
