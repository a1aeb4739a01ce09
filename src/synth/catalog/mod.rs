//! Static facts the generator draws from: Microsoft app and resource ids, ARM operations,
//! role definitions, user agents, names and places.

pub(crate) mod apps;
pub(crate) mod operations;
pub(crate) mod people;
pub(crate) mod roles;
pub(crate) mod user_agents;

use rand::Rng;

/// One element of a static table, chosen uniformly (the tables here are never empty).
pub(crate) fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, table: &'a [T]) -> &'a T {
    &table[rng.gen_range(0..table.len())]
}

/// One string of a static table, chosen uniformly.
pub(crate) fn pick_str<R: Rng + ?Sized>(rng: &mut R, table: &[&'static str]) -> &'static str {
    table[rng.gen_range(0..table.len())]
}
