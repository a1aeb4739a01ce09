//! The export reader of the offline scan (`stepup scan <dir>`): any bytes as a file of any
//! layout (JSON array, API pages, JSON Lines), read as each record type with a small window
//! so that refills are exercised. The first byte picks the record type and the window.
//! Besides not panicking, the reader must hand over what it counts, read every byte at most
//! once, and keep its window bounded by the file (memory follows the largest record).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use stepup::detect::records::{
    ActivityEvent, RegistrationDetails, RoleAssignment, RoleDefinition, SignIn, Subscription, User,
};
use stepup::input::read_records_with_capacity;

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fn read<T: DeserializeOwned>(file: &[u8], capacity: usize) {
    let mut delivered = 0u64;
    let (stats, window) =
        read_records_with_capacity(file, "fuzz.json", capacity, |_: T| delivered += 1);
    assert_eq!(
        delivered, stats.records,
        "records counted but not delivered"
    );
    assert!(
        stats.bytes <= file.len() as u64,
        "more bytes read than the file holds"
    );
    // The window doubles only when one item fills it: never past twice the file.
    let bound = capacity.max(8).max(2 * file.len());
    assert!(
        window <= bound,
        "window of {window} bytes for a {}-byte file",
        file.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let capacity = 8usize << ((selector & 0x0f) % 12);
    match selector >> 4 {
        0 | 8 => read::<serde_json::Value>(file, capacity),
        1 | 9 => read::<SignIn>(file, capacity),
        2 | 10 => read::<ActivityEvent>(file, capacity),
        3 | 11 => read::<User>(file, capacity),
        4 | 12 => read::<RegistrationDetails>(file, capacity),
        5 | 13 => read::<RoleAssignment>(file, capacity),
        6 | 14 => read::<RoleDefinition>(file, capacity),
        _ => read::<Subscription>(file, capacity),
    }
});
