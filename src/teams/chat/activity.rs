//! The activity a Teams outgoing webhook posts: a Bot Framework `message` with the sender
//! (`from.id`, `from.name`, `from.aadObjectId`), the conversation, the tenant
//! (`channelData.tenant.id`), the text (with the bot's `<at>` mention) and `timestamp` /
//! `localTimestamp`. Only what stepup uses is read; everything else is ignored.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::ids::{ObjectId, TenantId};

/// Who sent the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The Teams user id (`29:…`).
    pub id: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The Entra object id.
    pub aad_object_id: Option<ObjectId>,
}

/// A message activity, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// `type`: `message` for chat commands.
    pub kind: String,
    /// The message id.
    pub id: Option<String>,
    /// The raw text (HTML-ish, with the mention).
    pub text: String,
    /// When it was sent (UTC; from `timestamp`, else `localTimestamp`).
    pub timestamp: Option<DateTime<Utc>>,
    /// The sender.
    pub from: Sender,
    /// The conversation (channel thread) id.
    pub conversation_id: Option<String>,
    /// The tenant (`channelData.tenant.id`, else `conversation.tenantId`).
    pub tenant: Option<TenantId>,
}

/// The body is not an activity stepup can read.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    /// Not JSON, or fields of the wrong type.
    #[error("body is not a Teams activity: {0}")]
    Json(#[from] serde_json::Error),
    /// A field that must be a GUID is not.
    #[error("{field} is not a GUID")]
    Guid {
        /// The field.
        field: &'static str,
    },
    /// A time that is not RFC 3339.
    #[error("{field} is not an RFC 3339 time")]
    Time {
        /// The field.
        field: &'static str,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    local_timestamp: Option<String>,
    #[serde(default)]
    from: Option<WireFrom>,
    #[serde(default)]
    conversation: Option<WireConversation>,
    #[serde(default)]
    channel_data: Option<WireChannelData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFrom {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aad_object_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConversation {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireChannelData {
    #[serde(default)]
    tenant: Option<WireTenant>,
}

#[derive(Deserialize)]
struct WireTenant {
    #[serde(default)]
    id: Option<String>,
}

impl Activity {
    /// Parses the raw body of an outgoing-webhook request.
    pub fn parse(body: &[u8]) -> Result<Self, ActivityError> {
        let wire: Wire = serde_json::from_slice(body)?;
        let from = wire.from.unwrap_or(WireFrom {
            id: None,
            name: None,
            aad_object_id: None,
        });
        let aad_object_id = from
            .aad_object_id
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                ObjectId::parse(&s).map_err(|_| ActivityError::Guid {
                    field: "from.aadObjectId",
                })
            })
            .transpose()?;
        let channel_tenant = wire.channel_data.and_then(|c| c.tenant).and_then(|t| t.id);
        let (tenant_field, tenant_text) = match channel_tenant {
            Some(t) => ("channelData.tenant.id", Some(t)),
            None => (
                "conversation.tenantId",
                wire.conversation.as_ref().and_then(|c| c.tenant_id.clone()),
            ),
        };
        let tenant = tenant_text
            .map(|t| {
                TenantId::parse(&t).map_err(|_| ActivityError::Guid {
                    field: tenant_field,
                })
            })
            .transpose()?;
        let timestamp = match (wire.timestamp, wire.local_timestamp) {
            (Some(t), _) => Some(time(&t, "timestamp")?),
            (None, Some(t)) => Some(time(&t, "localTimestamp")?),
            (None, None) => None,
        };
        Ok(Self {
            kind: wire.kind.unwrap_or_default(),
            id: wire.id,
            text: wire.text.unwrap_or_default(),
            timestamp,
            from: Sender {
                id: from.id,
                name: from.name,
                aad_object_id,
            },
            conversation_id: wire.conversation.and_then(|c| c.id),
            tenant,
        })
    }

    /// The sender for people and audit lines: the display name, else the object id.
    pub fn sender_label(&self) -> String {
        match (&self.from.name, &self.from.aad_object_id) {
            (Some(name), _) if !name.trim().is_empty() => name.trim().to_string(),
            (_, Some(id)) => id.to_string(),
            _ => "someone".to_string(),
        }
    }
}

/// How old (or how far ahead of our clock) an activity may be: older ones are refused as
/// possible replays of a captured, correctly signed request.
pub const MAX_AGE_MINUTES: i64 = 5;

/// Whether an activity sent at `sent` may be answered at `now`; the reason when not.
pub fn check_fresh(sent: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), String> {
    let Some(sent) = sent else {
        return Err("the activity has no timestamp (replays cannot be told apart)".into());
    };
    let window = Duration::minutes(MAX_AGE_MINUTES);
    if now - sent > window {
        return Err(format!(
            "the activity was sent at {sent} (more than {MAX_AGE_MINUTES} minutes ago): refused as a possible replay"
        ));
    }
    if sent - now > window {
        return Err(format!(
            "the activity claims to be sent at {sent}, more than {MAX_AGE_MINUTES} minutes ahead of this server's clock"
        ));
    }
    Ok(())
}

fn time(text: &str, field: &'static str) -> Result<DateTime<Utc>, ActivityError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ActivityError::Time { field })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outgoing-webhook activity in the shape Teams posts (trimmed ids).
    const TEAMS: &str = r#"{
        "type": "message",
        "id": "1485983408511",
        "timestamp": "2026-11-22T09:30:07.437Z",
        "localTimestamp": "2026-11-22T10:30:07.437+01:00",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {
            "id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
            "name": "Ada Lovelace",
            "aadObjectId": "6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11"
        },
        "conversation": {
            "isGroup": true,
            "id": "19:253b1f341670408fb6fcb0c2b0ce0ef3@thread.skype;messageid=1485983194839",
            "name": null
        },
        "recipient": null,
        "textFormat": "plain",
        "attachmentLayout": null,
        "membersAdded": [],
        "membersRemoved": [],
        "topicName": null,
        "historyDisclosed": null,
        "locale": null,
        "text": "<at>stepup</at> status me",
        "speak": null,
        "inputHint": null,
        "summary": null,
        "suggestedActions": null,
        "attachments": [{
            "contentType": "text/html",
            "content": "<div><span itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">stepup</span> status me</div>"
        }],
        "entities": [{"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}],
        "channelData": {
            "teamsChannelId": "19:253b1f341670408fb6fcb0c2b0ce0ef3@thread.skype",
            "teamsTeamId": "19:712c61d0ef384e5fa681ba90ca943398@thread.skype",
            "channel": {"id": "19:253b1f341670408fb6fcb0c2b0ce0ef3@thread.skype"},
            "team": {"id": "19:712c61d0ef384e5fa681ba90ca943398@thread.skype"},
            "tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
        },
        "action": null,
        "replyToId": null,
        "value": null,
        "name": null,
        "relatesTo": null,
        "code": null
    }"#;

    #[test]
    fn a_teams_activity_is_read() {
        let a = Activity::parse(TEAMS.as_bytes()).unwrap();
        assert_eq!(a.kind, "message");
        assert_eq!(a.text, "<at>stepup</at> status me");
        assert_eq!(
            a.from.aad_object_id.unwrap().to_string(),
            "6e1b6b9f-5b8a-4c4e-9a57-0c0a3f0b7d11"
        );
        assert_eq!(a.sender_label(), "Ada Lovelace");
        assert_eq!(
            a.tenant.unwrap().to_string(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        assert_eq!(
            a.timestamp.unwrap(),
            "2026-11-22T09:30:07.437Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(a.conversation_id.unwrap().starts_with("19:253b"));
    }

    #[test]
    fn local_time_and_conversation_tenant_are_fallbacks() {
        let a = Activity::parse(
            br#"{"type":"message","text":"scan","localTimestamp":"2026-11-22T10:30:00+01:00",
                 "conversation":{"id":"19:x","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47"}}"#,
        )
        .unwrap();
        assert_eq!(
            a.timestamp.unwrap(),
            "2026-11-22T09:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert!(a.tenant.is_some());
        assert_eq!(a.from.aad_object_id, None);
        assert_eq!(a.sender_label(), "someone");
    }

    #[test]
    fn old_or_future_activities_are_refused() {
        let now: DateTime<Utc> = "2026-11-22T10:00:00Z".parse().unwrap();
        let at = |m: i64| Some(now + Duration::minutes(m));
        assert_eq!(check_fresh(at(0), now), Ok(()));
        assert_eq!(check_fresh(at(-5), now), Ok(()));
        assert_eq!(check_fresh(at(4), now), Ok(()));
        assert!(check_fresh(at(-6), now).unwrap_err().contains("replay"));
        assert!(check_fresh(at(6), now).unwrap_err().contains("ahead"));
        assert!(check_fresh(None, now).unwrap_err().contains("no timestamp"));
    }

    #[test]
    fn bad_fields_are_named() {
        for (body, needle) in [
            (r#"{"from":{"aadObjectId":"ada"}}"#, "from.aadObjectId"),
            (
                r#"{"channelData":{"tenant":{"id":"contoso"}}}"#,
                "channelData.tenant.id",
            ),
            (r#"{"timestamp":"yesterday"}"#, "timestamp"),
            (r#"{"text": 42}"#, "not a Teams activity"),
            ("[1,2]", "not a Teams activity"),
            ("{not json", "not a Teams activity"),
        ] {
            let e = Activity::parse(body.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(needle), "{body}: {e}");
        }
    }
}
