//! Teams outgoing-webhook activities and their `Authorization: HMAC` signature, computed
//! here with the `hmac` crate the way Teams computes it: base64(HMAC-SHA256(key =
//! base64-decoded security token, raw body)).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The webhook's security token (base64), recognisable in any output.
pub const TOKEN: &str = "c3RlcHVwLWhtYWMtc2VjcmV0LW5ldmVyLWxvZ2dlZA==";

/// Another team's token: a valid key, but not the one configured.
pub const OTHER_TOKEN: &str = "b3RoZXItdGVhbXMtc2VjdXJpdHktdG9rZW4=";

/// `Authorization: HMAC …` for `body` under the base64 `token`.
pub fn sign_with(token: &str, body: &[u8]) -> String {
    let key = STANDARD.decode(token).expect("a base64 token");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(body);
    format!("HMAC {}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// `Authorization: HMAC …` for `body` under [`TOKEN`].
pub fn sign(body: &[u8]) -> String {
    sign_with(TOKEN, body)
}

/// A message activity as an outgoing webhook posts it: `text` from `from` in `tenant`,
/// sent at `sent`.
pub fn message(tenant: &str, from: &str, text: &str, sent: DateTime<Utc>) -> Value {
    json!({
        "type": "message",
        "id": "1700000000000",
        "timestamp": sent.to_rfc3339_opts(SecondsFormat::Millis, true),
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": { "id": "29:1abc", "name": "Someone", "aadObjectId": from },
        "conversation": { "isGroup": true, "id": "19:abc@thread.skype;messageid=1700000000000" },
        "textFormat": "plain",
        "text": format!("<at>stepup</at>&nbsp;{text}"),
        "channelData": { "tenant": { "id": tenant } }
    })
}

/// The JSON bytes of an activity.
pub fn bytes(activity: &Value) -> Vec<u8> {
    activity.to_string().into_bytes()
}
