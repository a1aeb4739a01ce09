//! User accounts: names, UPNs, MFA registration, role assignments, clients and addresses
//! chosen per persona.

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::super::catalog::people::{
    CITIES, DEPARTMENTS, FIRST_NAMES, GUEST_DOMAINS, JOB_TITLES, SURNAMES,
};
use super::super::catalog::roles::Role;
use super::super::catalog::user_agents::{self, CliForm, CLI_CURRENT, CLI_PLATFORMS, PS_CURRENT};
use super::super::catalog::{pick, pick_str};
use super::super::ip;
use super::super::persona::Persona;
use super::super::rng;
use super::super::time::DAY_MS;
use super::{AccountKind, Grant, SubSpec, UserSpec, DOMAIN, INITIAL_DOMAIN};

/// Makes users one by one, keeping UPNs unique and counting instances per persona.
pub(super) struct UserBuilder<'a> {
    rng: &'a mut ChaCha8Rng,
    subs: &'a [SubSpec],
    days: u32,
    end_ms: i64,
    taken: BTreeMap<String, u32>,
    instances: BTreeMap<Persona, u32>,
}

/// The methods people register.
static PERSON_METHODS: [&[&str]; 5] = [
    &["microsoftAuthenticatorPush", "mobilePhone"],
    &["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
    &["windowsHelloForBusiness", "microsoftAuthenticatorPush"],
    &["mobilePhone"],
    &["fido2SecurityKey", "microsoftAuthenticatorPush"],
];

impl<'a> UserBuilder<'a> {
    /// A builder drawing from `rng`.
    pub(super) fn new(
        rng: &'a mut ChaCha8Rng,
        subs: &'a [SubSpec],
        days: u32,
        end_ms: i64,
    ) -> Self {
        Self {
            rng,
            subs,
            days,
            end_ms,
            taken: BTreeMap::new(),
            instances: BTreeMap::new(),
        }
    }

    /// The next user, of `persona`.
    pub(super) fn user(&mut self, persona: Persona) -> UserSpec {
        let instance = {
            let n = self.instances.entry(persona).or_insert(0);
            *n += 1;
            *n - 1
        };
        let kind = account_kind(persona);
        let rng = &mut *self.rng;
        let id = rng::guid(rng);
        let given = *pick(rng, &FIRST_NAMES);
        let surname = *pick(rng, &SURNAMES);
        let city = pick(rng, &CITIES);
        let (local, display_name, given_name, surname_s) = match kind {
            AccountKind::Service => {
                let prefix = service_prefix(persona);
                let local = format!("{prefix}{:02}", instance + 1);
                (local.clone(), local, String::new(), String::new())
            }
            AccountKind::BreakGlass => {
                let local = format!("bg-admin{:02}", instance + break_glass_number(persona) + 1);
                (
                    local,
                    "Emergency Access".to_string(),
                    String::new(),
                    String::new(),
                )
            }
            _ => (
                format!("{}.{}", given.to_lowercase(), surname.to_lowercase()),
                format!("{given} {surname}"),
                given.to_string(),
                surname.to_string(),
            ),
        };
        let local = self.unique(local);
        let (upn, home_email, home_tenant) = match kind {
            AccountKind::Guest => {
                let domain = *pick(self.rng, &GUEST_DOMAINS);
                let email = format!("{local}@{domain}");
                let upn = format!("{local}_{domain}#EXT#@{INITIAL_DOMAIN}");
                (upn, Some(email), Some(rng::guid(self.rng)))
            }
            AccountKind::BreakGlass => (format!("{local}@{INITIAL_DOMAIN}"), None, None),
            _ => (format!("{local}@{DOMAIN}"), None, None),
        };
        let rng = &mut *self.rng;
        let mfa_registered = mfa_registered(persona, instance);
        let methods: &'static [&'static str] = match (persona, mfa_registered) {
            (_, false) => &[],
            (Persona::BreakGlassWeak, _) => &["mobilePhone", "microsoftAuthenticatorPush"],
            (Persona::BreakGlassFido2, _) => &["fido2SecurityKey"],
            _ if kind == AccountKind::Service => &["mobilePhone"],
            _ if kind == AccountKind::Guest => &["microsoftAuthenticatorPush"],
            _ => PERSON_METHODS[rng.gen_range(0..PERSON_METHODS.len())],
        };
        let sub = rng.gen_range(0..self.subs.len()) as u32;
        let rg = rng.gen_range(0..self.subs[sub as usize].rgs.len()) as u32;
        let workstation_ip = if kind == AccountKind::Guest || rng.gen_bool(0.4) {
            ip::residential(rng)
        } else {
            ip::office(rng, city)
        };
        let server_ip = ip::datacenter(rng);
        let jump_ip = ip::jump_host(rng);
        let arm_user = persona == Persona::Noise && rng.gen_bool(0.12);
        let grants = self.grants(persona, sub, rg, arm_user);
        let rng = &mut *self.rng;
        let platform = *pick(rng, &CLI_PLATFORMS);
        let (cli_ua, ps_ua) = clients(persona, arm_user, platform, rng);
        let anchor_day = rng.gen_range(0..self.days.clamp(1, 7));
        let created_ms = self.end_ms - rng.gen_range(200..2500) * DAY_MS;
        UserSpec {
            id,
            persona,
            kind,
            upn,
            display_name,
            given_name,
            surname: surname_s,
            home_email,
            home_tenant,
            enabled: !persona.disabled(),
            mfa_registered,
            methods,
            is_admin: matches!(kind, AccountKind::BreakGlass),
            department: pick_str(rng, &DEPARTMENTS),
            job_title: pick_str(rng, &JOB_TITLES),
            city,
            workstation_ip,
            server_ip,
            jump_ip,
            sub,
            rg,
            grants,
            cli_ua,
            ps_ua,
            browser_ua: pick_str(rng, &user_agents::BROWSERS),
            anchor_day,
            arm_user,
            instance,
            created_ms,
        }
    }

    fn unique(&mut self, local: String) -> String {
        let n = self.taken.entry(local.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            local
        } else {
            format!("{local}{n}")
        }
    }

    fn grants(&mut self, persona: Persona, sub: u32, rg: u32, arm_user: bool) -> Vec<Grant> {
        use Role::*;
        let at_sub = |role| (role, false);
        let at_rg = |role| (role, true);
        let wanted: Vec<(Role, bool)> = match persona {
            Persona::RopcCron
            | Persona::RunbookUser
            | Persona::PipelineAzureDevOps
            | Persona::NoMfaWriter
            | Persona::CliSingleFactorWriter
            | Persona::FailedWriter
            | Persona::ArmOnlyWriter
            | Persona::NoMfaContributor
            | Persona::OutdatedCliMfa
            | Persona::MfaCliWriter
            | Persona::DisabledLeaver => vec![at_sub(Contributor)],
            Persona::RopcSharedCache
            | Persona::PipelineGitHubActions
            | Persona::GuestNoMfaWriter
            | Persona::GuestWriter
            | Persona::OutdatedCliWriter
            | Persona::NoMfaCliSignin
            | Persona::SingleFactorReadsAndActions
            | Persona::FederatedMfaClaim
            | Persona::WorkstationMfaRefresh
            | Persona::DisabledDormant => vec![at_rg(Contributor)],
            Persona::PowerShellSingleFactorWriter | Persona::OutdatedPowerShellMfa => {
                vec![at_rg(VmContributor)]
            }
            Persona::PortalThenCliWriter => vec![at_rg(Owner)],
            Persona::NoMfaDnsOperator => vec![at_rg(DnsOperator)],
            Persona::NoMfaUnknownRole => vec![at_sub(Unknown)],
            Persona::BreakGlassWeak | Persona::BreakGlassFido2 => vec![at_sub(Owner)],
            Persona::RopcReaderScript
            | Persona::SingleFactorSigninOnly
            | Persona::VsCodeArmSignin
            | Persona::MobileAppSingleFactor
            | Persona::OutdatedSingleFactorSignin
            | Persona::NoMfaReader => vec![at_sub(Reader)],
            Persona::NoMfaMonitoringReader => vec![at_sub(MonitoringReader)],
            Persona::NoMfaCustomReadOnly => vec![at_sub(CostWatcher)],
            Persona::NoMfaWriterViaGroup
            | Persona::FailedSigninsOnly
            | Persona::OutOfScopeAppsOnly
            | Persona::ServicePrincipal
            | Persona::ManagedIdentity => vec![],
            Persona::Noise => {
                let roll: f64 = self.rng.gen();
                if arm_user {
                    if roll < 0.5 {
                        vec![at_rg(Contributor)]
                    } else if roll < 0.8 {
                        vec![at_sub(Contributor)]
                    } else {
                        vec![at_rg(Owner), at_sub(Reader)]
                    }
                } else if roll < 0.15 {
                    vec![at_sub(Reader)]
                } else if roll < 0.18 {
                    vec![at_rg(Contributor)]
                } else {
                    vec![]
                }
            }
        };
        let (sub, rg) = match persona {
            // The emergency-access accounts own the first subscription.
            Persona::BreakGlassWeak | Persona::BreakGlassFido2 => (0, 0),
            _ => (sub, rg),
        };
        wanted
            .into_iter()
            .map(|(role, rg_scope)| Grant {
                role,
                sub,
                rg: rg_scope.then_some(rg),
                id: rng::guid(self.rng),
                created_ms: self.end_ms - self.rng.gen_range(30..900) * DAY_MS,
            })
            .collect()
    }
}

fn break_glass_number(persona: Persona) -> u32 {
    u32::from(persona == Persona::BreakGlassFido2)
}

fn account_kind(persona: Persona) -> AccountKind {
    match persona {
        Persona::RopcCron
        | Persona::RopcSharedCache
        | Persona::RopcReaderScript
        | Persona::RunbookUser
        | Persona::PipelineAzureDevOps
        | Persona::PipelineGitHubActions
        | Persona::DisabledLeaver => AccountKind::Service,
        Persona::GuestNoMfaWriter | Persona::GuestWriter => AccountKind::Guest,
        Persona::BreakGlassWeak | Persona::BreakGlassFido2 => AccountKind::BreakGlass,
        _ => AccountKind::Person,
    }
}

fn service_prefix(persona: Persona) -> &'static str {
    match persona {
        Persona::RopcCron => "svc-backup-cron",
        Persona::RopcSharedCache => "svc-report-sync",
        Persona::RopcReaderScript => "svc-inventory",
        Persona::RunbookUser => "svc-automation",
        Persona::PipelineAzureDevOps => "svc-ado-deploy",
        Persona::PipelineGitHubActions => "svc-gh-deploy",
        _ => "svc-legacy-etl",
    }
}

fn mfa_registered(persona: Persona, instance: u32) -> bool {
    match persona {
        Persona::RunbookUser
        | Persona::NoMfaWriter
        | Persona::NoMfaWriterViaGroup
        | Persona::GuestNoMfaWriter
        | Persona::NoMfaContributor
        | Persona::NoMfaDnsOperator
        | Persona::NoMfaUnknownRole
        | Persona::NoMfaCliSignin
        | Persona::DisabledLeaver
        | Persona::DisabledDormant
        | Persona::NoMfaReader
        | Persona::NoMfaMonitoringReader
        | Persona::NoMfaCustomReadOnly => false,
        // Half of them never registered: without a write role that is no signal either.
        Persona::OutOfScopeAppsOnly => instance.is_multiple_of(2),
        _ => true,
    }
}

/// The Azure CLI and Az PowerShell user agents a persona uses (empty when unused).
fn clients(
    persona: Persona,
    arm_user: bool,
    platform: &str,
    rng: &mut ChaCha8Rng,
) -> (String, String) {
    use CliForm::{Lower, Upper};
    let current_cli = *pick(rng, &CLI_CURRENT);
    let current_ps = *pick(rng, &PS_CURRENT);
    let linux = CLI_PLATFORMS[1];
    let cli = |form, v| user_agents::azure_cli(form, v, platform, "");
    let ps = |v| user_agents::az_powershell(v, !platform.starts_with("Linux"));
    match persona {
        Persona::RopcCron => (
            user_agents::azure_cli(Lower, "2.60.0", linux, ""),
            String::new(),
        ),
        Persona::RopcReaderScript => (
            user_agents::azure_cli(Lower, "2.77.0", linux, ""),
            String::new(),
        ),
        Persona::RopcSharedCache => (String::new(), user_agents::az_powershell("14.5.0", true)),
        Persona::RunbookUser => (String::new(), user_agents::az_powershell("9.7.1", false)),
        Persona::DisabledLeaver => (
            user_agents::azure_cli(Lower, "2.77.0", linux, ""),
            String::new(),
        ),
        // Pipelines build their user agent per run.
        Persona::PipelineAzureDevOps | Persona::PipelineGitHubActions => {
            (String::new(), String::new())
        }
        Persona::PortalThenCliWriter => (cli(Lower, "2.76.0"), String::new()),
        Persona::FailedWriter => (cli(Lower, "2.79.0"), String::new()),
        Persona::OutdatedCliWriter => (cli(Upper, "2.60.0"), String::new()),
        Persona::SingleFactorSigninOnly => (cli(Lower, "2.77.0"), String::new()),
        Persona::OutdatedSingleFactorSignin => (cli(Lower, "2.8.0"), String::new()),
        Persona::OutdatedCliMfa => (cli(Lower, "2.60.0"), String::new()),
        Persona::FailedSigninsOnly => (cli(Lower, "2.60.0"), String::new()),
        Persona::PowerShellSingleFactorWriter => (String::new(), ps("14.3.0")),
        Persona::OutdatedPowerShellMfa => (String::new(), ps("14.2.0")),
        Persona::NoMfaWriter
        | Persona::NoMfaWriterViaGroup
        | Persona::GuestNoMfaWriter
        | Persona::CliSingleFactorWriter
        | Persona::GuestWriter
        | Persona::ArmOnlyWriter
        | Persona::NoMfaCliSignin
        | Persona::SingleFactorReadsAndActions
        | Persona::MfaCliWriter
        | Persona::FederatedMfaClaim
        | Persona::WorkstationMfaRefresh => (cli(Lower, current_cli), String::new()),
        Persona::Noise if arm_user => {
            let form = if rng.gen_bool(0.2) { Upper } else { Lower };
            (cli(form, current_cli), ps(current_ps))
        }
        _ => (String::new(), String::new()),
    }
}
