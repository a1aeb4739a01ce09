//! Resource ids and opaque token strings of activity-log events.

use std::fmt::Write as _;

use super::super::catalog::operations::Operation;
use super::super::rng::{salted_guid, splitmix};

/// A token-ish opaque string of `len` characters derived from `seed`.
pub(super) fn opaque(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(len);
    let mut state = seed;
    let mut x = 0;
    for i in 0..len {
        if i % 10 == 0 {
            state = splitmix(state);
            x = state;
        }
        out.push(char::from(ALPHABET[(x & 63) as usize]));
        x >>= 6;
    }
    out
}

/// The resource an operation acts on.
pub(super) fn resource_id(rg_id: &str, op: &Operation, n: u8, op_salt: u64) -> String {
    if op.path.is_empty() {
        return rg_id.to_string();
    }
    let mut id = String::with_capacity(rg_id.len() + op.path.len() + 48);
    id.push_str(rg_id);
    id.push_str("/providers/");
    let mut rest = op.path;
    while let Some(pos) = rest.find('{') {
        id.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("{n}") {
            let _ = write!(id, "{n:02}");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{g}") {
            let _ = write!(id, "{}", salted_guid(op_salt, 7));
            rest = after;
        } else {
            id.push('{');
            rest = &tail[1..];
        }
    }
    id.push_str(rest);
    id
}

#[cfg(test)]
mod tests {
    use super::super::super::catalog::operations::{
        DNS_A_WRITE, RESOURCE_GROUP_WRITE, ROLE_ASSIGNMENT_WRITE,
    };
    use super::*;
    use uuid::Uuid;

    #[test]
    fn resource_ids_fill_numbers_and_guids() {
        let rg = "/subscriptions/s/resourceGroups/rg-web";
        assert_eq!(resource_id(rg, &RESOURCE_GROUP_WRITE, 3, 1), rg);
        assert_eq!(
            resource_id(rg, &DNS_A_WRITE, 3, 1),
            "/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Network/dnsZones/contoso.com/A/app03"
        );
        let ra = resource_id(rg, &ROLE_ASSIGNMENT_WRITE, 3, 1);
        let guid = ra.rsplit('/').next().unwrap();
        assert!(Uuid::parse_str(guid).is_ok(), "{ra}");
    }

    #[test]
    fn opaque_strings_do_not_repeat_themselves() {
        let a = opaque(1, 56);
        let b = opaque(2, 56);
        assert_eq!(a.len(), 56);
        assert_eq!(a, opaque(1, 56));
        assert!(a[30..40] != b[30..40] && a[40..50] != b[40..50], "{a} {b}");
    }
}
