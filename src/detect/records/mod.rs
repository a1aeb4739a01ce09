//! The records detection reads, as the APIs return them (DESIGN.md §2).
//!
//! Each type is `serde::Deserialize` and owns its data. Unknown fields are ignored, `null`
//! and `""` mean "absent", and an id that is present but not a GUID makes the record
//! malformed (a deserialization error). Fields detection never reads are skipped unparsed.

pub mod activity;
pub mod de;
pub mod registration;
pub mod role_assignment;
pub mod role_definition;
pub mod sign_in;
pub mod subscription;
pub mod user;

#[cfg(test)]
mod published_examples;

pub use activity::{
    ActivityEvent, Caller, Claims, ClientAuth, HttpMethod, IdType, OperationStatus,
};
pub use registration::{MethodSet, RegistrationDetails};
pub use role_assignment::{PrincipalType, RoleAssignment};
pub use role_definition::RoleDefinition;
pub use sign_in::{AuthProtocol, AuthRequirement, SignIn, SignInEventTypes, SignInStatus};
pub use subscription::Subscription;
pub use user::{DirectoryContact, User};
