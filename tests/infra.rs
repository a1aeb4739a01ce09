//! Checks of the deployment templates (`infra/**/*.bicep`) and `scripts/deploy`, without a
//! Bicep compiler or the Azure CLI: the templates parse with the tree-sitter-bicep grammar,
//! set exactly the settings stepup reads (secrets as Key Vault references), use the right
//! built-in role and Graph app role ids, and hold no secret; the deploy script parses its
//! arguments and drives `az` in the right order.

#[path = "infra/bicep.rs"]
mod bicep;

#[path = "infra/syntax.rs"]
mod syntax;

#[path = "infra/app_settings.rs"]
mod app_settings;

#[path = "infra/role_ids.rs"]
mod role_ids;

#[path = "infra/secrets.rs"]
mod secrets;

#[path = "infra/deploy_script.rs"]
mod deploy_script;

#[path = "infra/documentation.rs"]
mod documentation;
