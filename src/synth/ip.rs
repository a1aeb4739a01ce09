//! Public IPv4 addresses by kind of network. Office egress, data-centre servers and jump
//! hosts come from disjoint ranges, so a persona's "same host" and "other host" are exact.

use rand::Rng;

use super::catalog::people::{City, CITIES};

fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    u32::from_be_bytes([a, b, c, d])
}

/// A home broadband address.
pub(crate) fn residential<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    const FIRST: [u8; 10] = [24, 73, 81, 86, 92, 98, 109, 176, 188, 213];
    v4(
        FIRST[rng.gen_range(0..FIRST.len())],
        rng.gen(),
        rng.gen(),
        rng.gen_range(1..255),
    )
}

/// One of the four egress addresses of the office in `city` (203.0.113.0/24).
pub(crate) fn office<R: Rng + ?Sized>(rng: &mut R, city: &City) -> u32 {
    let index = CITIES
        .iter()
        .position(|c| std::ptr::eq(c, city))
        .unwrap_or(0) as u8;
    v4(203, 0, 113, 10 + index * 4 + rng.gen_range(0..4))
}

/// A server in the company's data centre (198.51.100.0/24).
pub(crate) fn datacenter<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    v4(198, 51, 100, rng.gen_range(1..255))
}

/// A jump host (192.0.2.0/24): never a data-centre server's address.
pub(crate) fn jump_host<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    v4(192, 0, 2, rng.gen_range(1..255))
}

/// An Azure public address (hosted build agents, Automation sandboxes, workloads).
pub(crate) fn azure<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    const FIRST: [u8; 5] = [4, 13, 20, 40, 52];
    v4(
        FIRST[rng.gen_range(0..FIRST.len())],
        rng.gen(),
        rng.gen(),
        rng.gen_range(1..255),
    )
}

/// A mobile carrier's address.
pub(crate) fn mobile<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    const FIRST: [u8; 3] = [107, 166, 174];
    v4(
        FIRST[rng.gen_range(0..FIRST.len())],
        rng.gen(),
        rng.gen(),
        rng.gen_range(1..255),
    )
}
