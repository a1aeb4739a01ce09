//! The Entra ID credential stepup's own identity uses for Azure services (Blob and Queue
//! Storage), chosen from the standard `AZURE_*` environment the way DESIGN.md §5 says:
//! managed identity in Azure; client secret, certificate or workload-identity federation
//! elsewhere; the developer's `az login` on a workstation. The credential never belongs to
//! a user of the scanned tenant. It is built by the same code as the scans' credential
//! ([`crate::sources::credential`]), in the app's home tenant.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;

use crate::config::IdentityConfig;
use crate::sources::credential::{app_credential, CredentialOptions};

pub use crate::sources::credential::CredentialError as IdentityError;

/// The credential the environment selects ([`IdentityConfig::kind`]).
pub fn credential(identity: &IdentityConfig) -> Result<Arc<dyn TokenCredential>, IdentityError> {
    app_credential(identity, &CredentialOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret;

    #[test]
    fn missing_parts_name_the_variable() {
        let identity = IdentityConfig {
            client_secret: Some(secret::Secret::new("s3cr3t")),
            client_id: Some("00000000-0000-0000-0000-0000000000c1".into()),
            ..Default::default()
        };
        let err = credential(&identity).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("AZURE_TENANT_ID"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        let managed = IdentityConfig {
            in_azure: true,
            ..Default::default()
        };
        assert!(credential(&managed).is_ok());
    }
}
