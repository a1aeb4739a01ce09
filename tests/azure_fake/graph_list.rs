//! Graph collection listings: `$top`, `$select`, `$filter`, `$expand` (users), `$skiptoken`
//! paging with `@odata.nextLink`, and the faults that hit a page.

use serde_json::{Map, Value};

use super::counters::Endpoint;
use super::faults::FaultSite;
use super::odata::{Filter, Schema};
use super::query::{fingerprint, graph_page, next_link, render, scan, SkipToken, Source};
use super::reply::{graph_error, with_fault, Reply, Shape};
use super::request::FakeRequest;
use super::state::State;
use super::tenant::TenantData;

/// What one Graph listing serves.
pub(crate) struct GraphList<'a> {
    /// The endpoint (for counting and faults).
    pub endpoint: Endpoint,
    /// What `$filter` and `$select` may name.
    pub schema: &'a Schema,
    /// The records.
    pub source: Source<'a>,
    /// The time field the records are sorted by (newest first), if any.
    pub time_field: Option<&'a str>,
    /// Page size without `$top`.
    pub default_top: usize,
    /// The largest `$top`.
    pub max_top: usize,
    /// The entity set for `@odata.context` (`auditLogs/signIns`).
    pub context: &'a str,
    /// Properties returned without `$select` (`None`: all).
    pub default_select: Option<&'a [&'a str]>,
    /// Whether `$expand=manager,sponsors` is allowed (users).
    pub expand: bool,
}

/// A parsed `$filter`, or the 400 answer for a bad one.
pub(crate) fn parse_filter(req: &FakeRequest, schema: &Schema) -> Result<Option<Filter>, Reply> {
    match req.param("$filter") {
        None => Ok(None),
        Some(text) => Filter::new(text, schema)
            .map(Some)
            .map_err(|e| graph_error(400, "BadRequest", &format!("Invalid filter clause: {e}"))),
    }
}

/// Checks the `$` query options of `req` against `allowed`.
fn check_options(req: &FakeRequest, allowed: &[&str]) -> Result<(), Reply> {
    for (k, _) in &req.query {
        if k.starts_with('$') && !allowed.iter().any(|a| a.eq_ignore_ascii_case(k)) {
            return Err(graph_error(400, "BadRequest", &format!("Query option '{k}' is not allowed. Make sure that it is supported for this request.")));
        }
    }
    Ok(())
}

/// `$select` as canonical property names (with `id`), or the 400 answer.
pub(crate) fn parse_select(
    text: Option<&str>,
    schema: &Schema,
    default: Option<&[&str]>,
) -> Result<Option<Vec<String>>, Reply> {
    let mut keys = match text {
        Some(t) => {
            let mut keys = Vec::new();
            for name in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match schema.property(name) {
                    Some(p) => keys.push(p.to_string()),
                    None => return Err(graph_error(400, "BadRequest", &schema.unknown(name))),
                }
            }
            keys
        }
        None => match default {
            Some(d) => d.iter().map(|s| s.to_string()).collect(),
            None => return Ok(None),
        },
    };
    if !keys.iter().any(|k| k == "id") {
        keys.push("id".into());
    }
    Ok(Some(keys))
}

/// One `$expand` item: the navigation property and its nested `$select`.
#[derive(Debug, Clone)]
pub(crate) struct Expand {
    /// `manager` or `sponsors`.
    pub name: String,
    /// Its `$select`, if given.
    pub select: Option<Vec<String>>,
}

/// Parses `$expand=manager($select=id,mail),sponsors`.
fn parse_expand(text: &str) -> Result<Vec<Expand>, Reply> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    let mut items = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    for item in items.into_iter().map(str::trim) {
        let (name, opts) = match item.split_once('(') {
            Some((n, rest)) => (n.trim(), Some(rest.trim_end_matches(')'))),
            None => (item, None),
        };
        let name = match name.to_ascii_lowercase().as_str() {
            "manager" => "manager",
            "sponsors" => "sponsors",
            _ => {
                return Err(graph_error(
                    400,
                    "BadRequest",
                    &format!(
                        "Could not find a property named '{name}' on type 'microsoft.graph.user'."
                    ),
                ))
            }
        };
        let select = match opts {
            None => None,
            Some(o) => match o.split_once('=') {
                Some((k, v)) if k.trim().eq_ignore_ascii_case("$select") => {
                    Some(v.split(',').map(|s| s.trim().to_string()).collect())
                }
                _ => {
                    return Err(graph_error(
                        400,
                        "BadRequest",
                        &format!("Invalid $expand options '{o}'."),
                    ))
                }
            },
        };
        out.push(Expand {
            name: name.to_string(),
            select,
        });
    }
    Ok(out)
}

/// Serves one page of `list` for `req`, with `filter` already parsed (and honoured only
/// when filters are on).
pub(crate) fn serve(
    state: &State,
    req: &FakeRequest,
    tenant: &TenantData,
    list: &GraphList<'_>,
    filter: Option<&Filter>,
) -> Reply {
    let mut allowed = vec!["$filter", "$select", "$top", "$skiptoken"];
    if list.expand {
        allowed.push("$expand");
    }
    if let Err(r) = check_options(req, &allowed) {
        return r;
    }
    let top = match req.param("$top") {
        None => list.default_top,
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=list.max_top).contains(&n) => n,
            _ => {
                return graph_error(
                    400,
                    "BadRequest",
                    &format!(
                        "Invalid page size specified: '{t}'. Must be between 1 and {} inclusive.",
                        list.max_top
                    ),
                )
            }
        },
    };
    let select = match parse_select(req.param("$select"), list.schema, list.default_select) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let expand = match req.param("$expand") {
        Some(e) if list.expand => match parse_expand(e) {
            Ok(x) => x,
            Err(r) => return r,
        },
        _ => Vec::new(),
    };
    let applied = filter.filter(|_| state.filters_on());
    let query = fingerprint(&[
        &req.path.to_ascii_lowercase(),
        req.param("$filter").unwrap_or(""),
        if state.filters_on() { "on" } else { "off" },
    ]);
    let token = match req.param("$skiptoken") {
        None => SkipToken {
            pos: 0,
            page: 1,
            query,
        },
        Some(t) => match SkipToken::decode(t).filter(|s| s.query == query) {
            Some(s) => s,
            None => {
                return graph_error(
                    400,
                    "BadRequest",
                    "The $skiptoken is invalid or belongs to another query.",
                )
            }
        },
    };
    let site = FaultSite {
        endpoint: list.endpoint,
        subscription: None,
        page: Some(token.page),
    };
    with_fault(state.faults.pick(&site), Shape::Graph, || {
        let range = match (applied, list.time_field) {
            (Some(f), Some(field)) => list.source.range(f.time_range(field)),
            _ => list.source.range(Default::default()),
        };
        let page = scan(&list.source, applied, range, token.pos as usize, top);
        let records: Vec<Vec<u8>> = page
            .hits
            .iter()
            .map(|&i| match expand.is_empty() {
                true => render(list.source.set, i, select.as_deref()),
                false => render_expanded(tenant, list, i, select.as_deref(), &expand),
            })
            .collect();
        let next = page.next.map(|pos| {
            let t = SkipToken {
                pos: pos as u64,
                page: token.page + 1,
                query,
            };
            next_link(&req.base, &req.path, &req.query, "$skiptoken", &t)
        });
        let version = req.segments.first().map_or("beta", String::as_str);
        let context = format!("{}/{version}/$metadata#{}", req.base, list.context);
        Reply::ok(
            graph_page(&context, next.as_deref(), &records),
            records.len() as u64,
        )
    })
}

/// A user with its manager and/or sponsors expanded.
fn render_expanded(
    tenant: &TenantData,
    list: &GraphList<'_>,
    i: usize,
    select: Option<&[String]>,
    expand: &[Expand],
) -> Vec<u8> {
    let mut user = list.source.set.project(i, select);
    let pos = i as u32;
    for x in expand {
        let pick = |raw: &[u8]| -> Value {
            let m: Map<String, Value> = super::records::project(raw, None);
            match &x.select {
                None => Value::Object(m),
                Some(keys) => Value::Object(
                    m.into_iter()
                        .filter(|(k, _)| {
                            k == "id"
                                || k.starts_with("@odata")
                                || keys.iter().any(|s| s.eq_ignore_ascii_case(k))
                        })
                        .collect(),
                ),
            }
        };
        match x.name.as_str() {
            "manager" => {
                if let Some(raw) = tenant.managers.get(&pos) {
                    user.insert("manager".into(), pick(raw));
                }
            }
            _ => {
                let items = tenant
                    .sponsors
                    .get(&pos)
                    .and_then(|raw| serde_json::from_slice::<Vec<Value>>(raw).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| pick(&serde_json::to_vec(&v).unwrap_or_default()))
                    .collect();
                user.insert("sponsors".into(), Value::Array(items));
            }
        }
    }
    serde_json::to_vec(&user).unwrap_or_default()
}
