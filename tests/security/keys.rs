//! A loopback Entra ID for the secure-webhook tests: an RSA signing key whose public half is
//! served at `/{tenant}/discovery/v2.0/keys` (the JWKS endpoint stepup reads), and tokens
//! signed the way Entra ID signs an action group's access token.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use warp::Filter;

/// The audience the tests configure (`STEPUP_ALERT_AUDIENCE`).
pub const AUDIENCE: &str = "api://stepup-alerts";

/// An RSA key with a key id, signing tokens.
pub struct Issuer {
    key: EncodingKey,
    kid: String,
}

impl Issuer {
    /// A fresh 2048-bit key named `kid`.
    pub fn new(kid: &str) -> Self {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
        let key = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).expect("PEM key");
        Self {
            key,
            kid: kid.to_string(),
        }
    }

    /// The key's JWKS entry, with the extra members Entra ID serves.
    pub fn jwk(&self, tenant: &str) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.key, Algorithm::RS256).expect("JWK");
        jwk.common.key_id = Some(self.kid.clone());
        let mut value = serde_json::to_value(jwk).expect("JWK as JSON");
        value["use"] = json!("sig");
        value["issuer"] = json!(format!("https://login.microsoftonline.com/{tenant}/v2.0"));
        if let Some(members) = value.as_object_mut() {
            members.remove("alg");
        }
        value
    }

    /// `claims` signed with RS256 and this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).expect("sign")
    }
}

/// The claims of a valid action-group token for `tenant`, issued `now` (Unix seconds).
pub fn claims(tenant: &str, now: i64) -> Value {
    json!({
        "aud": AUDIENCE,
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "tid": tenant,
        "appid": "461e8683-5575-4561-ac7f-899cc907d62a",
        "roles": ["ActionGroupsSecureWebhook"],
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "ver": "1.0",
    })
}

/// A JWKS endpoint on `127.0.0.1:<random port>` serving `keys` for every tenant; runs until
/// the test's runtime ends.
pub struct KeyServer {
    /// `http://127.0.0.1:<port>` (the `AZURE_AUTHORITY_HOST` to configure).
    pub authority: String,
}

impl KeyServer {
    /// Starts serving `keys`.
    pub async fn start(keys: Vec<Value>) -> Self {
        let served = json!({ "keys": keys });
        let route = warp::path!(String / "discovery" / "v2.0" / "keys")
            .map(move |_tenant: String| warp::reply::json(&served));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound address");
        tokio::spawn(warp::serve(route).incoming(listener).run());
        Self {
            authority: format!("http://{addr}"),
        }
    }
}
