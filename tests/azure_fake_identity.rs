//! azure_identity's own credentials against the fake token authority: client secret,
//! certificate assertion, workload identity (federated token file) and App Service managed
//! identity, each token then accepted by the fake Graph or ARM; short lifetimes make
//! azure_identity refresh.
//!
//! One test in its own binary: the managed-identity credential reads `IDENTITY_ENDPOINT`
//! and `IDENTITY_HEADER` from the process environment, which no other test may race.

#[path = "azure_fake/mod.rs"]
mod azure_fake;

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_fake::{AzureFake, Endpoint, FakeOptions, FakeTenant};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use stepup::synth::{generate, SynthOptions};

const GRAPH: &str = "https://graph.microsoft.com/.default";
const ARM: &str = "https://management.azure.com/.default";

/// SDK options whose authority is the fake's and whose HTTP client trusts its certificate.
fn client_options(fake: &AzureFake) -> ClientOptions {
    let cert =
        reqwest_azure::Certificate::from_pem(fake.cert_pem().as_bytes()).expect("certificate");
    let http = reqwest_azure::Client::builder()
        .tls_certs_only([cert])
        .no_proxy()
        .build()
        .expect("HTTP client");
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = fake.authority_url();
    ClientOptions {
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        transport: Some(Transport::new(Arc::new(http))),
        ..Default::default()
    }
}

/// Signs ES256 client assertions with the fake's client certificate.
#[derive(Debug)]
struct CertificateAssertion {
    key_pem: String,
    x5t: String,
    client_id: String,
    audience: String,
}

impl CertificateAssertion {
    fn new(fake: &AzureFake) -> Self {
        let pem_text = fake
            .client_certificate_pem()
            .expect("the fake made a client certificate");
        let blocks = pem::parse_many(pem_text).expect("PEM");
        let cert = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .expect("certificate block");
        let key = blocks
            .iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .expect("key block");
        let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, cert.contents());
        Self {
            key_pem: pem::encode(key),
            x5t: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha1),
            client_id: fake.client_id().to_string(),
            audience: format!(
                "{}/{}/oauth2/v2.0/token",
                fake.authority_url(),
                fake.tenant_id()
            ),
        }
    }

    fn sign(&self, audience: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut header = Header::new(Algorithm::ES256);
        header.x5t = Some(self.x5t.clone());
        let claims = json!({"aud": audience, "iss": self.client_id, "sub": self.client_id,
            "jti": now.to_string(), "nbf": now, "iat": now, "exp": now + 600});
        let key = EncodingKey::from_ec_pem(self.key_pem.as_bytes()).expect("EC key");
        jsonwebtoken::encode(&header, &claims, &key).expect("sign")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self.sign(&self.audience))
    }
}

/// Whether the fake's Graph (or ARM) accepts `token`.
async fn accepted(fake: &AzureFake, token: &str, arm: bool) -> bool {
    let url = if arm {
        format!("{}/subscriptions?api-version=2022-12-01", fake.arm_url())
    } else {
        format!("{}/v1.0/users?$top=1", fake.graph_url())
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let resp = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    resp.status() == 200
}

#[tokio::test]
async fn azure_identity_credentials_get_tokens_from_the_fake() {
    let fake_dir = tempfile::tempdir().expect("temp dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SynthOptions::new(100, 2, 5);
    generate(&opts, dir.path()).expect("synthesise");
    let tenant = FakeTenant::load(dir.path(), opts.tenant_id).expect("load");
    let fake = AzureFake::start(tenant, FakeOptions::default()).expect("start");
    // The fake's own threads never read the environment; nothing else runs in this binary.
    std::env::set_var("IDENTITY_ENDPOINT", fake.identity_endpoint());
    std::env::set_var("IDENTITY_HEADER", fake.identity_header());

    let secret = ClientSecretCredential::new(
        fake.tenant_id(),
        fake.client_id().to_string(),
        fake.client_secret().to_string().into(),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&fake),
        }),
    )
    .expect("secret credential");
    let token = secret
        .get_token(&[GRAPH], None)
        .await
        .expect("secret token");
    assert!(accepted(&fake, token.token.secret(), false).await);
    secret
        .get_token(&[GRAPH], None)
        .await
        .expect("cached token");
    assert_eq!(
        fake.counters().requests(Endpoint::Token),
        1,
        "a token of an hour is cached"
    );

    let wrong = ClientSecretCredential::new(
        fake.tenant_id(),
        fake.client_id().to_string(),
        "wrong".to_string().into(),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&fake),
        }),
    )
    .expect("credential");
    let err = wrong
        .get_token(&[GRAPH], None)
        .await
        .expect_err("a wrong secret fails");
    assert!(err.to_string().contains("AADSTS7000215"), "{err}");

    let assertion = CertificateAssertion::new(&fake);
    let stale = assertion.sign("https://login.microsoftonline.com/other/oauth2/v2.0/token");
    let cert = ClientAssertionCredential::new(
        fake.tenant_id().to_string(),
        fake.client_id().to_string(),
        assertion,
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(&fake),
        }),
    )
    .expect("certificate credential");
    let token = cert
        .get_token(&[ARM], None)
        .await
        .expect("certificate token");
    assert!(accepted(&fake, token.token.secret(), true).await);
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        fake.authority_url_http(),
        fake.tenant_id()
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", fake.client_id()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", stale.as_str()),
        ("scope", ARM),
    ];
    let resp = reqwest::Client::new()
        .post(url)
        .form(&form)
        .send()
        .await
        .expect("token request");
    assert_eq!(
        resp.status(),
        401,
        "an assertion for another audience is refused"
    );

    let token_file = fake_dir.path().join("federated-token");
    std::fs::write(&token_file, fake.client_assertion().expect("assertion"))
        .expect("write token file");
    let workload = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
        credential_options: ClientAssertionCredentialOptions {
            client_options: client_options(&fake),
        },
        client_id: Some(fake.client_id().to_string()),
        tenant_id: Some(fake.tenant_id().to_string()),
        token_file_path: Some(token_file),
    }))
    .expect("workload identity credential");
    let token = workload
        .get_token(&[GRAPH], None)
        .await
        .expect("workload token");
    assert!(accepted(&fake, token.token.secret(), false).await);

    fake.set_token_lifetime(Duration::from_secs(120));
    let before = fake.counters();
    let managed = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        client_options: client_options(&fake),
        ..Default::default()
    }))
    .expect("managed identity credential");
    let token = managed
        .get_token(&[ARM], None)
        .await
        .expect("managed identity token");
    assert!(accepted(&fake, token.token.secret(), true).await);
    managed
        .get_token(&[ARM], None)
        .await
        .expect("refreshed token");
    let used = fake.counters().since(&before);
    assert_eq!(
        used.of(Endpoint::ManagedIdentity).pages,
        2,
        "a token within five minutes of expiry is fetched again"
    );
}
