//! The credential a scan authenticates with, chosen from the standard `AZURE_*` variables
//! (see [`IdentityConfig::kind`]): workload identity federation, a client secret, a client
//! certificate, managed identity (user-assigned when `AZURE_CLIENT_ID` is set), or the
//! developer's `az login`. Every kind is azure_identity's own credential; the authority host
//! (`AZURE_AUTHORITY_HOST`) and the HTTP transport are passed in explicitly, so tests run the
//! real token requests against a local authority. The choice is logged once per process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret as AzureSecret, TokenCredential};
use azure_core::http::{ClientOptions, HttpClient, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    Executor, ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::certificate::CertificateAssertion;
use crate::config::{IdentityConfig, IdentityKind};
use crate::ids::TenantId;

/// The public cloud's authority.
pub const PUBLIC_AUTHORITY: &str = "https://login.microsoftonline.com";

/// Why no credential could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} credential: {why}")]
pub struct CredentialError {
    /// The credential kind.
    pub kind: &'static str,
    /// What is missing or wrong.
    pub why: String,
}

/// How to build credentials beyond the environment: the transport and, for tests, the
/// process runner of the `az` credential.
#[derive(Debug, Clone, Default)]
pub struct CredentialOptions {
    /// The HTTP client for token requests (default: azure_core's).
    pub http: Option<Arc<dyn HttpClient>>,
    /// Runs `az` for the Azure CLI credential (default: azure_identity's).
    pub az_executor: Option<Arc<dyn Executor>>,
}

/// A short name of a credential kind, for logs and errors.
pub fn kind_name(kind: &IdentityKind) -> &'static str {
    match kind {
        IdentityKind::ClientSecret => "client secret",
        IdentityKind::ClientCertificate => "client certificate",
        IdentityKind::WorkloadIdentity => "workload identity federation",
        IdentityKind::ManagedIdentity => "managed identity",
        IdentityKind::AzureCli => "Azure CLI (az login)",
    }
}

/// Builds the credential the environment selects, for `tenant` (a scanned tenant: the
/// app registration is multi-tenant).
pub fn build_credential(
    identity: &IdentityConfig,
    tenant: &TenantId,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    build(identity, Some(tenant), options)
}

/// The app's own credential for Azure services (Blob and Queue Storage): the kind the
/// environment selects, in the app's home tenant (`AZURE_TENANT_ID`, which only the client
/// secret, certificate and federation kinds need).
pub fn app_credential(
    identity: &IdentityConfig,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    build(identity, identity.tenant_id.as_ref(), options)
}

fn build(
    identity: &IdentityConfig,
    tenant: Option<&TenantId>,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    let kind = identity.kind();
    let name = kind_name(&kind);
    let err = |why: String| CredentialError { kind: name, why };
    let authority = identity
        .authority_host
        .clone()
        .unwrap_or_else(|| PUBLIC_AUTHORITY.to_string());
    let client_options = client_options(&authority, options);
    let tenant_text = || {
        tenant
            .map(ToString::to_string)
            .ok_or_else(|| err("AZURE_TENANT_ID is not set".into()))
    };
    let client_id = || {
        identity
            .client_id
            .clone()
            .ok_or_else(|| err("AZURE_CLIENT_ID is not set".into()))
    };
    let credential: Arc<dyn TokenCredential> = match kind {
        IdentityKind::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions { client_options },
                client_id: Some(client_id()?),
                tenant_id: Some(tenant_text()?),
                token_file_path: identity.federated_token_file.clone(),
            }))
            .map_err(|e| err(e.to_string()))?
        }
        IdentityKind::ClientSecret => {
            let secret = identity
                .client_secret
                .as_ref()
                .map(|s| AzureSecret::new(s.expose().to_owned()))
                .ok_or_else(|| err("AZURE_CLIENT_SECRET is not set".into()))?;
            ClientSecretCredential::new(
                &tenant_text()?,
                client_id()?,
                secret,
                Some(ClientSecretCredentialOptions { client_options }),
            )
            .map_err(|e| err(e.to_string()))?
        }
        IdentityKind::ClientCertificate => {
            let path = identity
                .certificate_path
                .as_deref()
                .ok_or_else(|| err("AZURE_CLIENT_CERTIFICATE_PATH is not set".into()))?;
            let client = client_id()?;
            let tenant_text = tenant_text()?;
            let endpoint = format!(
                "{}/{tenant_text}/oauth2/v2.0/token",
                authority.trim_end_matches('/')
            );
            let assertion = CertificateAssertion::from_pem_file(path, &client, &endpoint)
                .map_err(|e| err(e.to_string()))?;
            ClientAssertionCredential::new(
                tenant_text,
                client,
                assertion,
                Some(ClientAssertionCredentialOptions { client_options }),
            )
            .map_err(|e| err(e.to_string()))?
        }
        IdentityKind::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: identity.client_id.clone().map(UserAssignedId::ClientId),
                client_options,
            }))
            .map_err(|e| err(e.to_string()))?
        }
        IdentityKind::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: tenant.map(ToString::to_string),
            executor: options.az_executor.clone(),
            ..Default::default()
        }))
        .map_err(|e| err(e.to_string()))?,
    };
    log_once(&kind, identity);
    Ok(credential)
}

fn client_options(authority: &str, options: &CredentialOptions) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = authority.to_string();
    ClientOptions {
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        transport: options.http.clone().map(Transport::new),
        ..Default::default()
    }
}

static LOGGED: AtomicBool = AtomicBool::new(false);

fn log_once(kind: &IdentityKind, identity: &IdentityConfig) {
    if LOGGED.swap(true, Ordering::Relaxed) {
        return;
    }
    let assigned = match kind {
        IdentityKind::ManagedIdentity if identity.client_id.is_some() => " (user-assigned)",
        IdentityKind::ManagedIdentity => " (system-assigned)",
        _ => "",
    };
    tracing::info!(
        credential = kind_name(kind),
        client_id = identity.client_id.as_deref().unwrap_or("-"),
        "authenticating with {}{assigned}",
        kind_name(kind)
    );
}
