// Built-in Azure role definition ids, the same GUID in every tenant. The other templates
// import this table instead of repeating GUIDs; tests/infra.rs checks every id against
// the role's name.

@export()
@description('Built-in role definition ids, keyed by the role name in camelCase.')
var roleIds = {
  // Storage Blob Data Owner: the Functions host's leases and keys, stepup's state blobs,
  // and the Flex Consumption deployment package.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Queue Data Contributor: the stepup-jobs and stepup-notify queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Reader: ARM reads (activity log, role assignments, subscriptions and their tags).
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
  // Key Vault Secrets User: resolves the app settings' Key Vault references.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Key Vault Secrets Officer: lets the deployer write the secrets (optional).
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Monitoring Metrics Publisher: Entra-authenticated Application Insights ingestion.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
