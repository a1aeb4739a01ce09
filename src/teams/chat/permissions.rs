//! Who may ack or snooze an account (DESIGN.md §6): the account's owner or an admin.
//!
//! - Admin: the sender's object id, UPN or mail is listed in `STEPUP_ADMINS`.
//! - Owner: the sender's UPN or mail (any case) is the owner stepup recorded for the
//!   account, or the owner is written as the sender's object id.
//!
//! The activity names the sender only by object id; UPN and mail come from the
//! [`Directory`](super::directory::Directory). Members of an owning group or team mailbox
//! are not owners by this rule: list them as admins, or name a person as owner.

use crate::ids::ObjectId;

use super::directory::Person;
use super::settings::Admins;

/// The sender of a command, as far as stepup knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// `from.aadObjectId`.
    pub id: Option<ObjectId>,
    /// The directory's names for that id.
    pub person: Option<Person>,
}

impl Caller {
    /// UPN and mail, when known.
    pub fn names(&self) -> Vec<&str> {
        self.person.as_ref().map(Person::names).unwrap_or_default()
    }

    /// How the caller is written in audit lines: the UPN, else the mail, else the object id.
    pub fn audit_name(&self) -> Option<String> {
        self.names()
            .first()
            .map(|n| n.to_string())
            .or_else(|| self.id.map(|id| id.to_string()))
    }
}

/// In which right the caller acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Listed in `STEPUP_ADMINS`.
    Admin,
    /// The account's owner.
    Owner,
}

impl Role {
    /// `admin` or `owner`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

/// Why the caller may not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The message carries no object id.
    #[error("your message carries no Entra object id, so stepup cannot tell who you are")]
    Anonymous,
    /// Neither owner nor admin.
    #[error("only the account's owner ({}) or an admin (STEPUP_ADMINS) may do that", .owner.as_deref().unwrap_or("none recorded"))]
    NotOwner {
        /// The recorded owner.
        owner: Option<String>,
    },
}

/// Whether `caller` may ack or snooze an account owned by `owner`.
pub fn may_quiet(caller: &Caller, owner: Option<&str>, admins: &Admins) -> Result<Role, Denied> {
    let Some(id) = caller.id else {
        return Err(Denied::Anonymous);
    };
    let names = caller.names();
    if admins.contains(Some(&id), &names) {
        return Ok(Role::Admin);
    }
    let owner = owner.map(str::trim).filter(|o| !o.is_empty());
    let owns = owner.is_some_and(|o| {
        names.iter().any(|n| n.eq_ignore_ascii_case(o))
            || ObjectId::parse(o).is_ok_and(|owner_id| owner_id == id)
    });
    if owns {
        Ok(Role::Owner)
    } else {
        Err(Denied::NotOwner {
            owner: owner.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::parse(&format!("00000000-0000-0000-0000-0000000000{n:02x}")).unwrap()
    }

    fn caller(n: u8, upn: Option<&str>, mail: Option<&str>) -> Caller {
        Caller {
            id: Some(id(n)),
            person: Some(Person {
                upn: upn.map(str::to_string),
                mail: mail.map(str::to_string),
            }),
        }
    }

    #[test]
    fn owners_and_admins_may_others_may_not() {
        let admins = Admins {
            names: vec!["root@contoso.com".into()],
            ids: vec![id(9)],
        };
        let owner = Some("Platform@Contoso.com");
        for (who, expected) in [
            (
                caller(1, Some("platform@contoso.com"), None),
                Ok(Role::Owner),
            ),
            (
                caller(1, Some("ada@contoso.com"), Some("PLATFORM@contoso.com")),
                Ok(Role::Owner),
            ),
            (caller(2, Some("root@contoso.com"), None), Ok(Role::Admin)),
            (
                Caller {
                    id: Some(id(9)),
                    person: None,
                },
                Ok(Role::Admin),
            ),
            (
                caller(3, Some("bob@contoso.com"), None),
                Err(Denied::NotOwner {
                    owner: Some("Platform@Contoso.com".into()),
                }),
            ),
            (
                Caller {
                    id: Some(id(3)),
                    person: None,
                },
                Err(Denied::NotOwner {
                    owner: Some("Platform@Contoso.com".into()),
                }),
            ),
            (
                Caller {
                    id: None,
                    person: caller(1, Some("platform@contoso.com"), None).person,
                },
                Err(Denied::Anonymous),
            ),
        ] {
            assert_eq!(may_quiet(&who, owner, &admins), expected, "{who:?}");
        }
    }

    #[test]
    fn an_owner_written_as_an_object_id_matches_the_sender_id() {
        let owner = id(4).to_string();
        let who = Caller {
            id: Some(id(4)),
            person: None,
        };
        assert_eq!(
            may_quiet(&who, Some(&owner), &Admins::default()),
            Ok(Role::Owner)
        );
        let e = may_quiet(
            &caller(5, Some("x@contoso.com"), None),
            None,
            &Admins::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("none recorded"), "{e}");
    }

    #[test]
    fn audit_names_prefer_the_upn() {
        assert_eq!(
            caller(1, Some("a@b.com"), Some("m@b.com"))
                .audit_name()
                .unwrap(),
            "a@b.com"
        );
        assert_eq!(
            caller(1, None, Some("m@b.com")).audit_name().unwrap(),
            "m@b.com"
        );
        assert_eq!(
            Caller {
                id: Some(id(1)),
                person: None
            }
            .audit_name()
            .unwrap(),
            id(1).to_string()
        );
        assert_eq!(Caller::default().audit_name(), None);
    }
}
