//! Names, departments and places for directory objects.

/// First names.
pub(crate) static FIRST_NAMES: [&str; 48] = [
    "Adele", "Alex", "Amara", "Ben", "Carla", "Chen", "Dana", "Diego", "Elena", "Emeka", "Farah",
    "Felix", "Grace", "Hannah", "Hiro", "Ines", "Isaac", "Jana", "Jonas", "Kai", "Kavya", "Lars",
    "Lea", "Lucia", "Malik", "Maya", "Megan", "Nadia", "Nestor", "Noah", "Olga", "Omar", "Paula",
    "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sofia", "Tariq", "Tomas", "Uma", "Vera", "Wei",
    "Xavier", "Yara", "Yusuf", "Zoe",
];

/// Surnames.
pub(crate) static SURNAMES: [&str; 48] = [
    "Adams", "Baker", "Bauer", "Brown", "Castro", "Chen", "Costa", "Dubois", "Eriksen", "Fischer",
    "Garcia", "Gupta", "Hansen", "Haddad", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez",
    "Martin", "Meyer", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel",
    "Peters", "Quispe", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka",
    "Torres", "Varga", "Vogel", "Wagner", "Walker", "Weber", "Wong", "Young", "Zhang",
];

/// Departments.
pub(crate) static DEPARTMENTS: [&str; 10] = [
    "Engineering",
    "Platform",
    "Finance",
    "Sales",
    "Marketing",
    "Operations",
    "Security",
    "Data",
    "Human Resources",
    "Support",
];

/// Job titles.
pub(crate) static JOB_TITLES: [&str; 10] = [
    "Software Engineer",
    "Cloud Engineer",
    "Site Reliability Engineer",
    "Data Engineer",
    "Analyst",
    "Account Manager",
    "Product Manager",
    "Security Engineer",
    "Consultant",
    "Team Lead",
];

/// A place sign-ins come from.
#[derive(Debug)]
pub(crate) struct City {
    /// `location.city`.
    pub city: &'static str,
    /// `location.state`.
    pub state: &'static str,
    /// `location.countryOrRegion`.
    pub country: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Offset from UTC in hours (no DST: a synthetic tenant needs none).
    pub utc_offset: i32,
    /// `usageLocation` and `officeLocation` country.
    pub office: &'static str,
}

const fn city(
    city: &'static str,
    state: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    utc_offset: i32,
    office: &'static str,
) -> City {
    City {
        city,
        state,
        country,
        lat,
        lon,
        utc_offset,
        office,
    }
}

/// Where the tenant's people work.
pub(crate) static CITIES: [City; 8] = [
    city(
        "Seattle",
        "Washington",
        "US",
        47.6062,
        -122.3321,
        -8,
        "SEA-Building 4",
    ),
    city(
        "New York",
        "New York",
        "US",
        40.7128,
        -74.006,
        -5,
        "NYC-Hudson Yards",
    ),
    city(
        "London",
        "England",
        "GB",
        51.5072,
        -0.1276,
        0,
        "LON-Paddington",
    ),
    city(
        "Amsterdam",
        "Noord-Holland",
        "NL",
        52.3676,
        4.9041,
        1,
        "AMS-Zuidas",
    ),
    city(
        "Munich",
        "Bayern",
        "DE",
        48.1351,
        11.582,
        1,
        "MUC-Parkstadt",
    ),
    city(
        "Bengaluru",
        "Karnataka",
        "IN",
        12.9716,
        77.5946,
        5,
        "BLR-Bagmane",
    ),
    city(
        "Singapore",
        "Singapore",
        "SG",
        1.3521,
        103.8198,
        8,
        "SIN-Marina",
    ),
    city(
        "Sydney",
        "New South Wales",
        "AU",
        -33.8688,
        151.2093,
        10,
        "SYD-Barangaroo",
    ),
];

/// Azure regions hosted agents, runbooks and workload identities run in.
pub(crate) static AZURE_REGIONS: [City; 3] = [
    city("Boydton", "Virginia", "US", 36.6676, -78.3875, -5, "eastus"),
    city("Dublin", "Dublin", "IE", 53.3498, -6.2603, 0, "northeurope"),
    city(
        "Amsterdam",
        "Noord-Holland",
        "NL",
        52.3676,
        4.9041,
        1,
        "westeurope",
    ),
];

/// Home organisations of B2B guests.
pub(crate) static GUEST_DOMAINS: [&str; 5] = [
    "fabrikam.com",
    "northwindtraders.com",
    "adatum.com",
    "tailspintoys.com",
    "outlook.com",
];

/// Workloads subscriptions and resource groups are named after.
pub(crate) static WORKLOADS: [&str; 10] = [
    "web",
    "payments",
    "data",
    "identity",
    "network",
    "analytics",
    "shared",
    "ml",
    "iot",
    "crm",
];

/// Environments.
pub(crate) static ENVIRONMENTS: [&str; 4] = ["prod", "dev", "test", "sandbox"];

/// Teams named in subscription `owner` tags.
pub(crate) static TEAMS: [&str; 5] = [
    "platform-team@contoso.com",
    "data-team@contoso.com",
    "web-team@contoso.com",
    "network-team@contoso.com",
    "finance-it@contoso.com",
];
