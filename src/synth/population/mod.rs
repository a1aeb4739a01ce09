//! The directory of a synthetic tenant: users with their personas, workload identities,
//! subscriptions, groups and role assignments. Memory grows with the number of accounts,
//! never with the number of events.

mod estate;
mod users;

use uuid::Uuid;

use super::catalog::people::City;
use super::catalog::roles::Role;
use super::persona::{Count, Persona};
use super::rng::{self, Stream};
use super::SynthError;

/// The tenant's verified domain.
pub(crate) const DOMAIN: &str = "contoso.com";
/// The tenant's initial domain.
pub(crate) const INITIAL_DOMAIN: &str = "contoso.onmicrosoft.com";

/// Member, service account, guest or emergency-access account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountKind {
    /// A person.
    Person,
    /// A "svc-" user account run by a script or pipeline.
    Service,
    /// A B2B guest.
    Guest,
    /// An emergency-access account.
    BreakGlass,
}

/// A role assignment.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// The role.
    pub role: Role,
    /// Subscription index.
    pub sub: u32,
    /// Resource group index, `None` for the whole subscription.
    pub rg: Option<u32>,
    /// The assignment's name (GUID).
    pub id: Uuid,
    /// When it was created (Unix ms).
    pub created_ms: i64,
}

/// A user account.
#[derive(Debug)]
pub(crate) struct UserSpec {
    /// Object id.
    pub id: Uuid,
    /// Persona.
    pub persona: Persona,
    /// Kind of account.
    pub kind: AccountKind,
    /// Directory UPN (`…#EXT#@contoso.onmicrosoft.com` for guests).
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// A guest's home e-mail: its sign-in name and its activity-log `caller`.
    pub home_email: Option<String>,
    /// A guest's home tenant.
    pub home_tenant: Option<Uuid>,
    /// `accountEnabled`.
    pub enabled: bool,
    /// `isMfaRegistered`.
    pub mfa_registered: bool,
    /// `methodsRegistered`.
    pub methods: &'static [&'static str],
    /// `isAdmin`.
    pub is_admin: bool,
    /// Department.
    pub department: &'static str,
    /// Job title.
    pub job_title: &'static str,
    /// Where the user works.
    pub city: &'static City,
    /// The workstation's (or home office's) public IP.
    pub workstation_ip: u32,
    /// A server the account's scripts run on.
    pub server_ip: u32,
    /// A jump host (distinct from the server).
    pub jump_ip: u32,
    /// Home subscription index.
    pub sub: u32,
    /// Home resource group index.
    pub rg: u32,
    /// Direct role assignments.
    pub grants: Vec<Grant>,
    /// Azure CLI user agent (empty when never used).
    pub cli_ua: String,
    /// Az PowerShell user agent (empty when never used).
    pub ps_ua: String,
    /// Browser user agent.
    pub browser_ua: &'static str,
    /// The day (0 = newest) the persona's defining activity is guaranteed on.
    pub anchor_day: u32,
    /// Noise only: whether the user works with Azure.
    pub arm_user: bool,
    /// Ordinal within the persona (0, 1, …).
    pub instance: u32,
    /// `createdDateTime` (Unix ms).
    pub created_ms: i64,
}

/// What a workload identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorkloadKind {
    /// App registration with a client secret (`appidacr` "1").
    SecretSp,
    /// App registration with a certificate (`appidacr` "2").
    CertificateSp,
    /// System-assigned managed identity.
    SystemMi,
    /// User-assigned managed identity.
    UserMi,
}

/// A service principal or managed identity.
#[derive(Debug)]
pub(crate) struct WorkloadSpec {
    /// Object id of the service principal.
    pub id: Uuid,
    /// Application (client) id.
    pub app_id: Uuid,
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: WorkloadKind,
    /// Home subscription index.
    pub sub: u32,
    /// Home resource group index.
    pub rg: u32,
    /// The resource a managed identity belongs to.
    pub resource_id: String,
    /// Egress IP.
    pub ip: u32,
    /// User agent of its sign-ins.
    pub ua: &'static str,
    /// Role assignments.
    pub grants: Vec<Grant>,
}

impl WorkloadSpec {
    /// The persona label.
    pub(crate) fn persona(&self) -> Persona {
        match self.kind {
            WorkloadKind::SecretSp | WorkloadKind::CertificateSp => Persona::ServicePrincipal,
            WorkloadKind::SystemMi | WorkloadKind::UserMi => Persona::ManagedIdentity,
        }
    }

    /// Whether this is a managed identity.
    pub(crate) fn managed(&self) -> bool {
        self.persona() == Persona::ManagedIdentity
    }
}

/// A subscription.
#[derive(Debug)]
pub(crate) struct SubSpec {
    /// Subscription id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// `env` tag.
    pub env: &'static str,
    /// `workload` tag.
    pub workload: &'static str,
    /// `owner` tag, on some subscriptions.
    pub owner: Option<&'static str>,
    /// `costCenter` tag.
    pub cost_center: u32,
    /// Resource group names.
    pub rgs: Vec<String>,
}

/// A security group holding Azure roles (its members are not exported).
#[derive(Debug)]
pub(crate) struct GroupSpec {
    /// Object id.
    pub id: Uuid,
    /// Role assignments.
    pub grants: Vec<Grant>,
}

/// The whole directory.
#[derive(Debug)]
pub(crate) struct Population {
    /// Tenant id.
    pub tenant: Uuid,
    /// Users, in directory order.
    pub users: Vec<UserSpec>,
    /// Service principals and managed identities.
    pub workloads: Vec<WorkloadSpec>,
    /// Subscriptions.
    pub subs: Vec<SubSpec>,
    /// Groups with Azure roles.
    pub groups: Vec<GroupSpec>,
    /// GUIDs of the custom read-only role, the custom DNS role and the deleted role.
    pub custom_roles: [Uuid; 3],
    /// Who created the role assignments (an administrator's object id).
    pub admin: Uuid,
}

impl Population {
    /// The GUID of a role definition.
    pub(crate) fn role_guid(&self, role: Role) -> Uuid {
        match role.definition().and_then(|d| d.builtin_guid) {
            Some(g) => Uuid::parse_str(g).unwrap_or_default(),
            None => match role {
                Role::CostWatcher => self.custom_roles[0],
                Role::DnsOperator => self.custom_roles[1],
                _ => self.custom_roles[2],
            },
        }
    }

    /// The ARM scope of a grant.
    pub(crate) fn scope(&self, grant: &Grant) -> String {
        let sub = &self.subs[grant.sub as usize];
        match grant.rg {
            Some(rg) => format!(
                "/subscriptions/{}/resourceGroups/{}",
                sub.id, sub.rgs[rg as usize]
            ),
            None => format!("/subscriptions/{}", sub.id),
        }
    }

    /// The emergency-access accounts: (weak, FIDO2).
    pub(crate) fn break_glass(&self) -> (Option<&UserSpec>, Option<&UserSpec>) {
        let find = |p| self.users.iter().find(|u| u.persona == p);
        (
            find(Persona::BreakGlassWeak),
            find(Persona::BreakGlassFido2),
        )
    }
}

/// How many accounts of each scaled persona a tenant of `users` users gets, keeping the
/// ordinary users a majority.
pub(crate) fn per_persona(users: usize) -> Result<usize, SynthError> {
    let scaled = Persona::ALL
        .iter()
        .filter(|p| p.count() == Count::Scaled)
        .count();
    let fixed = Persona::ALL
        .iter()
        .filter(|p| p.count() == Count::One)
        .count();
    let minimum = 2 * (scaled + fixed);
    if users >= 2000 {
        Ok(users / 1000)
    } else if users >= 2 * (2 * scaled + fixed) {
        Ok(2)
    } else if users >= minimum {
        Ok(1)
    } else {
        Err(SynthError::InvalidOptions(format!(
            "a synthetic tenant needs at least {minimum} users to hold every persona (got {users})"
        )))
    }
}

/// Builds the directory for `users` accounts.
pub(crate) fn build(
    seed: u64,
    tenant: Uuid,
    users: usize,
    subscriptions: usize,
    days: u32,
    end_ms: i64,
) -> Result<Population, SynthError> {
    let per = per_persona(users)?;
    let mut rng = rng::stream(seed, Stream::Directory, 0, 0);
    let mut tenant_rng = rng::stream(seed, Stream::Tenant, 0, 0);
    let custom_roles = [
        rng::guid(&mut tenant_rng),
        rng::guid(&mut tenant_rng),
        rng::guid(&mut tenant_rng),
    ];

    let subs = estate::subscriptions(&mut rng, subscriptions.max(1));

    let mut personas: Vec<Persona> = Vec::with_capacity(users);
    for p in Persona::ALL {
        match p.count() {
            Count::One => personas.push(p),
            Count::Scaled => personas.extend(std::iter::repeat_n(p, per)),
            Count::Workload | Count::Rest => {}
        }
    }
    personas.resize(users, Persona::Noise);
    rand::seq::SliceRandom::shuffle(personas.as_mut_slice(), &mut rng);

    let mut builder = users::UserBuilder::new(&mut rng, &subs, days, end_ms);
    let mut people = Vec::with_capacity(users);
    for p in personas {
        people.push(builder.user(p));
    }

    let workloads = estate::workloads(&mut rng, &subs, users, end_ms);
    let groups = estate::groups(&mut rng, &subs, end_ms);
    let admin = people
        .iter()
        .find(|u| u.persona == Persona::Noise)
        .map(|u| u.id)
        .unwrap_or_else(|| rng::guid(&mut rng));
    Ok(Population {
        tenant,
        users: people,
        workloads,
        subs,
        groups,
        custom_roles,
        admin,
    })
}
