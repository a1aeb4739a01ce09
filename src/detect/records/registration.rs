//! A Microsoft Graph `userRegistrationDetails` record
//! (`GET /reports/authenticationMethods/userRegistrationDetails`, v1.0 and beta).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::de::{self, Fold};
use crate::detect::model::UserKind;
use crate::ids::ObjectId;

/// One user's registered authentication methods.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationDetails {
    /// The user's object id.
    #[serde(deserialize_with = "de::guid")]
    pub id: ObjectId,
    /// The user's UPN.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_principal_name: Option<String>,
    /// The user's display name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_display_name: Option<String>,
    /// Whether an MFA-capable method is registered.
    #[serde(default)]
    pub is_mfa_registered: Option<bool>,
    /// The registered methods.
    #[serde(default, deserialize_with = "de::fold_list")]
    pub methods_registered: MethodSet,
    /// Whether the user holds an Entra admin role.
    #[serde(default)]
    pub is_admin: Option<bool>,
    /// Member or guest.
    #[serde(default, deserialize_with = "de::opt_wire")]
    pub user_type: Option<UserKind>,
    /// When the report row was last refreshed.
    #[serde(default, deserialize_with = "de::opt_time")]
    pub last_updated_date_time: Option<DateTime<Utc>>,
}

/// The methods the report names (v1.0 and beta spellings), in display order.
const METHODS: [(&str, bool); 28] = [
    // (name, phishing-resistant)
    ("fido2", true),
    ("fido2SecurityKey", true),
    ("passKeyDeviceBound", true),
    ("passKeyDeviceBoundAuthenticator", true),
    ("passKeyDeviceBoundWindowsHello", true),
    ("passKeySynced", true),
    ("windowsHelloForBusiness", true),
    ("macOsSecureEnclaveKey", true),
    ("x509Certificate", true),
    ("x509CertificateMultiFactor", true),
    ("certificateBasedAuthentication", true),
    // A single-factor certificate is phishing-resistant but cannot answer an MFA challenge.
    ("x509CertificateSingleFactor", false),
    ("microsoftAuthenticatorPasswordless", false),
    ("microsoftAuthenticatorPush", false),
    ("softwareOneTimePasscode", false),
    ("hardwareOneTimePasscode", false),
    ("oneTimePasscode", false),
    ("temporaryAccessPass", false),
    ("externalAuthMethod", false),
    ("qrCode", false),
    ("mobilePhone", false),
    ("alternateMobilePhone", false),
    ("officePhone", false),
    ("sms", false),
    ("voice", false),
    ("email", false),
    ("securityQuestion", false),
    ("appPassword", false),
];

/// A set of registered authentication methods, kept as bits (no strings per record).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct MethodSet {
    known: u32,
    unknown: u8,
}

impl MethodSet {
    /// Whether a phishing-resistant method is registered: FIDO2/passkey, Windows Hello for
    /// Business, platform credential, or a multi-factor certificate.
    pub fn has_phishing_resistant(&self) -> bool {
        METHODS
            .iter()
            .enumerate()
            .any(|(i, (_, pr))| *pr && self.known & (1 << i) != 0)
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.known == 0 && self.unknown == 0
    }

    /// The registered methods with known names, in a fixed order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        METHODS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.known & (1 << i) != 0)
            .map(|(_, (n, _))| *n)
    }

    /// How many registered methods had names this build does not know.
    pub fn unknown_count(&self) -> u8 {
        self.unknown
    }

    /// The union of two sets.
    pub fn union(self, other: Self) -> Self {
        Self {
            known: self.known | other.known,
            unknown: self.unknown.max(other.unknown),
        }
    }
}

impl Fold for MethodSet {
    fn add(&mut self, item: &str) {
        match METHODS
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(item))
        {
            Some(i) => self.known |= 1 << i,
            None if !item.trim().is_empty() => self.unknown = self.unknown.saturating_add(1),
            None => {}
        }
    }
}

impl fmt::Display for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            f.write_str(name)?;
        }
        if self.unknown > 0 {
            if !first {
                f.write_str(", ")?;
            }
            write!(f, "{} other", self.unknown)?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn methods(list: &str) -> MethodSet {
        let json = format!(
            r#"{{"id":"86462606-fde0-4fc4-9e0c-a20eb73e54c6","methodsRegistered":{list}}}"#
        );
        serde_json::from_str::<RegistrationDetails>(&json)
            .unwrap()
            .methods_registered
    }

    #[test]
    fn phishing_resistant_methods() {
        for pr in [
            r#"["fido2"]"#,
            r#"["FIDO2SecurityKey"]"#,
            r#"["passKeyDeviceBound"]"#,
            r#"["passKeyDeviceBoundAuthenticator"]"#,
            r#"["windowsHelloForBusiness","mobilePhone"]"#,
            r#"["x509CertificateMultiFactor"]"#,
        ] {
            assert!(methods(pr).has_phishing_resistant(), "{pr}");
        }
        for weak in [
            r#"[]"#,
            "null",
            r#"["microsoftAuthenticatorPush","softwareOneTimePasscode"]"#,
            r#"["mobilePhone","email","temporaryAccessPass"]"#,
            r#"["x509CertificateSingleFactor"]"#,
            r#"["somethingNew"]"#,
        ] {
            assert!(!methods(weak).has_phishing_resistant(), "{weak}");
        }
    }

    #[test]
    fn displays_names_and_unknowns() {
        assert_eq!(
            methods(r#"["mobilePhone","fido2","brandNew"]"#).to_string(),
            "fido2, mobilePhone, 1 other"
        );
        assert_eq!(methods("[]").to_string(), "none");
    }

    #[test]
    fn requires_a_guid_id() {
        let err = serde_json::from_str::<RegistrationDetails>(r#"{"userPrincipalName":"a@b"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `id`"), "{err}");
        let r: RegistrationDetails = serde_json::from_str(
            r#"{"id":"c6ad1942-4afa-47f8-8d48-afb5d8d69d2f","isMfaRegistered":false,"userType":"guest",
                "isAdmin":false,"lastUpdatedDateTime":"2023-03-13T19:15:41.6195833Z"}"#,
        )
        .unwrap();
        assert_eq!(r.is_mfa_registered, Some(false));
        assert_eq!(r.user_type, Some(UserKind::Guest));
        assert!(r.last_updated_date_time.is_some());
    }
}
