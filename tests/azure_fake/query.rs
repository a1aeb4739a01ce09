//! Paged listing: which records a request reads (positions, narrowed by time bounds),
//! scanning them against a filter, skip tokens, next links and page bodies.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

use super::odata::{Filter, TimeRange};
use super::records::RecordSet;

/// The positions a listing walks through, in serving order.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Order<'a> {
    /// Every record of the set, in its order.
    All,
    /// These record indices.
    Positions(&'a [u32]),
}

/// What a listing reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    /// The records.
    pub set: &'a RecordSet,
    /// The positions.
    pub order: Order<'a>,
    /// Only records whose tag bit is set here (`None`: every record).
    pub tags: Option<u32>,
}

impl<'a> Source<'a> {
    /// Every record of `set`.
    pub(crate) fn all(set: &'a RecordSet) -> Self {
        Self {
            set,
            order: Order::All,
            tags: None,
        }
    }

    fn len(&self) -> usize {
        match self.order {
            Order::All => self.set.len(),
            Order::Positions(p) => p.len(),
        }
    }

    fn at(&self, pos: usize) -> usize {
        match self.order {
            Order::All => pos,
            Order::Positions(p) => p[pos] as usize,
        }
    }

    /// The positions within `range` of a newest-first set.
    pub(crate) fn range(&self, r: TimeRange) -> Range<usize> {
        let n = self.len();
        let first_not = |pred: &dyn Fn(i64) -> bool| -> usize {
            // The first position whose time fails `pred` (times descend, so `pred` must
            // hold on a prefix).
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if pred(self.set.time(self.at(mid))) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let end = match r.lo {
            Some((t, true)) => first_not(&|x| x >= t),
            Some((t, false)) => first_not(&|x| x > t),
            None => n,
        };
        let start = match r.hi {
            Some((t, true)) => first_not(&|x| x > t),
            Some((t, false)) => first_not(&|x| x >= t),
            None => 0,
        };
        start..end.max(start)
    }
}

/// One page of hits and where the next page starts.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Record indices, in serving order.
    pub hits: Vec<usize>,
    /// The position of the first hit after the page, if there is one.
    pub next: Option<usize>,
}

/// Scans `src` from position `start` (within `range`) for up to `top` records matching
/// `filter`; looks ahead for one more hit to decide whether there is a next page.
pub(crate) fn scan(
    src: &Source<'_>,
    filter: Option<&Filter>,
    range: Range<usize>,
    start: usize,
    top: usize,
) -> Scan {
    let mut out = Scan::default();
    let mut pos = start.max(range.start);
    while pos < range.end {
        let i = src.at(pos);
        if accepts(src, filter, i) {
            if out.hits.len() >= top {
                out.next = Some(pos);
                return out;
            }
            out.hits.push(i);
        }
        pos += 1;
    }
    out
}

/// How many records of `src` within `range` match `filter`.
pub(crate) fn count(src: &Source<'_>, filter: Option<&Filter>, range: Range<usize>) -> usize {
    range
        .filter(|pos| accepts(src, filter, src.at(*pos)))
        .count()
}

fn accepts(src: &Source<'_>, filter: Option<&Filter>, i: usize) -> bool {
    if let Some(mask) = src.tags {
        if mask & (1 << src.set.tag(i)) == 0 {
            return false;
        }
    }
    match filter {
        None => true,
        Some(f) => f.matches(&src.set.project(i, Some(&f.keys))),
    }
}

/// Pages a listing of `records` matches needs at `top` per page (an empty listing is one
/// page).
pub(crate) fn pages_for(records: usize, top: usize) -> usize {
    records.div_ceil(top.max(1)).max(1)
}

/// A skip token: where the next page starts, which page it is, and a fingerprint of the
/// query it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SkipToken {
    /// Position of the page's first record.
    pub pos: u64,
    /// The page's number (the first page is 1).
    pub page: u32,
    /// Fingerprint of the query.
    pub query: u32,
}

impl SkipToken {
    /// The token as opaque hex.
    pub(crate) fn encode(&self) -> String {
        format!(
            "{:016x}{:08x}{:08x}",
            self.pos ^ 0x5a5a_a5a5_0f0f_f0f0,
            self.page,
            self.query
        )
    }

    /// Reads a token made by [`Self::encode`].
    pub(crate) fn decode(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(Self {
            pos: u64::from_str_radix(&text[..16], 16).ok()? ^ 0x5a5a_a5a5_0f0f_f0f0,
            page: u32::from_str_radix(&text[16..24], 16).ok()?,
            query: u32::from_str_radix(&text[24..], 16).ok()?,
        })
    }
}

/// A fingerprint of the parts of a query that decide positions.
pub(crate) fn fingerprint(parts: &[&str]) -> u32 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish() as u32
}

/// `base` + `path` + the query without its skip token + `token_name=token`.
pub(crate) fn next_link(
    base: &str,
    path: &str,
    query: &[(String, String)],
    token_name: &str,
    token: &SkipToken,
) -> String {
    let mut out = format!("{base}{path}?");
    for (k, v) in query {
        if k.eq_ignore_ascii_case("$skiptoken") {
            continue;
        }
        out.push_str(&encode_key(k));
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
        out.push('&');
    }
    out.push_str(token_name);
    out.push('=');
    out.push_str(&token.encode());
    out
}

fn encode_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || "$-_.".contains(c))
    {
        k.to_string()
    } else {
        url::form_urlencoded::byte_serialize(k.as_bytes()).collect()
    }
}

/// A Graph collection page: `@odata.context`, `@odata.nextLink` (if any), `value`.
pub(crate) fn graph_page(context: &str, next: Option<&str>, records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|r| r.len() + 1).sum::<usize>() + 256);
    out.extend_from_slice(b"{\"@odata.context\":");
    out.extend(serde_json::to_vec(context).unwrap_or_default());
    if let Some(next) = next {
        out.extend_from_slice(b",\"@odata.nextLink\":");
        out.extend(serde_json::to_vec(next).unwrap_or_default());
    }
    out.extend_from_slice(b",\"value\":[");
    join(&mut out, records);
    out.extend_from_slice(b"]}");
    out
}

/// An ARM collection page: `value`, then `nextLink` (if any).
pub(crate) fn arm_page(next: Option<&str>, records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|r| r.len() + 1).sum::<usize>() + 256);
    out.extend_from_slice(b"{\"value\":[");
    join(&mut out, records);
    out.push(b']');
    if let Some(next) = next {
        out.extend_from_slice(b",\"nextLink\":");
        out.extend(serde_json::to_vec(next).unwrap_or_default());
    }
    out.push(b'}');
    out
}

fn join(out: &mut Vec<u8>, records: &[Vec<u8>]) {
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r);
    }
}

/// Record `i` of `set` as bytes, projected to the properties `select` names when given.
pub(crate) fn render(set: &RecordSet, i: usize, select: Option<&[String]>) -> Vec<u8> {
    match select {
        None => set.raw(i).to_vec(),
        Some(keys) => serde_json::to_vec(&set.project(i, Some(keys))).unwrap_or_default(),
    }
}
