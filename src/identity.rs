//! The Entra ID credential stepup's own identity uses for Azure services (Blob and Queue
//! Storage), chosen from the standard `AZURE_*` environment the way DESIGN.md §5 says:
//! managed identity in Azure; client secret, certificate or workload-identity federation
//! elsewhere; the developer's `az login` on a workstation. The credential never belongs to
//! a user of the scanned tenant.

use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
};

use crate::config::{IdentityConfig, IdentityKind};

/// The credential could not be built.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A variable the selected credential needs is missing.
    #[error("{kind:?} credential needs {variable}")]
    Missing {
        /// The credential selected.
        kind: IdentityKind,
        /// The variable.
        variable: &'static str,
    },
    /// The credential refused its settings (a malformed certificate, a bad tenant id…).
    #[error("cannot build the {kind:?} credential: {message}")]
    Invalid {
        /// The credential selected.
        kind: IdentityKind,
        /// Why, without secrets.
        message: String,
    },
}

/// The credential the environment selects ([`IdentityConfig::kind`]).
pub fn credential(identity: &IdentityConfig) -> Result<Arc<dyn TokenCredential>, IdentityError> {
    let kind = identity.kind();
    let invalid = |e: azure_core::Error| IdentityError::Invalid {
        kind: kind.clone(),
        message: e.to_string(),
    };
    let missing = |variable| IdentityError::Missing {
        kind: kind.clone(),
        variable,
    };
    let credential: Arc<dyn TokenCredential> = match kind {
        IdentityKind::WorkloadIdentity => WorkloadIdentityCredential::new(None).map_err(invalid)?,
        IdentityKind::ClientSecret => {
            let tenant = identity
                .tenant_id
                .ok_or_else(|| missing("AZURE_TENANT_ID"))?;
            let client = identity
                .client_id
                .clone()
                .ok_or_else(|| missing("AZURE_CLIENT_ID"))?;
            let secret = identity
                .client_secret
                .as_ref()
                .ok_or_else(|| missing("AZURE_CLIENT_SECRET"))?;
            ClientSecretCredential::new(
                &tenant.to_string(),
                client,
                Secret::new(secret.expose().to_string()),
                None,
            )
            .map_err(invalid)?
        }
        IdentityKind::ClientCertificate => {
            // azure_identity's certificate credential needs OpenSSL, which stepup does not
            // link; federation and managed identity need no secret at all.
            return Err(IdentityError::Invalid {
                kind,
                message: "certificate credentials are not supported by this build; use a managed identity or workload identity federation (AZURE_FEDERATED_TOKEN_FILE)".into(),
            });
        }
        IdentityKind::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: identity.client_id.clone().map(UserAssignedId::ClientId),
                ..Default::default()
            }))
            .map_err(invalid)?
        }
        IdentityKind::AzureCli => AzureCliCredential::new(None).map_err(invalid)?,
    };
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret;

    #[test]
    fn missing_parts_name_the_variable() {
        let identity = IdentityConfig {
            client_secret: Some(secret::Secret::new("s3cr3t")),
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
