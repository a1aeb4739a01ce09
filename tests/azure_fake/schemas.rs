//! The documented properties of each entity the fake serves, so that a filter or `$select`
//! naming an unknown property is answered 400 as Graph and ARM do. Properties seen in the
//! loaded data are added on top (see `tenant.rs`).

use super::odata::Schema;

/// Graph beta `signIn` (top-level properties).
const SIGN_IN: &[&str] = &[
    "appDisplayName",
    "appId",
    "appliedConditionalAccessPolicies",
    "appliedEventListeners",
    "appTokenProtectionStatus",
    "authenticationAppDeviceDetails",
    "authenticationAppPolicyEvaluationDetails",
    "authenticationContextClassReferences",
    "authenticationDetails",
    "authenticationMethodsUsed",
    "authenticationProcessingDetails",
    "authenticationProtocol",
    "authenticationRequirement",
    "authenticationRequirementPolicies",
    "autonomousSystemNumber",
    "azureResourceId",
    "clientAppUsed",
    "clientCredentialType",
    "conditionalAccessAudiences",
    "conditionalAccessStatus",
    "correlationId",
    "createdDateTime",
    "crossTenantAccessType",
    "deviceDetail",
    "federatedCredentialId",
    "flaggedForReview",
    "globalSecureAccessIpAddress",
    "homeTenantId",
    "homeTenantName",
    "id",
    "incomingTokenType",
    "ipAddress",
    "ipAddressFromResourceProvider",
    "isInteractive",
    "isTenantRestricted",
    "isThroughGlobalSecureAccess",
    "location",
    "managedServiceIdentity",
    "mfaDetail",
    "networkLocationDetails",
    "originalRequestId",
    "originalTransferMethod",
    "privateLinkDetails",
    "processingTimeInMilliseconds",
    "resourceDisplayName",
    "resourceId",
    "resourceServicePrincipalId",
    "resourceTenantId",
    "riskDetail",
    "riskEventTypes",
    "riskEventTypes_v2",
    "riskLevelAggregated",
    "riskLevelDuringSignIn",
    "riskState",
    "servicePrincipalCredentialKeyId",
    "servicePrincipalCredentialThumbprint",
    "servicePrincipalId",
    "servicePrincipalName",
    "sessionId",
    "sessionLifetimePolicies",
    "signInEventTypes",
    "signInIdentifier",
    "signInIdentifierType",
    "signInTokenProtectionStatus",
    "status",
    "tokenIssuerName",
    "tokenIssuerType",
    "tokenProtectionStatusDetails",
    "uniqueTokenIdentifier",
    "userAgent",
    "userDisplayName",
    "userId",
    "userPrincipalName",
    "userType",
];

/// Graph `userRegistrationDetails`.
const REGISTRATION: &[&str] = &[
    "id",
    "userPrincipalName",
    "userDisplayName",
    "userType",
    "isAdmin",
    "isSsprRegistered",
    "isSsprEnabled",
    "isSsprCapable",
    "isMfaRegistered",
    "isMfaCapable",
    "isPasswordlessCapable",
    "methodsRegistered",
    "isSystemPreferredAuthenticationMethodEnabled",
    "systemPreferredAuthenticationMethods",
    "userPreferredMethodForSecondaryAuthentication",
    "lastUpdatedDateTime",
];

/// Graph `user` (the properties the fake may be asked for; navigation properties are not
/// selectable, they are expanded).
const USER: &[&str] = &[
    "id",
    "accountEnabled",
    "ageGroup",
    "businessPhones",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "creationType",
    "department",
    "displayName",
    "employeeId",
    "employeeType",
    "externalUserState",
    "givenName",
    "identities",
    "jobTitle",
    "mail",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "onPremisesSamAccountName",
    "onPremisesSyncEnabled",
    "otherMails",
    "preferredLanguage",
    "proxyAddresses",
    "signInActivity",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];

/// What `GET /users` returns without `$select`.
pub(crate) const USER_DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

/// ARM activity-log `EventData`.
pub(crate) const EVENT: &[&str] = &[
    "authorization",
    "caller",
    "category",
    "channels",
    "claims",
    "correlationId",
    "description",
    "eventDataId",
    "eventName",
    "eventTimestamp",
    "httpRequest",
    "id",
    "level",
    "operationId",
    "operationName",
    "properties",
    "resourceGroupName",
    "resourceId",
    "resourceProviderName",
    "resourceType",
    "status",
    "subStatus",
    "submissionTimestamp",
    "subscriptionId",
    "tenantId",
];

/// The generic boolean functions Graph supports in these filters.
const GRAPH_FUNCTIONS: &[&str] = &["startswith", "endswith"];

fn schema(entity: &str, props: &[&str], functions: &[&'static str]) -> Schema {
    Schema::new(entity, props.iter().map(|p| p.to_string()), functions)
}

/// The sign-in schema (beta).
pub(crate) fn sign_in() -> Schema {
    schema("microsoft.graph.signIn", SIGN_IN, GRAPH_FUNCTIONS).with_datetimes(&["createdDateTime"])
}

/// The registration-details schema.
pub(crate) fn registration() -> Schema {
    schema(
        "microsoft.graph.userRegistrationDetails",
        REGISTRATION,
        GRAPH_FUNCTIONS,
    )
    .with_datetimes(&["lastUpdatedDateTime"])
}

/// The user schema.
pub(crate) fn user() -> Schema {
    schema("microsoft.graph.user", USER, GRAPH_FUNCTIONS).with_datetimes(&["createdDateTime"])
}

/// The activity-log event schema (for `$select`; ARM's filter grammar is checked apart).
pub(crate) fn event() -> Schema {
    schema("Microsoft.Insights/eventtypes/values", EVENT, &[])
}
