//! Microsoft Graph (`/beta/…` and `/v1.0/…`): sign-ins, registration details, users, a
//! user's manager and sponsors; bearer tokens for Graph, the report throttle and the
//! directory throttle.

use hyper::Method;
use serde_json::Value;

use super::auth::{authenticate, AuthError};
use super::counters::Endpoint;
use super::faults::FaultSite;
use super::graph_list::{parse_filter, parse_select, serve, GraphList};
use super::query::{graph_page, Order, Source};
use super::records::project;
use super::reply::{graph_error, with_fault, Reply, Shape};
use super::request::FakeRequest;
use super::schemas::USER_DEFAULT;
use super::state::State;
use super::tenant::{TenantData, SIGN_IN_TYPES};
use super::throttle::{retry_after_secs, Admission};
use super::tokens::Audience;

/// Which Graph endpoint a request is for.
pub(crate) fn classify(req: &FakeRequest) -> Endpoint {
    let segs: Vec<String> = req
        .segments
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["beta" | "v1.0", rest @ ..] => match rest {
            ["auditlogs", "signins"] => Endpoint::SignIns,
            ["reports", "authenticationmethods", "userregistrationdetails"] => {
                Endpoint::Registration
            }
            ["users"] | ["users", _] => Endpoint::Users,
            ["users", _, "manager"] => Endpoint::Manager,
            ["users", _, "sponsors"] => Endpoint::Sponsors,
            _ => Endpoint::Other,
        },
        _ => Endpoint::Other,
    }
}

/// Answers a Graph request.
pub(crate) fn handle(state: &State, req: &FakeRequest, endpoint: Endpoint) -> Reply {
    if endpoint == Endpoint::Other {
        let segment = req
            .segments
            .get(1)
            .or(req.segments.first())
            .map_or("", String::as_str);
        return match req.segments.first().map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "beta" || v == "v1.0" => graph_error(
                400,
                "BadRequest",
                &format!("Resource not found for the segment '{segment}'."),
            ),
            v => graph_error(
                404,
                "BadRequest",
                &format!("Invalid version: {}", v.unwrap_or_default()),
            ),
        };
    }
    if req.method != Method::GET {
        return graph_error(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        );
    }
    let token = match authenticate(state, req, Audience::Graph) {
        Ok(t) => t,
        Err(e) => return unauthorized(&e),
    };
    let Some(tenant) = state.tenants.get(&token.tenant) else {
        return graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure: unknown tenant.",
        );
    };
    let limiter = if endpoint.is_report() {
        &state.report_limit
    } else {
        &state.graph_limit
    };
    if let Admission::Rejected { retry_after } =
        limiter.admit(&format!("{}|{}", token.client_id, token.tenant))
    {
        return graph_error(429, "TooManyRequests", "Too many requests.")
            .header("Retry-After", retry_after_secs(retry_after).to_string());
    }
    match endpoint {
        Endpoint::SignIns => sign_ins(state, req, tenant),
        Endpoint::Registration => registration(state, req, tenant),
        Endpoint::Users if req.segments.len() == 2 => users(state, req, tenant),
        Endpoint::Users => user(state, req, tenant),
        Endpoint::Manager => manager(state, req, tenant),
        _ => sponsors(state, req, tenant),
    }
}

fn unauthorized(e: &AuthError) -> Reply {
    let message = match e {
        AuthError::Missing => "Access token is empty.",
        AuthError::Unknown => "IDX14100: JWT is not well formed, there are no dots (.).",
        AuthError::Expired(_) => "Lifetime validation failed, the token is expired.",
        AuthError::WrongAudience(_) => "Access token validation failure. Invalid audience.",
    };
    graph_error(401, "InvalidAuthenticationToken", message)
        .header("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"")
}

/// Sign-ins: interactive ones unless the filter names `signInEventTypes`; every sign-in
/// when filters are off.
fn sign_ins(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let filter = match parse_filter(req, &tenant.sign_in_schema) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let set = &tenant.sign_ins;
    let source = match (&filter, state.filters_on()) {
        (_, false) => Source::all(set),
        (Some(f), true) if f.mentions("signInEventTypes") => match f.any_values("signInEventTypes")
        {
            Some(types) => {
                let tags: Vec<usize> = types
                    .iter()
                    .filter_map(|t| SIGN_IN_TYPES.iter().position(|k| k == t))
                    .collect();
                match tags.as_slice() {
                    [one] if types.len() == 1 => Source {
                        set,
                        order: Order::Positions(&tenant.sign_in_parts[*one]),
                        tags: None,
                    },
                    _ if tags.len() == types.len() => Source {
                        set,
                        order: Order::All,
                        tags: Some(tags.iter().fold(0, |m, t| m | (1 << t))),
                    },
                    _ => Source::all(set),
                }
            }
            None => Source::all(set),
        },
        _ => Source {
            set,
            order: Order::Positions(&tenant.sign_in_parts[0]),
            tags: None,
        },
    };
    let size = state.options.pages.sign_ins;
    let list = GraphList {
        endpoint: Endpoint::SignIns,
        schema: &tenant.sign_in_schema,
        source,
        time_field: Some("createdDateTime"),
        default_top: size,
        max_top: size,
        context: "auditLogs/signIns",
        default_select: None,
        expand: false,
    };
    serve(state, req, tenant, &list, filter.as_ref())
}

fn registration(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let filter = match parse_filter(req, &tenant.registration_schema) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let size = state.options.pages.registration;
    let list = GraphList {
        endpoint: Endpoint::Registration,
        schema: &tenant.registration_schema,
        source: Source::all(&tenant.registration),
        time_field: None,
        default_top: size,
        max_top: size,
        context: "reports/authenticationMethods/userRegistrationDetails",
        default_select: None,
        expand: false,
    };
    serve(state, req, tenant, &list, filter.as_ref())
}

fn users(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let filter = match parse_filter(req, &tenant.user_schema) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let pages = state.options.pages;
    let list = GraphList {
        endpoint: Endpoint::Users,
        schema: &tenant.user_schema,
        source: Source::all(&tenant.users),
        time_field: None,
        default_top: pages.users_default,
        max_top: pages.users_max,
        context: "users",
        default_select: Some(USER_DEFAULT),
        expand: true,
    };
    serve(state, req, tenant, &list, filter.as_ref())
}

/// The position of the user `segments[2]` names (object id or UPN), or the 404 answer.
fn find_user(req: &FakeRequest, tenant: &TenantData) -> Result<u32, Reply> {
    let key = req
        .segments
        .get(2)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    tenant.user_by_key.get(&key).copied().ok_or_else(|| {
        graph_error(404, "Request_ResourceNotFound", &format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."))
    })
}

/// One directory object with its `@odata.context`.
fn entity(req: &FakeRequest, context: &str, mut object: serde_json::Map<String, Value>) -> Vec<u8> {
    let version = req.segments.first().map_or("beta", String::as_str);
    object.insert(
        "@odata.context".into(),
        Value::String(format!("{}/{version}/$metadata#{context}", req.base)),
    );
    serde_json::to_vec(&object).unwrap_or_default()
}

fn site(endpoint: Endpoint) -> FaultSite<'static> {
    FaultSite {
        endpoint,
        subscription: None,
        page: None,
    }
}

fn user(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let pos = match find_user(req, tenant) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let select = match parse_select(
        req.param("$select"),
        &tenant.user_schema,
        Some(USER_DEFAULT),
    ) {
        Ok(s) => s,
        Err(r) => return r,
    };
    with_fault(
        state.faults.pick(&site(Endpoint::Users)),
        Shape::Graph,
        || {
            let object = tenant.users.project(pos as usize, select.as_deref());
            Reply::ok(entity(req, "users/$entity", object), 1)
        },
    )
}

fn manager(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let pos = match find_user(req, tenant) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(raw) = tenant.managers.get(&pos) else {
        return graph_error(404, "Request_ResourceNotFound", "Resource 'manager' does not exist or one of its queried reference-property objects are not present.");
    };
    with_fault(
        state.faults.pick(&site(Endpoint::Manager)),
        Shape::Graph,
        || {
            Reply::ok(
                entity(req, "directoryObjects/$entity", project(raw, None)),
                1,
            )
        },
    )
}

fn sponsors(state: &State, req: &FakeRequest, tenant: &TenantData) -> Reply {
    let pos = match find_user(req, tenant) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let items: Vec<Vec<u8>> = tenant
        .sponsors
        .get(&pos)
        .and_then(|raw| serde_json::from_slice::<Vec<Value>>(raw).ok())
        .unwrap_or_default()
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap_or_default())
        .collect();
    with_fault(
        state.faults.pick(&site(Endpoint::Sponsors)),
        Shape::Graph,
        || {
            let version = req.segments.first().map_or("beta", String::as_str);
            let context = format!("{}/{version}/$metadata#directoryObjects", req.base);
            Reply::ok(graph_page(&context, None, &items), items.len() as u64)
        },
    )
}
