//! Runtime configuration from the environment: one typed [`Config`], one table of every
//! setting ([`SETTINGS`]) that the README, `local.settings.example.json` and the
//! infrastructure templates are checked against.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::ids::TenantId;
use crate::jobs::OrchestrationSettings;
use crate::lifecycle::LifecycleSettings;
use crate::secret::Secret;
use crate::settings::{OwnerEntry, OwnerRule, TenantSettings};
use crate::sources::SourcesSettings;
use crate::state::StateConfig;
use crate::teams::chat::ChatSettings;
use crate::teams::TeamsSettings;
use crate::tickets::factory::TicketConfig;

/// One environment setting.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// The variable name.
    pub name: &'static str,
    /// The default, when the variable is unset.
    pub default: Option<&'static str>,
    /// Whether the value is a secret (Key Vault reference in Azure).
    pub secret: bool,
    /// What it does.
    pub description: &'static str,
}

/// Every setting stepup reads.
pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec { name: "FUNCTIONS_CUSTOMHANDLER_PORT", default: None, secret: false, description: "Port the Functions host tells the handler to listen on (set by the host; `stepup serve --port` locally)." },
    SettingSpec { name: "STEPUP_STATE_DIR", default: Some(".stepup"), secret: false, description: "Local state directory (the embedded default store)." },
    SettingSpec { name: "STEPUP_STORAGE_BLOB_URL", default: None, secret: false, description: "Blob endpoint of the storage account (`https://<account>.blob.core.windows.net`); when set, state lives in Blob Storage (managed identity) instead of `STEPUP_STATE_DIR`." },
    SettingSpec { name: "STEPUP_STATE_CONTAINER", default: Some("stepup"), secret: false, description: "Blob container of the state (created if missing)." },
    SettingSpec { name: "STEPUP_RESOLVE_AFTER_SCANS", default: Some("2"), secret: false, description: "Consecutive complete clean scans before an account's ticket is resolved (1-30)." },
    SettingSpec { name: "STEPUP_TICKET_DUE_DAYS", default: Some("14"), secret: false, description: "Days until a ticket is due once Phase 2 is already enforced (1-365); before that, the enforcement date." },
    SettingSpec { name: "STEPUP_TICKETS", default: Some("file"), secret: false, description: "Ticket system: `file`, `azure-devops`, `github`, `jira` or `servicenow`." },
    SettingSpec { name: "STEPUP_TICKETS_DIR", default: None, secret: false, description: "Outbox folder of the `file` ticket system (default `<state dir>/tickets`)." },
    SettingSpec { name: "STEPUP_ADO_ORG_URL", default: None, secret: false, description: "Azure DevOps organisation URL (`https://dev.azure.com/<org>`)." },
    SettingSpec { name: "STEPUP_ADO_PROJECT", default: None, secret: false, description: "Azure DevOps project new work items go to (the ownership map's project overrides it)." },
    SettingSpec { name: "STEPUP_ADO_WORK_ITEM_TYPE", default: Some("Issue"), secret: false, description: "Azure DevOps work item type." },
    SettingSpec { name: "STEPUP_ADO_DONE_STATE", default: Some("Done"), secret: false, description: "Azure DevOps state set on resolve (`Closed` or `Resolved` in other processes)." },
    SettingSpec { name: "STEPUP_ADO_OPEN_STATE", default: Some("To Do"), secret: false, description: "Azure DevOps state set on reopen (`New` or `Active` in other processes)." },
    SettingSpec { name: "STEPUP_ADO_PAT", default: None, secret: true, description: "Azure DevOps personal access token (Work Items read & write)." },
    SettingSpec { name: "STEPUP_GITHUB_API_URL", default: Some("https://api.github.com"), secret: false, description: "GitHub API base (`https://<host>/api/v3` for GitHub Enterprise Server)." },
    SettingSpec { name: "STEPUP_GITHUB_REPO", default: None, secret: false, description: "GitHub repository (`owner/repo`) of the issues." },
    SettingSpec { name: "STEPUP_GITHUB_TOKEN", default: None, secret: true, description: "GitHub token with Issues read & write." },
    SettingSpec { name: "STEPUP_JIRA_URL", default: None, secret: false, description: "Jira Cloud site (`https://<site>.atlassian.net`)." },
    SettingSpec { name: "STEPUP_JIRA_PROJECT", default: None, secret: false, description: "Jira project key (the ownership map's project overrides it)." },
    SettingSpec { name: "STEPUP_JIRA_ISSUE_TYPE", default: Some("Task"), secret: false, description: "Jira issue type." },
    SettingSpec { name: "STEPUP_JIRA_EMAIL", default: None, secret: false, description: "Atlassian account e-mail that owns the API token." },
    SettingSpec { name: "STEPUP_JIRA_API_TOKEN", default: None, secret: true, description: "Jira API token (Basic auth with the e-mail)." },
    SettingSpec { name: "STEPUP_JIRA_ACCOUNT_IDS", default: None, secret: false, description: "`owner@upn=accountId;…`: Jira accounts to assign owners' tickets to." },
    SettingSpec { name: "STEPUP_JIRA_PRIORITIES", default: None, secret: false, description: "`critical=P1;high=P2;…` to rename priorities, or `off` to leave the field out (default Highest/High/Medium/Low)." },
    SettingSpec { name: "STEPUP_SERVICENOW_URL", default: None, secret: false, description: "ServiceNow instance URL." },
    SettingSpec { name: "STEPUP_SERVICENOW_USER", default: None, secret: false, description: "ServiceNow Basic-auth user (unless a token is set)." },
    SettingSpec { name: "STEPUP_SERVICENOW_PASSWORD", default: None, secret: true, description: "ServiceNow Basic-auth password." },
    SettingSpec { name: "STEPUP_SERVICENOW_TOKEN", default: None, secret: true, description: "ServiceNow OAuth bearer token; takes precedence over user and password." },
    SettingSpec { name: "STEPUP_SERVICENOW_ASSIGNMENT_GROUP", default: None, secret: false, description: "ServiceNow assignment group (sys_id or name)." },
    SettingSpec { name: "STEPUP_SERVICENOW_CLOSE_CODE", default: Some("Solution provided"), secret: false, description: "ServiceNow `close_code` used when resolving." },
    SettingSpec { name: "STEPUP_SERVICENOW_ASSIGN_OWNER", default: Some("true"), secret: false, description: "Look the owner up in ServiceNow `sys_user` by e-mail and assign the incident." },
    SettingSpec { name: "STEPUP_SCAN_SCHEDULE", default: Some("0 0 6 * * *"), secret: false, description: "NCRONTAB (6 fields) of the daily scan timer." },
    SettingSpec { name: "STEPUP_DIGEST_SCHEDULE", default: Some("0 0 8 * * Mon"), secret: false, description: "NCRONTAB (6 fields) of the weekly digest timer." },
    SettingSpec { name: "STEPUP_TENANT_ID", default: None, secret: false, description: "The tenant scanned (falls back to AZURE_TENANT_ID)." },
    SettingSpec { name: "STEPUP_ENFORCEMENT_DATE", default: None, secret: false, description: "The tenant's Phase 2 date (YYYY-MM-DD) from its own notice; default 2025-10-01, the rollout start." },
    SettingSpec { name: "STEPUP_BREAK_GLASS", default: None, secret: false, description: "Comma-separated emergency-access accounts (UPN or object id)." },
    SettingSpec { name: "STEPUP_OWNERS", default: None, secret: false, description: "Ownership map, `glob=owner` pairs separated by `;`, first match wins." },
    SettingSpec { name: "STEPUP_DEFAULT_OWNER", default: None, secret: false, description: "Owner of accounts no rule, sponsor, manager or tag names." },
    SettingSpec { name: "STEPUP_GRAPH_URL", default: Some("https://graph.microsoft.com"), secret: false, description: "Microsoft Graph base URL (national clouds; tests point it at a local fake)." },
    SettingSpec { name: "STEPUP_ARM_URL", default: Some("https://management.azure.com"), secret: false, description: "Azure Resource Manager base URL (national clouds; tests point it at a local fake)." },
    SettingSpec { name: "STEPUP_LOOKBACK_DAYS", default: Some("30"), secret: false, description: "Days a first live scan reads back (1-90; sign-ins keep 30 days, the activity log 90)." },
    SettingSpec { name: "STEPUP_OVERLAP_MINUTES", default: Some("120"), secret: false, description: "Minutes an incremental scan re-reads before its watermark, for logs that arrive late (0-1440)." },
    SettingSpec { name: "STEPUP_SUBSCRIPTIONS", default: None, secret: false, description: "Comma-separated subscription ids to read (default: every subscription the identity can read)." },
    SettingSpec { name: "STEPUP_GRAPH_REPORT_RATE", default: Some("5/10s"), secret: false, description: "Requests per window to Graph's identity reports (sign-ins, registration details), per tenant: Graph's documented limit is 5 per 10 s." },
    SettingSpec { name: "STEPUP_ARM_CONCURRENCY", default: Some("8"), secret: false, description: "Subscriptions read in parallel (1-64)." },
    SettingSpec { name: "STEPUP_TENANTS", default: None, secret: false, description: "More tenants to scan (MSP / Lighthouse), comma-separated tenant ids; the app registration must be consented in each (multi-tenant app). Default: only STEPUP_TENANT_ID." },
    SettingSpec { name: "STEPUP_STORAGE_QUEUE_URL", default: None, secret: false, description: "Queue endpoint of the function app's storage account (`https://<account>.queue.core.windows.net`), for jobs queued from HTTP functions." },
    SettingSpec { name: "STEPUP_JOB_BUDGET_SECONDS", default: Some("480"), secret: false, description: "Seconds a queue job runs before it checkpoints and queues its continuation (keep under the function timeout)." },
    SettingSpec { name: "STEPUP_TEAMS_WEBHOOK", default: None, secret: true, description: "Default Teams channel: a Workflows (or legacy incoming) webhook URL. Unset: messages go to the outbox folder." },
    SettingSpec { name: "STEPUP_TEAMS_DIR", default: None, secret: false, description: "Outbox folder of Teams messages when no webhook is set (default `<state dir>/teams`)." },
    SettingSpec { name: "STEPUP_TEAMS_RATE", default: Some("4"), secret: false, description: "Requests per second to one webhook URL (Teams allows 4)." },
    SettingSpec { name: "STEPUP_RENOTIFY_DAYS", default: Some("7"), secret: false, description: "Days before an owner is notified again about an unchanged account (sooner when its severity rises or its deadline is within 7 days)." },
    SettingSpec { name: "STEPUP_TEAMS_HMAC_SECRET", default: None, secret: true, description: "Security token of the Teams outgoing webhook (base64), for `Authorization: HMAC` on /api/teams; one per team's webhook, comma-separated. Unset: chat commands are refused." },
    SettingSpec { name: "STEPUP_ADMINS", default: None, secret: false, description: "Comma-separated UPNs or object ids who may ack or snooze any account in chat." },
    SettingSpec { name: "STEPUP_MAX_SNOOZE_DAYS", default: Some("30"), secret: false, description: "Longest snooze a chat command may set (1-90 days)." },
    SettingSpec { name: "STEPUP_ALERT_AUDIENCE", default: None, secret: false, description: "Secure-webhook audience (the app id URI or client id of the action group's Entra app); when set, /api/service-health requires a valid bearer token." },
    SettingSpec { name: "STEPUP_ALERT_TRACKING_IDS", default: None, secret: false, description: "Comma-separated Service Health tracking ids that are MFA enforcement notices (text matching also recognises them)." },
    SettingSpec { name: "STEPUP_LOG_FORMAT", default: Some("text"), secret: false, description: "`text` or `json` log lines on stderr." },
    SettingSpec { name: "RUST_LOG", default: Some("info"), secret: false, description: "Log filter (tracing `EnvFilter` syntax)." },
    SettingSpec { name: "AZURE_TENANT_ID", default: None, secret: false, description: "Standard azure_identity variable: tenant of the app registration." },
    SettingSpec { name: "AZURE_CLIENT_ID", default: None, secret: false, description: "Standard: client id of the app registration or user-assigned managed identity." },
    SettingSpec { name: "AZURE_CLIENT_SECRET", default: None, secret: true, description: "Standard: client secret (prefer a certificate or federation)." },
    SettingSpec { name: "AZURE_CLIENT_CERTIFICATE_PATH", default: None, secret: false, description: "Standard: path of a PEM/PFX client certificate." },
    SettingSpec { name: "AZURE_FEDERATED_TOKEN_FILE", default: None, secret: false, description: "Standard: workload identity federation token file." },
    SettingSpec { name: "AZURE_AUTHORITY_HOST", default: None, secret: false, description: "Standard: the token authority (tests point it at a local fake)." },
];

/// A setting with a wrong value.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong, never the value of a secret.
    pub message: String,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for Application Insights / log shipping).
    Json,
}

/// Which credential azure_identity will use, as far as the environment tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityKind {
    /// Client secret from `AZURE_CLIENT_SECRET`.
    ClientSecret,
    /// Client certificate from `AZURE_CLIENT_CERTIFICATE_PATH`.
    ClientCertificate,
    /// Workload identity federation from `AZURE_FEDERATED_TOKEN_FILE`.
    WorkloadIdentity,
    /// Managed identity (in Azure), user-assigned when `AZURE_CLIENT_ID` is set.
    ManagedIdentity,
    /// The developer's `az login`, for local runs.
    AzureCli,
}

/// The standard `AZURE_*` identity variables.
#[derive(Debug, Clone, Default)]
pub struct IdentityConfig {
    /// `AZURE_TENANT_ID`.
    pub tenant_id: Option<TenantId>,
    /// `AZURE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `AZURE_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// `AZURE_CLIENT_CERTIFICATE_PATH`.
    pub certificate_path: Option<PathBuf>,
    /// `AZURE_FEDERATED_TOKEN_FILE`.
    pub federated_token_file: Option<PathBuf>,
    /// `AZURE_AUTHORITY_HOST`.
    pub authority_host: Option<String>,
    /// Whether we run inside Azure Functions (`WEBSITE_INSTANCE_ID` or `IDENTITY_ENDPOINT`).
    pub in_azure: bool,
}

impl IdentityConfig {
    /// The credential the environment selects, in azure_identity's order of preference.
    pub fn kind(&self) -> IdentityKind {
        if self.federated_token_file.is_some() {
            IdentityKind::WorkloadIdentity
        } else if self.client_secret.is_some() {
            IdentityKind::ClientSecret
        } else if self.certificate_path.is_some() {
            IdentityKind::ClientCertificate
        } else if self.in_azure {
            IdentityKind::ManagedIdentity
        } else {
            IdentityKind::AzureCli
        }
    }
}

/// The whole runtime configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `FUNCTIONS_CUSTOMHANDLER_PORT`.
    pub port: Option<u16>,
    /// `STEPUP_SCAN_SCHEDULE` (validated NCRONTAB).
    pub scan_schedule: String,
    /// `STEPUP_DIGEST_SCHEDULE` (validated NCRONTAB).
    pub digest_schedule: String,
    /// Tenant settings from the `STEPUP_*` environment.
    pub tenant: TenantSettings,
    /// `STEPUP_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `AZURE_*`.
    pub identity: IdentityConfig,
    /// Where state lives (`STEPUP_STATE_DIR`, `STEPUP_STORAGE_BLOB_URL`, …).
    pub state: StateConfig,
    /// The ticket system and its settings (`STEPUP_TICKETS`, …).
    pub tickets: TicketConfig,
    /// Reconciliation and ticket due dates.
    pub lifecycle: LifecycleSettings,
    /// Teams delivery: webhook, outbox, rate, renotify window (`STEPUP_TEAMS_*`, …).
    pub teams: TeamsSettings,
    /// Tenants, queues, job budget and Service Health alerts.
    pub orchestration: OrchestrationSettings,
    /// Teams chat commands (`STEPUP_TEAMS_HMAC_SECRET`, `STEPUP_ADMINS`, `STEPUP_MAX_SNOOZE_DAYS`).
    pub chat: ChatSettings,
    /// Live Graph and ARM sources (`STEPUP_GRAPH_URL`, `STEPUP_LOOKBACK_DAYS`, …).
    pub sources: SourcesSettings,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `lookup` (tests pass a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| -> Option<String> {
            let value = lookup(name).filter(|v| !v.trim().is_empty());
            value.or_else(|| {
                SETTINGS
                    .iter()
                    .find(|s| s.name == name)
                    .and_then(|s| s.default.map(str::to_string))
            })
        };
        let port = get("FUNCTIONS_CUSTOMHANDLER_PORT")
            .map(|v| parse_port("FUNCTIONS_CUSTOMHANDLER_PORT", &v))
            .transpose()?;
        let scan_schedule = schedule("STEPUP_SCAN_SCHEDULE", get("STEPUP_SCAN_SCHEDULE"))?;
        let digest_schedule = schedule("STEPUP_DIGEST_SCHEDULE", get("STEPUP_DIGEST_SCHEDULE"))?;
        let azure_tenant = get("AZURE_TENANT_ID")
            .map(|v| TenantId::parse(&v).map_err(|e| invalid("AZURE_TENANT_ID", e)))
            .transpose()?;
        let tenant_id = get("STEPUP_TENANT_ID")
            .map(|v| TenantId::parse(&v).map_err(|e| invalid("STEPUP_TENANT_ID", e)))
            .transpose()?
            .or(azure_tenant);
        let enforcement_date = get("STEPUP_ENFORCEMENT_DATE")
            .map(|v| {
                NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|e| {
                    invalid(
                        "STEPUP_ENFORCEMENT_DATE",
                        format!("expected YYYY-MM-DD: {e}"),
                    )
                })
            })
            .transpose()?;
        let break_glass = get("STEPUP_BREAK_GLASS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let owners = get("STEPUP_OWNERS")
            .map(|v| parse_owners(&v))
            .transpose()?
            .unwrap_or_default();
        let log_format = match get("STEPUP_LOG_FORMAT").as_deref().map(str::trim) {
            Some("json") => LogFormat::Json,
            Some("text") | None => LogFormat::Text,
            Some(other) => {
                return Err(invalid(
                    "STEPUP_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };
        let identity = IdentityConfig {
            tenant_id: azure_tenant,
            client_id: get("AZURE_CLIENT_ID"),
            client_secret: get("AZURE_CLIENT_SECRET").map(Secret::new),
            certificate_path: get("AZURE_CLIENT_CERTIFICATE_PATH").map(PathBuf::from),
            federated_token_file: get("AZURE_FEDERATED_TOKEN_FILE").map(PathBuf::from),
            authority_host: get("AZURE_AUTHORITY_HOST"),
            in_azure: lookup("WEBSITE_INSTANCE_ID").is_some()
                || lookup("IDENTITY_ENDPOINT").is_some(),
        };
        let state =
            StateConfig::from_lookup(|k| lookup(k)).map_err(|e| invalid(e.variable, e.message))?;
        let tickets = TicketConfig::from_lookup(|k| lookup(k), &state.dir)
            .map_err(|e| invalid(e.setting(), e.reason()))?;
        let lifecycle = LifecycleSettings::from_lookup(|k| lookup(k))
            .map_err(|e| invalid(e.name, e.message))?;
        let teams =
            TeamsSettings::from_lookup(|k| lookup(k)).map_err(|e| invalid(e.name, e.message))?;
        let orchestration = OrchestrationSettings::from_lookup(|k| lookup(k))
            .map_err(|e| invalid(e.name, e.message))?;
        let chat =
            ChatSettings::from_lookup(|k| lookup(k)).map_err(|e| invalid(e.name, e.message))?;
        let sources =
            SourcesSettings::from_lookup(|k| lookup(k)).map_err(|e| invalid(e.name, e.message))?;
        Ok(Self {
            port,
            lifecycle,
            teams,
            orchestration,
            chat,
            sources,
            state,
            tickets,
            scan_schedule,
            digest_schedule,
            tenant: TenantSettings {
                tenant_id,
                enforcement_date,
                break_glass,
                owners,
                default_owner: get("STEPUP_DEFAULT_OWNER"),
            },
            log_format,
            identity,
        })
    }
}

fn invalid(name: &'static str, message: impl ToString) -> ConfigError {
    ConfigError {
        name,
        message: message.to_string(),
    }
}

/// Parses a TCP port (1–65535).
pub fn parse_port(name: &'static str, value: &str) -> Result<u16, ConfigError> {
    match value.trim().parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid(
            name,
            format!("{:?} is not a port (expected 1-65535)", value.trim()),
        )),
        Ok(p) => Ok(p),
    }
}

/// Parses a whole-number setting within `range`; the error says the range and shows (the start
/// of) the value. Shared by the modules' own `from_lookup` readers.
pub fn parse_whole_number(text: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number from {} to {}, got {:?}",
            range.start(),
            range.end(),
            text.chars().take(40).collect::<String>()
        )),
    }
}

/// Checks a timer schedule, which the Functions host reads as NCRONTAB, with the `cron`
/// crate; the value is kept as written.
fn schedule(name: &'static str, value: Option<String>) -> Result<String, ConfigError> {
    let value = value.unwrap_or_default();
    let fields: Vec<&str> = value.split_whitespace().collect();
    let [second, minute, hour, day, month, day_of_week] = fields[..] else {
        return Err(invalid(
            name,
            format!("{value:?} is not a 6-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}})"),
        ));
    };
    let not_valid = |why: &str| {
        invalid(
            name,
            format!("{value:?} is not a valid NCRONTAB expression: {why}"),
        )
    };
    let day_of_week = cron_day_of_week(day_of_week).map_err(|e| not_valid(&e))?;
    format!("{second} {minute} {hour} {day} {month} {day_of_week}")
        .parse::<cron::Schedule>()
        // The crate's message draws a caret under the expression: its last line says why.
        .map_err(|e| not_valid(e.to_string().lines().last().unwrap_or_default()))?;
    Ok(value)
}

/// An NCRONTAB day-of-week field as the `cron` crate reads it: NCRONTAB numbers the days 0-6
/// from Sunday, the crate 1-7, so numbers become names (`0-5` → `Sun-Fri`); steps stay.
fn cron_day_of_week(field: &str) -> Result<String, String> {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let day = |text: &str| match text.parse::<usize>() {
        Ok(n) => DAYS.get(n).map(|d| (*d).to_string()).ok_or_else(|| {
            format!("day of week {n} is out of range (0-6 from Sunday, or Sun-Sat)")
        }),
        Err(_) => Ok(text.to_string()),
    };
    let items = field.split(',').map(|item| {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        let range = range
            .split('-')
            .map(day)
            .collect::<Result<Vec<_>, _>>()?
            .join("-");
        Ok(match step {
            Some(step) => format!("{range}/{step}"),
            None => range,
        })
    });
    Ok(items.collect::<Result<Vec<String>, String>>()?.join(","))
}

fn parse_owners(value: &str) -> Result<Vec<OwnerRule>, ConfigError> {
    value
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (glob, owner) = pair
                .split_once('=')
                .ok_or_else(|| invalid("STEPUP_OWNERS", format!("{pair:?} is not glob=owner")))?;
            OwnerRule::compile(glob.trim(), OwnerEntry::Plain(owner.trim().to_string()))
                .map_err(|e| invalid("STEPUP_OWNERS", e))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_valid() {
        let c = config(&[]).unwrap();
        assert_eq!(c.port, None);
        assert_eq!(c.state.dir, PathBuf::from(".stepup"));
        assert!(matches!(c.tickets, TicketConfig::File(_)));
        assert_eq!(c.lifecycle, LifecycleSettings::default());
        assert_eq!(c.teams, TeamsSettings::default());
        assert_eq!(c.scan_schedule, "0 0 6 * * *");
        assert_eq!(c.identity.kind(), IdentityKind::AzureCli);
    }

    #[test]
    fn wrong_values_name_the_variable() {
        for (pairs, name) in [
            (
                vec![("FUNCTIONS_CUSTOMHANDLER_PORT", "http")],
                "FUNCTIONS_CUSTOMHANDLER_PORT",
            ),
            (
                vec![("FUNCTIONS_CUSTOMHANDLER_PORT", "0")],
                "FUNCTIONS_CUSTOMHANDLER_PORT",
            ),
            (
                vec![("FUNCTIONS_CUSTOMHANDLER_PORT", "70000")],
                "FUNCTIONS_CUSTOMHANDLER_PORT",
            ),
            (
                vec![("STEPUP_SCAN_SCHEDULE", "0 6 * * *")],
                "STEPUP_SCAN_SCHEDULE",
            ),
            (
                vec![("STEPUP_DIGEST_SCHEDULE", "0 0 99 * * *")],
                "STEPUP_DIGEST_SCHEDULE",
            ),
            (vec![("STEPUP_TENANT_ID", "contoso")], "STEPUP_TENANT_ID"),
            (
                vec![("STEPUP_ENFORCEMENT_DATE", "1/10/2025")],
                "STEPUP_ENFORCEMENT_DATE",
            ),
            (vec![("STEPUP_OWNERS", "nobody")], "STEPUP_OWNERS"),
            (vec![("STEPUP_LOG_FORMAT", "xml")], "STEPUP_LOG_FORMAT"),
            (
                vec![("STEPUP_RESOLVE_AFTER_SCANS", "0")],
                "STEPUP_RESOLVE_AFTER_SCANS",
            ),
            (
                vec![("STEPUP_STORAGE_BLOB_URL", "http://evil.example")],
                "STEPUP_STORAGE_BLOB_URL",
            ),
            (vec![("STEPUP_TICKETS", "github")], "STEPUP_GITHUB_REPO"),
            (vec![("STEPUP_TEAMS_RATE", "0")], "STEPUP_TEAMS_RATE"),
            (
                vec![("STEPUP_RENOTIFY_DAYS", "a week")],
                "STEPUP_RENOTIFY_DAYS",
            ),
            (
                vec![("STEPUP_TEAMS_WEBHOOK", "http://hooks.example.com/x?sig=1")],
                "STEPUP_TEAMS_WEBHOOK",
            ),
            (
                vec![("STEPUP_MAX_SNOOZE_DAYS", "365")],
                "STEPUP_MAX_SNOOZE_DAYS",
            ),
            (
                vec![("STEPUP_TEAMS_HMAC_SECRET", "not base64!")],
                "STEPUP_TEAMS_HMAC_SECRET",
            ),
        ] {
            let err = config(&pairs).unwrap_err();
            assert_eq!(err.name, name);
            assert!(err.to_string().starts_with(&format!("{name}: ")), "{err}");
        }
    }

    #[test]
    fn tenant_settings_from_the_environment() {
        let c = config(&[
            ("STEPUP_ENFORCEMENT_DATE", "2026-12-01"),
            (
                "STEPUP_BREAK_GLASS",
                "BG1@contoso.com, 1b2c3d4e-0000-0000-0000-000000000001",
            ),
            (
                "STEPUP_OWNERS",
                "svc-*@contoso.com=platform@contoso.com; *=it@contoso.com",
            ),
            ("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
            ("AZURE_CLIENT_SECRET", "s3cr3t-value"),
        ])
        .unwrap();
        assert_eq!(
            c.tenant.effective_enforcement_date().to_string(),
            "2026-12-01"
        );
        assert!(c.tenant.is_break_glass(Some("bg1@contoso.com"), "x"));
        let rule = c
            .tenant
            .owner_rule_for(Some("svc-a@contoso.com"), "x")
            .unwrap();
        assert_eq!(rule.entry.owner(), "platform@contoso.com");
        assert_eq!(
            c.tenant.tenant_id.unwrap().to_string(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        assert_eq!(c.identity.kind(), IdentityKind::ClientSecret);
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    mod ncrontab {
        use super::super::schedule;
        use proptest::prelude::*;

        /// One NCRONTAB field over `lo..=hi`: `*`, a value, a range, a step, a list.
        fn field(lo: u32, hi: u32) -> impl Strategy<Value = String> {
            let value = lo..=hi;
            prop_oneof![
                Just("*".to_string()),
                value.clone().prop_map(|v| v.to_string()),
                (value.clone(), value.clone()).prop_map(|(a, b)| format!(
                    "{}-{}",
                    a.min(b),
                    a.max(b)
                )),
                (1..=hi - lo).prop_map(|k| format!("*/{k}")),
                (value.clone(), 1..=hi - lo).prop_map(move |(a, k)| format!("{a}-{hi}/{k}")),
                prop::collection::btree_set(value, 2..4).prop_map(|set| {
                    set.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
                }),
            ]
        }

        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

        fn day_of_week() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("*".to_string()),
                // NCRONTAB numbers the days 0-6 from Sunday.
                (0u32..=6).prop_map(|d| d.to_string()),
                (0u32..=6, 0u32..=6).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
                prop::sample::select(&DAYS[..]).prop_map(str::to_string),
                (1usize..7).prop_map(|d| format!("Mon-{}", DAYS[d])),
                prop::sample::subsequence(&DAYS[..], 2..4).prop_map(|d| d.join(",")),
            ]
        }

        fn expression() -> impl Strategy<Value = Vec<String>> {
            (
                field(0, 59),
                field(0, 59),
                field(0, 23),
                field(1, 31),
                field(1, 12),
                day_of_week(),
            )
                .prop_map(|(s, m, h, d, mo, w)| vec![s, m, h, d, mo, w])
        }

        proptest! {
            #[test]
            fn every_six_field_expression_is_taken_as_written(fields in expression(), gap in "[ \t]{1,3}") {
                let text = fields.join(&gap);
                prop_assert_eq!(schedule("S", Some(text.clone())).ok(), Some(text));
            }

            #[test]
            fn five_or_seven_fields_are_refused(fields in expression(), extra in field(2020, 2030), drop in any::<bool>()) {
                let mut fields = fields;
                if drop {
                    fields.remove(0);
                } else {
                    fields.push(extra);
                }
                let e = schedule("STEPUP_SCAN_SCHEDULE", Some(fields.join(" "))).unwrap_err();
                prop_assert!(e.to_string().contains("6-field NCRONTAB"), "{}", e);
            }

            #[test]
            fn any_text_is_a_schedule_or_a_one_line_error_naming_the_setting(text in any::<String>()) {
                match schedule("STEPUP_DIGEST_SCHEDULE", Some(text.clone())) {
                    Ok(kept) => {
                        prop_assert_eq!(&kept, &text);
                        prop_assert_eq!(text.split_whitespace().count(), 6);
                    }
                    Err(e) => {
                        let e = e.to_string();
                        prop_assert!(e.contains("STEPUP_DIGEST_SCHEDULE"), "{}", e);
                        prop_assert!(!e.contains('\n') || text.contains('\n'), "{}", e);
                    }
                }
            }
        }

        #[test]
        fn days_of_week_are_counted_from_sunday_zero() {
            // Found by the property above: the `cron` crate counts 1-7, so NCRONTAB's Sunday
            // (`0`) was refused and an invalid `7` taken.
            for ok in [
                "0 0 8 * * 0",
                "0 0 8 * * 0-6",
                "0 0 8 * * 6",
                "0 0 8 * * 1-5",
                "0 0 8 * * 0,6",
                "0 0 8 * * */2",
            ] {
                assert_eq!(schedule("S", Some(ok.into())).ok().as_deref(), Some(ok));
            }
            for bad in ["0 0 8 * * 7", "0 0 8 * * 5-7", "0 0 8 * * 0-99"] {
                let e = schedule("S", Some(bad.into())).unwrap_err().to_string();
                assert!(
                    e.contains("out of range") && !e.contains('\n'),
                    "{bad}: {e}"
                );
            }
            let e = schedule("S", Some("0 0 99 * * *".into()))
                .unwrap_err()
                .to_string();
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn every_setting_is_unique_and_documented() {
        let mut names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SETTINGS.len());
        assert!(SETTINGS.iter().all(|s| !s.description.is_empty()));
    }
}
