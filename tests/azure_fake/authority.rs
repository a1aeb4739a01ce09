//! The Entra token authority (`POST /{tenant}/oauth2/v2.0/token`, client credentials with a
//! secret or a federated assertion) and the App Service managed-identity endpoint
//! (`GET /msi/token?api-version=2019-08-01&resource=…`, header `X-IDENTITY-HEADER`).

use hyper::Method;
use serde_json::json;

use super::counters::Endpoint;
use super::faults::FaultSite;
use super::reply::{aad_error, msi_error, with_fault, Reply, Shape};
use super::request::FakeRequest;
use super::state::{Service, State};
use super::tokens::Audience;

/// The assertion type of a federated credential.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The managed-identity API version azure_identity sends.
const MSI_API_VERSION: &str = "2019-08-01";
/// The path of the managed-identity endpoint.
pub(crate) const MSI_PATH: &str = "/msi/token";

/// Which authority endpoint a request is for.
pub(crate) fn classify(req: &FakeRequest) -> Endpoint {
    let segs = req.segs();
    match segs.as_slice() {
        [_, o, v, t]
            if o.eq_ignore_ascii_case("oauth2")
                && *v == "v2.0"
                && t.eq_ignore_ascii_case("token") =>
        {
            Endpoint::Token
        }
        [m, t] if m.eq_ignore_ascii_case("msi") && t.eq_ignore_ascii_case("token") => {
            Endpoint::ManagedIdentity
        }
        [_, "v2.0", ".well-known", "openid-configuration"] => Endpoint::Discovery,
        _ => Endpoint::Other,
    }
}

/// Answers an authority request.
pub(crate) fn handle(state: &State, req: &FakeRequest, endpoint: Endpoint) -> Reply {
    match endpoint {
        Endpoint::Token => token(state, req),
        Endpoint::ManagedIdentity => managed_identity(state, req),
        Endpoint::Discovery => discovery(state, req),
        _ => aad_error(
            404,
            "invalid_request",
            900561,
            "The endpoint does not exist.",
        ),
    }
}

/// The audience a resource identifier (or scope without `/.default`) names.
pub(crate) fn audience_of(state: &State, resource: &str) -> Option<Audience> {
    let r = resource.trim_end_matches('/').to_ascii_lowercase();
    let graph = [
        "https://graph.microsoft.com",
        "00000003-0000-0000-c000-000000000000",
    ];
    let arm = [
        "https://management.azure.com",
        "https://management.core.windows.net",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    ];
    let storage = ["https://storage.azure.com"];
    if graph.contains(&r.as_str()) || state.bases(Service::Graph).contains(&r) {
        Some(Audience::Graph)
    } else if arm.contains(&r.as_str()) || state.bases(Service::Arm).contains(&r) {
        Some(Audience::Arm)
    } else if storage.contains(&r.as_str()) {
        Some(Audience::Storage)
    } else {
        None
    }
}

fn token(state: &State, req: &FakeRequest) -> Reply {
    if req.method != Method::POST {
        return aad_error(
            405,
            "invalid_request",
            900561,
            &format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {} request.",
                req.method
            ),
        );
    }
    let tenant = req.segments[0].to_ascii_lowercase();
    if !state.tenants.contains_key(&tenant) {
        return aad_error(400, "invalid_request", 90002, &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."));
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let creds = &state.options.credentials;
    let missing = |name: &str| {
        aad_error(
            400,
            "invalid_request",
            900144,
            &format!("The request body must contain the following parameter: '{name}'."),
        )
    };
    let Some(grant) = field("grant_type") else {
        return missing("grant_type");
    };
    if grant != "client_credentials" {
        return aad_error(
            400,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant}'."),
        );
    }
    let Some(client_id) = field("client_id") else {
        return missing("client_id");
    };
    if !client_id.eq_ignore_ascii_case(&creds.client_id) {
        return aad_error(400, "unauthorized_client", 700016, &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."));
    }
    if let Some(assertion) = field("client_assertion") {
        if field("client_assertion_type") != Some(JWT_BEARER) {
            return aad_error(
                400,
                "invalid_request",
                50027,
                &format!(
                    "Invalid client assertion type: client_assertion_type must be '{JWT_BEARER}'."
                ),
            );
        }
        if creds.client_assertion.as_deref() != Some(assertion) {
            if assertion.split('.').count() != 3 {
                return aad_error(
                    400,
                    "invalid_request",
                    70021,
                    "No matching federated identity record found for presented assertion.",
                );
            }
            let audiences: Vec<String> = state
                .bases(Service::Authority)
                .iter()
                .flat_map(|b| {
                    [
                        format!("{b}/{}/oauth2/v2.0/token", req.segments[0]),
                        format!("{b}/{tenant}/oauth2/v2.0/token"),
                    ]
                })
                .collect();
            if let Err(e) = state.client_cert.verify(assertion, client_id, &audiences) {
                return aad_error(401, "invalid_client", 700_027, &e);
            }
        }
    } else if let Some(secret) = field("client_secret") {
        if secret != creds.client_secret {
            return aad_error(401, "invalid_client", 7_000_215, &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."));
        }
    } else {
        return aad_error(401, "invalid_client", 7_000_218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    let Some(scope) = field("scope") else {
        return missing("scope");
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let [scope] = scopes.as_slice() else {
        return aad_error(400, "invalid_scope", 70011, &format!("The provided request must include a 'scope' input parameter naming one resource. The provided value for the input parameter 'scope' is not valid: '{scope}'."));
    };
    let Some(resource) = scope.strip_suffix("/.default") else {
        return aad_error(400, "invalid_scope", 1_002_012, &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
    };
    let Some(audience) = audience_of(state, resource) else {
        return aad_error(400, "invalid_resource", 500_011, &format!("The resource principal named {resource} was not found in the tenant named {tenant}."));
    };
    let site = FaultSite {
        endpoint: Endpoint::Token,
        subscription: None,
        page: None,
    };
    with_fault(state.faults.pick(&site), Shape::Aad, || {
        let lifetime = state.lifetime();
        let (token, _) = state
            .tokens
            .issue(audience, &tenant, &creds.client_id, lifetime);
        let secs = lifetime.as_secs();
        Reply::json(
            200,
            &json!({"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": token}),
        )
    })
}

fn managed_identity(state: &State, req: &FakeRequest) -> Reply {
    let creds = &state.options.credentials;
    if req.method != Method::GET {
        return msi_error(405, "The managed identity endpoint only accepts GET.");
    }
    if req.header("x-identity-header") != Some(creds.identity_header.as_str()) {
        return msi_error(401, "The X-IDENTITY-HEADER header is missing or wrong.");
    }
    match req.param("api-version") {
        Some(MSI_API_VERSION) => {}
        other => {
            return msi_error(
                400,
                &format!(
                    "Unsupported api-version '{}'; use {MSI_API_VERSION}.",
                    other.unwrap_or("")
                ),
            )
        }
    }
    let Some(resource) = req.param("resource") else {
        return msi_error(400, "The 'resource' query parameter is required.");
    };
    let id_ok = match (
        req.param("client_id"),
        req.param("object_id"),
        req.param("msi_res_id"),
    ) {
        (None, None, None) => true,
        (Some(c), None, None) => c.eq_ignore_ascii_case(&creds.managed_identity_client_id),
        _ => false,
    };
    if !id_ok {
        return msi_error(400, "Unable to load the proper Managed Identity.");
    }
    let Some(audience) = audience_of(state, resource.trim_end_matches("/.default")) else {
        return msi_error(400, &format!("The resource '{resource}' is not known."));
    };
    let Some(tenant) = state.home_tenant.clone() else {
        return msi_error(500, "No tenant.");
    };
    let site = FaultSite {
        endpoint: Endpoint::ManagedIdentity,
        subscription: None,
        page: None,
    };
    with_fault(state.faults.pick(&site), Shape::Msi, || {
        let lifetime = state.lifetime();
        let (token, info) = state.tokens.issue(
            audience,
            &tenant,
            &creds.managed_identity_client_id,
            lifetime,
        );
        Reply::json(
            200,
            &json!({
                "access_token": token,
                "expires_on": info.expires_unix.to_string(),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": creds.managed_identity_client_id,
            }),
        )
    })
}

/// The tenant's OpenID configuration (the fields MSAL-style clients read).
fn discovery(state: &State, req: &FakeRequest) -> Reply {
    let tenant = req.segments[0].to_ascii_lowercase();
    if !state.tenants.contains_key(&tenant) {
        return aad_error(
            400,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let base = &req.base;
    Reply::json(
        200,
        &json!({
            "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
            "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }),
    )
}
