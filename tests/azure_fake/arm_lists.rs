//! ARM listings: subscriptions, activity-log events (ARM's restricted `$filter` grammar,
//! `$select`, `$skipToken` paging), role assignments (`atScope()`, `principalId eq`,
//! `assignedTo()`) and role definitions (`roleName eq`, `type eq`).

use serde_json::Value;

use super::arm::ArmCx;
use super::counters::Endpoint;
use super::faults::FaultSite;
use super::odata::{parse, CmpOp, Expr, Filter, Literal, Operand};
use super::query::{arm_page, fingerprint, next_link, scan, Order, SkipToken, Source};
use super::records::{parse_instant, project, RecordSet};
use super::reply::{arm_error, with_fault, Reply, Shape};
use super::request::FakeRequest;
use super::state::State;

/// One ARM listing to serve.
struct ArmList<'a> {
    endpoint: Endpoint,
    source: Source<'a>,
    filter: Option<&'a Filter>,
    time_field: Option<&'a str>,
    size: usize,
    token_name: &'a str,
    render: &'a dyn Fn(usize) -> Vec<u8>,
}

fn serve(state: &State, req: &FakeRequest, cx: &ArmCx<'_>, list: ArmList<'_>) -> Reply {
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
                return arm_error(
                    400,
                    "InvalidSkipToken",
                    "The skip token is invalid or belongs to another query.",
                )
            }
        },
    };
    let site = FaultSite {
        endpoint: list.endpoint,
        subscription: cx.subscription.as_deref(),
        page: Some(token.page),
    };
    with_fault(state.faults.pick(&site), Shape::Arm, || {
        let range = match (list.filter, list.time_field) {
            (Some(f), Some(field)) => list.source.range(f.time_range(field)),
            _ => list.source.range(Default::default()),
        };
        let page = scan(
            &list.source,
            list.filter,
            range,
            token.pos as usize,
            list.size,
        );
        let records: Vec<Vec<u8>> = page.hits.iter().map(|&i| (list.render)(i)).collect();
        let next = page.next.map(|pos| {
            let t = SkipToken {
                pos: pos as u64,
                page: token.page + 1,
                query,
            };
            next_link(&req.base, &req.path, &req.query, list.token_name, &t)
        });
        Reply::ok(arm_page(next.as_deref(), &records), records.len() as u64)
    })
}

fn bad_filter(message: &str) -> Reply {
    arm_error(400, "BadRequest", message)
}

/// `GET /subscriptions` and `GET /subscriptions/{id}`.
pub(crate) fn subscriptions(state: &State, req: &FakeRequest, cx: &ArmCx<'_>) -> Reply {
    let t = cx.tenant;
    if let Some(sub) = &cx.subscription {
        let site = FaultSite {
            endpoint: Endpoint::Subscriptions,
            subscription: Some(sub),
            page: None,
        };
        return with_fault(state.faults.pick(&site), Shape::Arm, || {
            let body = match t.sub_ids.iter().position(|s| s == sub) {
                Some(i) => t.subscriptions.raw(i).to_vec(),
                None => serde_json::to_vec(&serde_json::json!({
                    "id": format!("/subscriptions/{sub}"), "subscriptionId": sub,
                    "tenantId": t.id, "displayName": sub, "state": "Enabled", "tags": {},
                }))
                .unwrap_or_default(),
            };
            Reply::ok(body, 1)
        });
    }
    let render = |i: usize| t.subscriptions.raw(i).to_vec();
    serve(
        state,
        req,
        cx,
        ArmList {
            endpoint: Endpoint::Subscriptions,
            source: Source::all(&t.subscriptions),
            filter: None,
            time_field: None,
            size: state.options.pages.arm_list,
            token_name: "$skiptoken",
            render: &render,
        },
    )
}

/// ARM's activity-log filter: `eventTimestamp ge/le '…'` terms and `field eq '…'` terms joined
/// by `and`, a start time required. Field names map to the event's properties.
pub(crate) fn activity_filter(text: &str) -> Result<Filter, String> {
    let expr = parse(text)?;
    let mut terms = Vec::new();
    let mut has_start = false;
    for c in expr.conjuncts() {
        let Expr::Cmp(Operand::Path(p), op, Operand::Lit(lit)) = c else {
            return Err(format!("The $filter '{text}' is not supported: only 'eventTimestamp ge|le' bounds and 'property eq value' terms joined by 'and' are allowed."));
        };
        let name = p.join("/");
        if name.eq_ignore_ascii_case("eventTimestamp") {
            let ok_time = match lit {
                Literal::Str(s) => parse_instant(s).is_some(),
                _ => false,
            };
            if !ok_time || matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(format!("The $filter '{text}' is not supported: eventTimestamp takes ge/le and a quoted date-time."));
            }
            has_start |= matches!(op, CmpOp::Ge | CmpOp::Gt);
            terms.push(Expr::Cmp(
                Operand::Path(vec!["eventTimestamp".into()]),
                *op,
                Operand::Lit(lit.clone()),
            ));
            continue;
        }
        let path: Vec<String> = match name.to_ascii_lowercase().as_str() {
            "resourcegroupname" => vec!["resourceGroupName".into()],
            "resourceuri" | "resourceid" => vec!["resourceId".into()],
            "resourceprovider" => vec!["resourceProviderName".into(), "value".into()],
            "correlationid" => vec!["correlationId".into()],
            "caller" => vec!["caller".into()],
            "status" => vec!["status".into(), "value".into()],
            "levels" => vec!["level".into()],
            _ => {
                return Err(format!(
                    "The $filter '{text}' is not supported: '{name}' cannot be filtered on."
                ))
            }
        };
        if *op != CmpOp::Eq || !matches!(lit, Literal::Str(_) | Literal::Guid(_)) {
            return Err(format!(
                "The $filter '{text}' is not supported: '{name}' takes eq and a quoted value."
            ));
        }
        terms.push(Expr::Cmp(
            Operand::Path(path),
            CmpOp::Eq,
            Operand::Lit(lit.clone()),
        ));
    }
    if !has_start {
        return Err(format!("The $filter '{text}' is not supported: a start time (eventTimestamp ge '…') is required."));
    }
    let mut it = terms.into_iter();
    let first = it.next().ok_or("empty filter")?;
    Ok(Filter::from_expr(
        it.fold(first, |a, b| Expr::And(Box::new(a), Box::new(b))),
    ))
}

/// The activity log of one subscription.
pub(crate) fn activity(state: &State, req: &FakeRequest, cx: &ArmCx<'_>) -> Reply {
    let Some(text) = req.param("$filter") else {
        return bad_filter("Query parameter cannot be null empty or whitespace: $filter.");
    };
    let filter = match activity_filter(text) {
        Ok(f) => f,
        Err(e) => return bad_filter(&e),
    };
    let schema = &cx.tenant.event_schema;
    let select: Option<Vec<String>> = match req.param("$select") {
        None => None,
        Some(s) => {
            let mut keys = Vec::new();
            for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match schema.property(name) {
                    Some(p) => keys.push(p.to_string()),
                    None => {
                        return arm_error(
                            400,
                            "BadRequest",
                            &format!("'{name}' is not a valid property to select."),
                        )
                    }
                }
            }
            Some(keys)
        }
    };
    let empty = RecordSet::default();
    let set = cx
        .subscription
        .as_ref()
        .and_then(|s| cx.tenant.activity.get(s))
        .unwrap_or(&empty);
    let render = |i: usize| super::query::render(set, i, select.as_deref());
    serve(
        state,
        req,
        cx,
        ArmList {
            endpoint: Endpoint::Activity,
            source: Source::all(set),
            filter: state.filters_on().then_some(&filter),
            time_field: Some("eventTimestamp"),
            size: state.options.pages.activity,
            token_name: "$skipToken",
            render: &render,
        },
    )
}

/// The scope before `/providers/Microsoft.Authorization/…`, lowercased, without a trailing
/// slash.
fn scope_of(req: &FakeRequest) -> String {
    let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let end = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
        .unwrap_or(segs.len());
    format!("/{}", segs[..end].join("/")).to_ascii_lowercase()
}

/// How an assignment's or definition's scope relates to the requested scope.
#[derive(Debug, PartialEq, Eq)]
enum Relation {
    /// The same scope, or one above it (root, management group, the subscription of a
    /// resource group).
    AtOrAbove,
    /// Below it.
    Below,
    /// Unrelated.
    Elsewhere,
}

fn relation(other: &str, scope: &str) -> Relation {
    let other = other.trim_end_matches('/');
    if other.is_empty()
        || other == scope
        || other.starts_with("/providers/microsoft.management/managementgroups")
        || scope.starts_with(&format!("{other}/"))
    {
        Relation::AtOrAbove
    } else if other.starts_with(&format!("{scope}/")) {
        Relation::Below
    } else {
        Relation::Elsewhere
    }
}

/// Role assignments at a scope: at, above and below it; `atScope()` drops those below;
/// `principalId eq` / `assignedTo()` keep one principal's.
pub(crate) fn role_assignments(state: &State, req: &FakeRequest, cx: &ArmCx<'_>) -> Reply {
    let scope = scope_of(req);
    let (mut at_scope, mut principal) = (false, None::<String>);
    if let Some(text) = req.param("$filter") {
        let unsupported = || {
            bad_filter(&format!("The filter '{text}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{{value}}'' or 'assignedTo('{{value}}')'."))
        };
        let Ok(expr) = parse(text) else {
            return unsupported();
        };
        for c in expr.conjuncts() {
            match c {
                Expr::Call(name, args) if name == "atScope" && args.is_empty() => at_scope = true,
                Expr::Call(name, args) if name == "assignedTo" => match args.as_slice() {
                    [Operand::Lit(Literal::Str(id) | Literal::Guid(id))] => {
                        principal = Some(id.to_ascii_lowercase())
                    }
                    _ => return unsupported(),
                },
                Expr::Cmp(
                    Operand::Path(p),
                    CmpOp::Eq,
                    Operand::Lit(Literal::Str(id) | Literal::Guid(id)),
                ) if p.len() == 1 && p[0].eq_ignore_ascii_case("principalId") => {
                    principal = Some(id.to_ascii_lowercase())
                }
                _ => return unsupported(),
            }
        }
    }
    if !state.filters_on() {
        (at_scope, principal) = (false, None);
    }
    let t = cx.tenant;
    let positions: Vec<u32> = t
        .assignment_keys
        .iter()
        .enumerate()
        .filter(|(_, (s, p))| {
            let rel = relation(s, &scope);
            (rel == Relation::AtOrAbove || (rel == Relation::Below && !at_scope))
                && principal.as_ref().is_none_or(|want| want == p)
        })
        .map(|(i, _)| i as u32)
        .collect();
    let render = |i: usize| t.assignments.raw(i).to_vec();
    serve(
        state,
        req,
        cx,
        ArmList {
            endpoint: Endpoint::RoleAssignments,
            source: Source {
                set: &t.assignments,
                order: Order::Positions(&positions),
                tags: None,
            },
            filter: None,
            time_field: None,
            size: state.options.pages.arm_list,
            token_name: "$skiptoken",
            render: &render,
        },
    )
}

/// Role definitions assignable at (or below) a scope; built-in roles' ids are given under the
/// subscription, as ARM does.
pub(crate) fn role_definitions(state: &State, req: &FakeRequest, cx: &ArmCx<'_>) -> Reply {
    let scope = scope_of(req);
    let filter = match req.param("$filter") {
        None => None,
        Some(text) => {
            let unsupported = || {
                bad_filter(&format!("The filter '{text}' is not supported. Supported filters are 'roleName eq '{{value}}'' and 'type eq 'BuiltInRole|CustomRole''."))
            };
            let Ok(expr) = parse(text) else {
                return unsupported();
            };
            let mut terms = Vec::new();
            for c in expr.conjuncts() {
                match c {
                    Expr::Cmp(Operand::Path(p), CmpOp::Eq, Operand::Lit(Literal::Str(v)))
                        if p.len() == 1 =>
                    {
                        let field = match p[0].to_ascii_lowercase().as_str() {
                            "rolename" => "roleName",
                            "type" => "type",
                            _ => return unsupported(),
                        };
                        terms.push(Expr::Cmp(
                            Operand::Path(vec!["properties".into(), field.into()]),
                            CmpOp::Eq,
                            Operand::Lit(Literal::Str(v.clone())),
                        ));
                    }
                    _ => return unsupported(),
                }
            }
            let mut it = terms.into_iter();
            it.next().map(|first| {
                Filter::from_expr(it.fold(first, |a, b| Expr::And(Box::new(a), Box::new(b))))
            })
        }
    };
    let t = cx.tenant;
    let positions: Vec<u32> = t
        .definition_scopes
        .iter()
        .enumerate()
        .filter(|(_, scopes)| {
            scopes
                .iter()
                .any(|s| relation(s, &scope) != Relation::Elsewhere)
        })
        .map(|(i, _)| i as u32)
        .collect();
    let sub = cx.subscription.clone().unwrap_or_default();
    let render = |i: usize| {
        let mut m = project(t.definitions.raw(i), None);
        if let Some(Value::String(id)) = m.get("id") {
            if id.starts_with("/providers/") {
                let id = format!("/subscriptions/{sub}{id}");
                m.insert("id".into(), Value::String(id));
            }
        }
        serde_json::to_vec(&m).unwrap_or_default()
    };
    serve(
        state,
        req,
        cx,
        ArmList {
            endpoint: Endpoint::RoleDefinitions,
            source: Source {
                set: &t.definitions,
                order: Order::Positions(&positions),
                tags: None,
            },
            filter: filter.as_ref().filter(|_| state.filters_on()),
            time_field: None,
            size: state.options.pages.arm_list,
            token_name: "$skiptoken",
            render: &render,
        },
    )
}
