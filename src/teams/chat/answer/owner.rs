//! `owner <upn|me>`: the accounts an owner has at risk, most severe first.

use serde_json::Value;

use super::super::activity::Activity;
use super::super::command::Target;
use super::super::index::ChatIndex;
use super::super::service::ChatService;
use super::{card, sender_id, when, MAX_LINES};

/// Lists the owner's at-risk accounts from the index.
pub(super) async fn answer(
    chat: &ChatService,
    activity: &Activity,
    index: &ChatIndex,
    target: &Target,
) -> Value {
    let (shown, names) = match target {
        Target::Upn(upn) => (upn.clone(), vec![upn.clone()]),
        Target::Me | Target::Id(_) => {
            let id = match target {
                Target::Id(id) => *id,
                _ => match sender_id(activity) {
                    Ok(id) => id,
                    Err(card) => return card,
                },
            };
            let mut names = vec![id.to_string()];
            match chat.directory.upn_and_mail_of(&id).await {
                Ok(Some(person)) => names.extend(person.names().iter().map(|n| n.to_string())),
                Ok(None) => {}
                Err(e) => return card("Cannot tell who that is", vec![e.to_string()]),
            }
            let shown = if matches!(target, Target::Me) {
                "You".to_string()
            } else {
                names.get(1).cloned().unwrap_or_else(|| id.to_string())
            };
            (shown, names)
        }
    };
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let owned = index.owned_by(&refs);
    let scan = when(index.generated_at);
    if owned.is_empty() {
        return card(
            &format!("{shown}: nothing at risk"),
            vec![format!(
                "No account at risk in the latest scan ({scan}) has {} as its owner.",
                if shown == "You" {
                    "you"
                } else {
                    shown.as_str()
                }
            )],
        );
    }
    let mut lines: Vec<String> = owned
        .iter()
        .take(MAX_LINES)
        .map(|a| {
            format!(
                "{} — {} — {}",
                a.severity.as_str(),
                a.name(),
                a.signal_list()
            )
        })
        .collect();
    if owned.len() > MAX_LINES {
        lines.push(format!(
            "…and {} more (the digest and the tickets list them all).",
            owned.len() - MAX_LINES
        ));
    }
    lines.push(format!(
        "From the scan of {scan}. `status <upn>` shows one account's ticket."
    ));
    card(
        &format!(
            "{shown}: {} account{} at risk",
            owned.len(),
            if owned.len() == 1 { "" } else { "s" }
        ),
        lines,
    )
}
