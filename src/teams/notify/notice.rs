//! The queue-able unit of owner notification: one [`OwnerNotice`] per (owner, channel) per
//! run, carrying everything the cards need (no webhook URL: the channel is named, and the
//! worker resolves it from its own settings).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::DueReason;
use crate::calendar::EnforcementStatus;
use crate::detect::model::{Finding, Owner};
use crate::ids::{ObjectId, TenantId};
use crate::lifecycle::record::StoredTicket;
use crate::teams::cards::owner_notice;
use crate::teams::channel::{short_hash, slug, Channel};
use crate::teams::delivery::Message;
use crate::tickets::settings::TicketSystem;
use crate::tickets::TicketRef;

/// Evidence kept per account in a notice: as many as a card shows in detail.
pub const MAX_EVIDENCE: usize = 5;

/// One account in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeAccount {
    /// The finding (evidence cut to [`MAX_EVIDENCE`]).
    pub finding: Finding,
    /// The account's ticket, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<NoticeTicket>,
    /// Why the owner hears about it now.
    pub reason: DueReason,
}

/// A ticket as a notice shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeTicket {
    /// The system (`github`, `jira`, …).
    pub system: String,
    /// The system's id.
    pub id: String,
    /// A link for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl NoticeTicket {
    /// The ticket of a record.
    pub fn of(ticket: &StoredTicket) -> Self {
        Self {
            system: ticket.system.clone(),
            id: ticket.id.clone(),
            url: ticket.url.clone(),
        }
    }

    /// The reference the cards take (`None` for a system this build does not know).
    fn reference(&self) -> Option<TicketRef> {
        let system = TicketSystem::ALL
            .iter()
            .map(|s| s.as_str())
            .find(|s| *s == self.system)?;
        Some(TicketRef {
            system,
            id: self.id.clone(),
            url: self.url.clone(),
        })
    }
}

/// Everything one owner hears in one run on one channel: the owner notice card set
/// (split over at most four messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerNotice {
    /// The tenant.
    pub tenant: TenantId,
    /// The run: the time of the scan the findings come from. With the tenant, channel and
    /// owner it identifies the notice, so a redelivered queue message never posts twice.
    pub run: DateTime<Utc>,
    /// Where it goes.
    pub channel: Channel,
    /// Who is @mentioned.
    pub owner: Owner,
    /// The tenant's Phase 2 status.
    pub enforcement: EnforcementStatus,
    /// The accounts due, most severe first.
    pub accounts: Vec<NoticeAccount>,
}

impl OwnerNotice {
    /// The owner notice cards, in order.
    pub fn cards(&self) -> Vec<serde_json::Value> {
        let findings: Vec<Finding> = self.accounts.iter().map(|a| a.finding.clone()).collect();
        let tickets: Vec<(ObjectId, Option<TicketRef>)> = self
            .accounts
            .iter()
            .map(|a| {
                (
                    a.finding.user_id,
                    a.ticket.as_ref().and_then(NoticeTicket::reference),
                )
            })
            .collect();
        owner_notice(
            &findings,
            &self.owner,
            &self.enforcement,
            &tickets,
            self.tenant,
        )
    }

    /// The messages to post, named `<run>-owner-<owner>-<i>of<n>`.
    pub fn messages(&self) -> Vec<Message> {
        let cards = self.cards();
        let n = cards.len();
        cards
            .into_iter()
            .enumerate()
            .map(|(i, card)| {
                let name = format!(
                    "{}-owner-{}-{}of{n}",
                    self.run.format("%Y%m%dT%H%M%SZ"),
                    self.subject(),
                    i + 1
                );
                Message::new(self.channel.clone(), &name, card)
            })
            .collect()
    }

    /// The owner as a safe, unique name: `platform_contoso.com-1a2b3c4d`.
    pub fn subject(&self) -> String {
        let who = self.owner.who.to_ascii_lowercase();
        format!("{}-{}", slug(&who, 60), short_hash(&who))
    }

    /// The account ids in the notice.
    pub fn user_ids(&self) -> impl Iterator<Item = ObjectId> + '_ {
        self.accounts.iter().map(|a| a.finding.user_id)
    }
}

/// A finding cut for a notice: evidence beyond [`MAX_EVIDENCE`] dropped.
pub fn trimmed(finding: &Finding) -> Finding {
    let mut f = finding.clone();
    f.evidence.truncate(MAX_EVIDENCE);
    f
}
