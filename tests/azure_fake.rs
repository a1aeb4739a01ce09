//! Self-tests of the Graph / ARM / token-authority fake (`tests/azure_fake/`), against a small
//! synthetic tenant: tokens and 401s, paging, filters against a brute-force evaluation, the
//! report throttle, faults, ARM listings and errors, counters.

#[path = "azure_fake/mod.rs"]
mod azure_fake;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use azure_fake::{
    AzureFake, Endpoint, FakeOptions, FakeTenant, FaultRule, Faults, Listing, PageSizes, RateLimit,
    TruncateMode,
};
use serde_json::{json, Value};
use stepup::synth::{generate, SynthOptions};
use tempfile::TempDir;

const GRAPH: &str = "https://graph.microsoft.com/.default";
const ARM: &str = "https://management.azure.com/.default";
const AZURE_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const AZURE_POWERSHELL: &str = "1950a258-227b-4e31-a9cf-717495945fc2";

/// A synthetic tenant on disk; the first user gets a manager, the third a sponsor.
fn tenant_dir() -> (TempDir, SynthOptions) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SynthOptions::new(100, 4, 11);
    generate(&opts, dir.path()).expect("synthesise");
    let path = dir.path().join("users.json");
    let mut users: Vec<Value> =
        serde_json::from_slice(&std::fs::read(&path).expect("read users")).expect("users array");
    let contact = |u: &Value| json!({"id": u["id"], "displayName": u["displayName"], "mail": u["mail"], "userPrincipalName": u["userPrincipalName"]});
    let (manager, sponsor) = (contact(&users[1]), contact(&users[3]));
    users[0]["manager"] = manager;
    users[2]["sponsors"] = json!([sponsor]);
    std::fs::write(&path, serde_json::to_vec(&users).expect("json")).expect("write users");
    (dir, opts)
}

/// A fake over a fresh synthetic tenant.
fn start(options: FakeOptions) -> (TempDir, AzureFake) {
    let (dir, opts) = tenant_dir();
    let tenant = FakeTenant::load(dir.path(), opts.tenant_id).expect("load tenant");
    let fake = AzureFake::start(tenant, options).expect("start fake");
    (dir, fake)
}

/// Options with a report limit generous enough for tests that are not about it.
fn roomy() -> FakeOptions {
    FakeOptions {
        report_limit: RateLimit::new(10_000, Duration::from_secs(10)),
        ..FakeOptions::default()
    }
}

/// Every record of an export file (array, page or JSON Lines).
fn records(dir: &Path, file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(file)).expect("read export file");
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str(t).expect("array");
    }
    if let Ok(Value::Object(page)) = serde_json::from_str::<Value>(t) {
        if let Some(Value::Array(v)) = page.get("value") {
            return v.clone();
        }
    }
    t.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("line"))
        .collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn token_response(fake: &AzureFake, form: &[(&str, &str)]) -> reqwest::Response {
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        fake.authority_url_http(),
        fake.tenant_id()
    );
    client()
        .post(url)
        .form(form)
        .send()
        .await
        .expect("token request")
}

async fn token(fake: &AzureFake, scope: &str) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        ("client_secret", fake.client_secret()),
        ("scope", scope),
    ];
    let body: Value = token_response(fake, &form)
        .await
        .json()
        .await
        .expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

async fn get(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut r = client().get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.expect("request")
}

/// Follows `@odata.nextLink` / `nextLink` from `url`; returns the records and the page count.
async fn pull(url: String, token: &str) -> (Vec<Value>, usize) {
    let (mut out, mut pages, mut next) = (Vec::new(), 0, Some(url));
    while let Some(url) = next {
        let resp = get(&url, Some(token)).await;
        assert_eq!(resp.status(), 200, "{url}");
        let page: Value = resp.json().await.expect("page json");
        out.extend(page["value"].as_array().expect("value").iter().cloned());
        pages += 1;
        next = page
            .get("@odata.nextLink")
            .or(page.get("nextLink"))
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    (out, pages)
}

fn ids(records: &[Value], key: &str) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r[key].as_str().expect("id").to_string())
        .collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn tokens_are_issued_and_checked() {
    let (_dir, fake) = start(roomy());
    let ok = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        ("client_secret", fake.client_secret()),
        ("scope", GRAPH),
    ];
    let resp = token_response(&fake, &ok).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    let graph = body["access_token"].as_str().expect("token").to_string();

    let bad_secret = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        ("client_secret", "nope"),
        ("scope", GRAPH),
    ];
    let resp = token_response(&fake, &bad_secret).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"], json!([7_000_215]));
    assert!(body["error_description"]
        .as_str()
        .expect("text")
        .starts_with("AADSTS7000215:"));

    let unknown_client = [
        ("grant_type", "client_credentials"),
        ("client_id", "00000000-1111-2222-3333-444444444444"),
        ("client_secret", "x"),
        ("scope", GRAPH),
    ];
    assert_eq!(token_response(&fake, &unknown_client).await.status(), 400);
    let no_default = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        ("client_secret", fake.client_secret()),
        ("scope", "https://graph.microsoft.com/User.Read"),
    ];
    let resp = token_response(&fake, &no_default).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"],
        "invalid_scope"
    );
    let other_tenant = format!(
        "{}/{}/oauth2/v2.0/token",
        fake.authority_url_http(),
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(
        client()
            .post(other_tenant)
            .form(&ok)
            .send()
            .await
            .expect("send")
            .status(),
        400
    );

    let assertion = fake
        .client_assertion()
        .expect("assertion configured")
        .to_string();
    let federated = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
        ("scope", ARM),
    ];
    assert_eq!(token_response(&fake, &federated).await.status(), 200);
    let wrong = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", "forged"),
        ("scope", ARM),
    ];
    assert_eq!(token_response(&fake, &wrong).await.status(), 400);

    let users = format!("{}/v1.0/users", fake.graph_url());
    let resp = get(&users, None).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "InvalidAuthenticationToken"
    );
    let arm = token(&fake, ARM).await;
    assert_eq!(
        get(&users, Some(&arm)).await.status(),
        401,
        "an ARM token is refused by Graph"
    );
    assert_eq!(get(&users, Some(&graph)).await.status(), 200);

    let subs = format!("{}/subscriptions?api-version=2022-12-01", fake.arm_url());
    let resp = get(&subs, None).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "AuthenticationFailed"
    );
    let resp = get(&subs, Some(&graph)).await;
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "InvalidAuthenticationTokenAudience"
    );
    assert_eq!(get(&subs, Some(&arm)).await.status(), 200);

    fake.expire_tokens();
    let resp = get(&subs, Some(&arm)).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "ExpiredAuthenticationToken"
    );
    let resp = get(&users, Some(&graph)).await;
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.expect("text").contains("expired"));

    let c = fake.counters();
    assert_eq!(c.requests(Endpoint::Token), 8);
    assert_eq!(c.of(Endpoint::Token).pages, 3);
    assert_eq!(c.of(Endpoint::Users).unauthorized, 3);
}

#[tokio::test]
async fn https_and_managed_identity() {
    let (_dir, fake) = start(roomy());
    let cert = reqwest::Certificate::from_pem(fake.cert_pem().as_bytes()).expect("certificate");
    let tls = reqwest::Client::builder()
        .add_root_certificate(cert)
        .no_proxy()
        .build()
        .expect("client");
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        fake.authority_url(),
        fake.tenant_id()
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        ("client_secret", fake.client_secret()),
        ("scope", GRAPH),
    ];
    let resp = tls
        .post(&url)
        .form(&form)
        .send()
        .await
        .expect("https token request");
    assert_eq!(resp.status(), 200);
    let token = resp.json::<Value>().await.expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let users = format!("{}/beta/users?$top=2", fake.graph_url_https());
    let page: Value = tls
        .get(&users)
        .bearer_auth(&token)
        .send()
        .await
        .expect("https graph")
        .json()
        .await
        .expect("json");
    assert!(
        page["@odata.nextLink"]
            .as_str()
            .expect("next")
            .starts_with(&fake.graph_url_https()),
        "next links keep the scheme"
    );

    let msi = format!(
        "{}?api-version=2019-08-01&resource={}",
        fake.identity_endpoint(),
        enc("https://management.azure.com")
    );
    let resp = client()
        .get(&msi)
        .header("X-IDENTITY-HEADER", fake.identity_header())
        .send()
        .await
        .expect("msi");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert!(body["expires_on"]
        .as_str()
        .expect("expires_on is a string")
        .parse::<u64>()
        .is_ok());
    let arm = body["access_token"].as_str().expect("token");
    assert_eq!(
        get(
            &format!("{}/subscriptions?api-version=2022-12-01", fake.arm_url()),
            Some(arm)
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        client().get(&msi).send().await.expect("msi").status(),
        401,
        "the identity header is required"
    );
    let wrong_id = format!("{msi}&client_id=00000000-0000-0000-0000-000000000001");
    assert_eq!(
        client()
            .get(&wrong_id)
            .header("X-IDENTITY-HEADER", fake.identity_header())
            .send()
            .await
            .expect("msi")
            .status(),
        400
    );
    assert_eq!(fake.counters().requests(Endpoint::ManagedIdentity), 3);
}

#[tokio::test]
async fn paging_covers_every_record_once() {
    let (dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    let all = records(dir.path(), "signIns.json");
    let interactive: Vec<Value> = all
        .iter()
        .filter(|r| r["signInEventTypes"] == json!(["interactiveUser"]))
        .cloned()
        .collect();
    let (got, pages) = pull(
        format!("{}/beta/auditLogs/signIns?$top=7", fake.graph_url()),
        &token,
    )
    .await;
    assert_eq!(
        got.len(),
        interactive.len(),
        "no duplicates, nothing missing"
    );
    assert_eq!(ids(&got, "id"), ids(&interactive, "id"));
    assert_eq!(pages, interactive.len().div_ceil(7));
    let times: Vec<&str> = got
        .iter()
        .map(|r| r["createdDateTime"].as_str().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let (users, _) = pull(format!("{}/v1.0/users?$top=9", fake.graph_url()), &token).await;
    assert_eq!(
        ids(&users, "id"),
        ids(&records(dir.path(), "users.json"), "id")
    );
    let (reg, _) = pull(
        format!(
            "{}/beta/reports/authenticationMethods/userRegistrationDetails?$top=11",
            fake.graph_url()
        ),
        &token,
    )
    .await;
    assert_eq!(
        ids(&reg, "id"),
        ids(&records(dir.path(), "userRegistrationDetails.json"), "id")
    );

    let bad_top = get(
        &format!("{}/v1.0/users?$top=1000", fake.graph_url()),
        Some(&token),
    )
    .await;
    assert_eq!(bad_top.status(), 400);
    let foreign = get(
        &format!(
            "{}/v1.0/users?$skiptoken=00000000000000000000000000000000",
            fake.graph_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(
        foreign.status(),
        400,
        "a skip token of another query is refused"
    );
}

/// A sign-in filter and its brute-force twin.
type Case = (String, Box<dyn Fn(&Value) -> bool>);

#[tokio::test]
async fn filters_match_a_brute_force_evaluation() {
    let (dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    let all = records(dir.path(), "signIns.json");
    let mut times: Vec<&str> = all
        .iter()
        .map(|r| r["createdDateTime"].as_str().expect("time"))
        .collect();
    times.sort();
    let middle = times[times.len() / 2].to_string();
    let kind = |r: &Value, k: &str| r["signInEventTypes"] == json!([k]);
    let m = middle.clone();
    let cases: Vec<Case> = vec![
        (
            format!("status/errorCode eq 0 and appId in ('{AZURE_CLI}','{AZURE_POWERSHELL}')"),
            Box::new(move |r| kind(r, "interactiveUser") && r["status"]["errorCode"] == 0 && [AZURE_CLI, AZURE_POWERSHELL].contains(&r["appId"].as_str().unwrap_or(""))),
        ),
        (format!("createdDateTime ge {middle}"), Box::new(move |r| kind(r, "interactiveUser") && r["createdDateTime"].as_str().unwrap_or("") >= m.as_str())),
        (
            "signInEventTypes/any(t: t eq 'nonInteractiveUser') and authenticationRequirement eq 'singleFactorAuthentication'".into(),
            Box::new(move |r| kind(r, "nonInteractiveUser") && r["authenticationRequirement"] == "singleFactorAuthentication"),
        ),
        ("startswith(userPrincipalName,'a') or not(status/errorCode eq 0)".into(), Box::new(move |r| {
            kind(r, "interactiveUser") && (r["userPrincipalName"].as_str().unwrap_or("").to_lowercase().starts_with('a') || r["status"]["errorCode"] != 0)
        })),
        (
            "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'servicePrincipal') and isInteractive eq false".into(),
            Box::new(move |r| kind(r, "servicePrincipal") && r["isInteractive"] == false),
        ),
    ];
    for (filter, want) in &cases {
        let expected: Vec<Value> = all.iter().filter(|r| want(r)).cloned().collect();
        let url = format!(
            "{}/beta/auditLogs/signIns?$top=13&$filter={}",
            fake.graph_url(),
            enc(filter)
        );
        let (got, pages) = pull(url, &token).await;
        assert_eq!(ids(&got, "id"), ids(&expected, "id"), "{filter}");
        assert_eq!(got.len(), expected.len(), "{filter}");
        let need = fake.need(Listing::SignIns(Some(filter)), 13).expect("need");
        assert_eq!(
            (need.records, need.pages),
            (expected.len(), pages),
            "{filter}"
        );
    }
    let reg = records(dir.path(), "userRegistrationDetails.json");
    let url = format!("{}/beta/reports/authenticationMethods/userRegistrationDetails?$filter={}&$select=id,isMfaRegistered", fake.graph_url(), enc("isMfaRegistered eq false"));
    let (got, _) = pull(url, &token).await;
    let expected: Vec<Value> = reg
        .into_iter()
        .filter(|r| r["isMfaRegistered"] == false)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&got, "id"), ids(&expected, "id"));
    assert!(
        got.iter()
            .all(|r| r.as_object().is_some_and(|o| o.len() == 2)),
        "$select projects"
    );
}

#[tokio::test]
async fn invalid_filters_are_refused() {
    let (_dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    for filter in [
        "status/errorCode eq",
        "errorCode eq 0",
        "appId eq 'x' and",
        "substringof('a', appId)",
        "createdDateTime ge 2026-13-45T00:00:00Z",
        "(appId eq 'x'",
        "createdDateTime ge '2026-11-01T00:00:00Z'",
        "appId eq 04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    ] {
        let resp = get(
            &format!(
                "{}/beta/auditLogs/signIns?$filter={}",
                fake.graph_url(),
                enc(filter)
            ),
            Some(&token),
        )
        .await;
        assert_eq!(resp.status(), 400, "{filter}");
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["error"]["code"], "BadRequest");
        assert!(
            body["error"]["message"]
                .as_str()
                .expect("message")
                .starts_with("Invalid filter clause"),
            "{filter}"
        );
    }
    let resp = get(
        &format!(
            "{}/beta/auditLogs/signIns?$orderby=createdDateTime",
            fake.graph_url()
        ),
        Some(&token),
    )
    .await;
    assert_eq!(resp.status(), 400, "unsupported query options are refused");
    assert_eq!(fake.counters().of(Endpoint::SignIns).rejected, 9);
}

#[tokio::test]
async fn ignoring_filters_returns_every_record() {
    let (dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    fake.set_apply_filters(false);
    let url = format!(
        "{}/beta/auditLogs/signIns?$filter={}",
        fake.graph_url(),
        enc("status/errorCode eq 0")
    );
    let (got, _) = pull(url, &token).await;
    assert_eq!(
        ids(&got, "id"),
        ids(&records(dir.path(), "signIns.json"), "id")
    );
    fake.set_apply_filters(true);
    let url = format!(
        "{}/beta/auditLogs/signIns?$filter={}",
        fake.graph_url(),
        enc("status/errorCode eq 0")
    );
    let (got, _) = pull(url, &token).await;
    assert!(got
        .iter()
        .all(|r| r["status"]["errorCode"] == 0 && r["isInteractive"] == true));
}

#[tokio::test]
async fn the_sixth_report_request_in_a_window_is_throttled() {
    let window = Duration::from_secs(2);
    let (_dir, fake) = start(FakeOptions {
        report_limit: RateLimit::new(5, window),
        ..FakeOptions::default()
    });
    let token = token(&fake, GRAPH).await;
    let url = format!("{}/beta/auditLogs/signIns?$top=1", fake.graph_url());
    for _ in 0..5 {
        assert_eq!(get(&url, Some(&token)).await.status(), 200);
    }
    let resp = get(&url, Some(&token)).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry));
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "TooManyRequests"
    );
    let reg = format!(
        "{}/beta/reports/authenticationMethods/userRegistrationDetails",
        fake.graph_url()
    );
    assert_eq!(
        get(&reg, Some(&token)).await.status(),
        429,
        "the limit is shared by the reports"
    );
    assert_eq!(
        get(&format!("{}/v1.0/users", fake.graph_url()), Some(&token))
            .await
            .status(),
        200,
        "users have their own limit"
    );
    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(
        get(&url, Some(&token)).await.status(),
        200,
        "retrying after Retry-After succeeds"
    );
    assert_eq!(fake.counters().of(Endpoint::SignIns).throttled, 1);
}

#[tokio::test]
async fn injected_faults() {
    let (_dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    let url = format!("{}/beta/auditLogs/signIns?$top=2", fake.graph_url());
    let rule = || {
        Faults::none().seed(3).rule(
            FaultRule::status(503)
                .on(Endpoint::SignIns)
                .probability(0.5),
        )
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        fake.set_faults(rule());
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(get(&url, Some(&token)).await.status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "a seed repeats its faults");
    let failed = runs[0].iter().filter(|s| **s == 503).count();
    assert!(failed > 0 && failed < 30, "{failed} of 30 failed");
    assert_eq!(
        fake.counters().of(Endpoint::SignIns).faults,
        2 * failed as u64
    );
    assert_eq!(
        get(&format!("{}/v1.0/users", fake.graph_url()), Some(&token))
            .await
            .status(),
        200,
        "other endpoints are spared"
    );

    fake.set_faults(
        Faults::none().rule(
            FaultRule::truncate(TruncateMode::Clean)
                .on(Endpoint::SignIns)
                .next(1),
        ),
    );
    let resp = get(&url, Some(&token)).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("a clean, short body");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "the body is cut JSON"
    );
    assert_eq!(
        get(&url, Some(&token)).await.status(),
        200,
        "next(1) fires once"
    );

    fake.set_faults(
        Faults::none().rule(FaultRule::truncate(TruncateMode::Abort).on(Endpoint::SignIns)),
    );
    let resp = get(&url, Some(&token)).await;
    assert!(
        resp.bytes().await.is_err(),
        "the connection closes mid-body"
    );

    fake.set_faults(
        Faults::none().rule(
            FaultRule::hold(Duration::from_secs(60))
                .on(Endpoint::SignIns)
                .next(1),
        ),
    );
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .no_proxy()
        .build()
        .expect("client");
    let held = quick.get(&url).bearer_auth(&token).send().await;
    assert!(held.is_err_and(|e| e.is_timeout()));
    assert_eq!(get(&url, Some(&token)).await.status(), 200);

    fake.set_faults(Faults::none().rule(FaultRule::status(500).on(Endpoint::SignIns).page(2)));
    let first: Value = get(&url, Some(&token)).await.json().await.expect("page 1");
    let next = first["@odata.nextLink"]
        .as_str()
        .expect("next link")
        .to_string();
    for _ in 0..3 {
        assert_eq!(
            get(&next, Some(&token)).await.status(),
            500,
            "page 2 is broken for good"
        );
    }
    fake.set_faults_enabled(false);
    assert_eq!(
        get(&next, Some(&token)).await.status(),
        200,
        "the switch turns faults off"
    );
}

#[tokio::test]
async fn arm_listings_and_errors() {
    let pages = PageSizes {
        activity: 10,
        arm_list: 3,
        ..PageSizes::default()
    };
    let (dir, fake) = start(FakeOptions { pages, ..roomy() });
    let token = token(&fake, ARM).await;
    let arm = fake.arm_url();
    let (subs, _) = pull(
        format!("{arm}/subscriptions?api-version=2022-12-01"),
        &token,
    )
    .await;
    assert_eq!(
        ids(&subs, "subscriptionId"),
        ids(&records(dir.path(), "subscriptions.json"), "subscriptionId")
    );
    assert!(subs.iter().all(|s| s["tags"].is_object()));

    let events = records(dir.path(), "activityLog.json");
    let sub = subs[0]["subscriptionId"].as_str().expect("sub").to_string();
    let mut times: Vec<&str> = events
        .iter()
        .map(|e| e["eventTimestamp"].as_str().expect("time"))
        .collect();
    times.sort();
    let (from, to) = (
        times[times.len() / 4].to_string(),
        times[3 * times.len() / 4].to_string(),
    );
    let filter = format!("eventTimestamp ge '{from}' and eventTimestamp le '{to}'");
    let url = format!("{arm}/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={}&$select=eventTimestamp,caller,claims,subscriptionId,eventDataId", enc(&filter));
    let (got, pages) = pull(url.clone(), &token).await;
    let expected: Vec<&Value> = events
        .iter()
        .filter(|e| e["subscriptionId"] == sub.as_str())
        .filter(|e| {
            stepup_time(e) >= stepup_instant(&from) && stepup_time(e) <= stepup_instant(&to)
        })
        .collect();
    assert!(expected.len() > 10, "the window spans pages");
    assert_eq!(got.len(), expected.len());
    assert_eq!(pages, expected.len().div_ceil(10));
    assert!(
        got.iter().all(|e| e
            .as_object()
            .is_some_and(|o| o.len() == 5 && o.contains_key("claims"))),
        "$select projects"
    );
    let need = fake
        .need(Listing::Activity(&sub, &filter), 10)
        .expect("need");
    assert_eq!(need.records, expected.len());

    let resp = get(&url, Some(&token)).await;
    let remaining: u32 = resp.headers()["x-ms-ratelimit-remaining-subscription-reads"]
        .to_str()
        .expect("h")
        .parse()
        .expect("n");
    assert!(remaining < 12_000);

    let no_version = get(&format!("{arm}/subscriptions"), Some(&token)).await;
    assert_eq!(no_version.status(), 400);
    assert_eq!(
        no_version.json::<Value>().await.expect("json")["error"]["code"],
        "MissingApiVersionParameter"
    );
    let bad_version = get(
        &format!("{arm}/subscriptions?api-version=2099-01-01"),
        Some(&token),
    )
    .await;
    assert_eq!(
        bad_version.json::<Value>().await.expect("json")["error"]["code"],
        "InvalidApiVersionParameter"
    );
    let unknown = get(&format!("{arm}/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"), Some(&token)).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.expect("json")["error"]["code"],
        "SubscriptionNotFound"
    );
    let no_start = format!("{arm}/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter={}", enc(&format!("eventTimestamp le '{to}'")));
    assert_eq!(
        get(&no_start, Some(&token)).await.status(),
        400,
        "a start time is required"
    );

    let ra = |filter: &str| {
        format!("{arm}/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01{filter}")
    };
    let (all, _) = pull(ra(""), &token).await;
    let (at, _) = pull(ra("&$filter=atScope()"), &token).await;
    let under = |a: &Value| {
        a["properties"]["scope"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .starts_with(&format!("/subscriptions/{sub}/"))
    };
    assert!(
        all.iter().any(under),
        "assignments below the subscription are listed"
    );
    assert_eq!(
        at.len(),
        all.iter().filter(|a| !under(a)).count(),
        "atScope() drops those below"
    );
    let file_count = records(dir.path(), "roleAssignments.json")
        .iter()
        .filter(|a| {
            a["properties"]["scope"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .starts_with(&format!("/subscriptions/{sub}"))
        })
        .count();
    assert_eq!(all.len(), file_count);

    let (defs, _) = pull(format!("{arm}/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter={}", enc("type eq 'BuiltInRole'")), &token).await;
    assert!(!defs.is_empty());
    assert!(defs.iter().all(|d| d["properties"]["type"] == "BuiltInRole"
        && d["id"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("/subscriptions/{sub}/"))));

    fake.set_arm_reads(RateLimit::new(1, Duration::from_secs(30)));
    fake.reset_limits();
    let single = format!("{arm}/subscriptions/{sub}?api-version=2022-12-01");
    assert_eq!(get(&single, Some(&token)).await.status(), 200);
    let throttled = get(&single, Some(&token)).await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().contains_key("retry-after"));
    assert_eq!(
        throttled.json::<Value>().await.expect("json")["error"]["code"],
        "SubscriptionRequestsThrottled"
    );
    let c = fake.counters();
    assert_eq!(c.of(Endpoint::Subscriptions).throttled, 1);
    assert!(c.of(Endpoint::Activity).records >= expected.len() as u64);
}

fn stepup_instant(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).expect("time")
}

fn stepup_time(e: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    stepup_instant(e["eventTimestamp"].as_str().expect("time"))
}

#[tokio::test]
async fn users_manager_and_sponsors() {
    let (dir, fake) = start(roomy());
    let token = token(&fake, GRAPH).await;
    let users = records(dir.path(), "users.json");
    let graph = fake.graph_url();
    let page: Value = get(&format!("{graph}/v1.0/users?$top=3"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    let first = &page["value"][0];
    assert!(
        first.get("accountEnabled").is_none(),
        "accountEnabled must be selected"
    );
    assert!(first.get("userPrincipalName").is_some() && first.get("manager").is_none());
    let page: Value = get(
        &format!("{graph}/v1.0/users?$top=3&$select=id,accountEnabled,userType&$expand=manager"),
        Some(&token),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(page["value"][0]["manager"]["id"], users[1]["id"]);
    assert!(page["value"][0]["accountEnabled"].is_boolean());

    let id0 = users[0]["id"].as_str().expect("id");
    let manager: Value = get(&format!("{graph}/v1.0/users/{id0}/manager"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(manager["userPrincipalName"], users[1]["userPrincipalName"]);
    let id1 = users[1]["id"].as_str().expect("id");
    let none = get(&format!("{graph}/v1.0/users/{id1}/manager"), Some(&token)).await;
    assert_eq!(none.status(), 404);
    assert_eq!(
        none.json::<Value>().await.expect("json")["error"]["code"],
        "Request_ResourceNotFound"
    );
    let id2 = users[2]["id"].as_str().expect("id");
    let sponsors: Value = get(&format!("{graph}/beta/users/{id2}/sponsors"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(sponsors["value"][0]["id"], users[3]["id"]);
    let (disabled, _) = pull(
        format!(
            "{graph}/v1.0/users?$filter={}&$select=id,accountEnabled",
            enc("accountEnabled eq false")
        ),
        &token,
    )
    .await;
    let expected: Vec<Value> = users
        .iter()
        .filter(|u| u["accountEnabled"] == false)
        .cloned()
        .collect();
    assert_eq!(ids(&disabled, "id"), ids(&expected, "id"));
    let c = fake.counters();
    assert_eq!(
        (c.requests(Endpoint::Manager), c.of(Endpoint::Manager).pages),
        (2, 1)
    );
    assert_eq!(c.of(Endpoint::Sponsors).records, 1);
}

#[tokio::test]
async fn several_tenants_are_kept_apart() {
    let dirs: Vec<(TempDir, SynthOptions)> = [21, 22]
        .into_iter()
        .map(|seed| {
            let dir = tempfile::tempdir().expect("temp dir");
            let opts = SynthOptions::new(100, 2, seed);
            generate(&opts, dir.path()).expect("synthesise");
            (dir, opts)
        })
        .collect();
    let tenants = dirs
        .iter()
        .map(|(d, o)| FakeTenant::load(d.path(), o.tenant_id).expect("load"))
        .collect();
    let fake = AzureFake::start_many(tenants, roomy()).expect("start");
    let (a, b) = (
        dirs[0].1.tenant_id.to_string(),
        dirs[1].1.tenant_id.to_string(),
    );
    assert_eq!(fake.tenant_id(), a, "the first tenant is the home tenant");
    let token_in = |tenant: String, scope: &'static str| {
        let url = format!("{}/{tenant}/oauth2/v2.0/token", fake.authority_url_http());
        let form = [
            ("grant_type", "client_credentials".to_string()),
            ("client_id", fake.client_id().to_string()),
            ("client_secret", fake.client_secret().to_string()),
            ("scope", scope.to_string()),
        ];
        async move {
            let body: Value = client()
                .post(url)
                .form(&form)
                .send()
                .await
                .expect("token")
                .json()
                .await
                .expect("json");
            body["access_token"].as_str().expect("token").to_string()
        }
    };
    let graph_b = token_in(b.clone(), GRAPH).await;
    let (users, _) = pull(
        format!("{}/v1.0/users?$top=999", fake.graph_url()),
        &graph_b,
    )
    .await;
    assert_eq!(
        ids(&users, "id"),
        ids(&records(dirs[1].0.path(), "users.json"), "id")
    );

    let arm_a = token_in(a.clone(), ARM).await;
    let sub_b = records(dirs[1].0.path(), "subscriptions.json")[0]["subscriptionId"]
        .as_str()
        .expect("sub")
        .to_string();
    let resp = get(
        &format!(
            "{}/subscriptions/{sub_b}?api-version=2022-12-01",
            fake.arm_url()
        ),
        Some(&arm_a),
    )
    .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "InvalidAuthenticationTokenTenant"
    );

    let discovery: Value = get(
        &format!(
            "{}/{b}/v2.0/.well-known/openid-configuration",
            fake.authority_url_http()
        ),
        None,
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}/{b}/oauth2/v2.0/token", fake.authority_url_http())
    );
    assert_eq!(fake.counters().requests(Endpoint::Discovery), 1);
}
