//! Chooses guidance for one finding by walking the tables in `rules` and filling the
//! catalog's tokens.

use crate::calendar::{EnforcementStatus, Phase2, MIN_AZURE_CLI, MIN_AZ_POWERSHELL};
use crate::detect::model::Finding;

use super::catalog::{self, StepId, ALWAYS_LINKS};
use super::model::{Guidance, Link, Snippet, Step};
use super::rules::{FALLBACK_HEADLINE, HEADLINE_RULES, STEP_RULES, UNBLOCK_RULES};

/// The guidance for `finding` in a tenant whose Phase 2 status is `enforcement`: steps
/// chosen by the signals, clients and CI systems seen, most relevant first, no duplicates.
pub fn for_finding(finding: &Finding, enforcement: &EnforcementStatus) -> Guidance {
    let tokens = Tokens::of(finding, enforcement);
    let step_ids = choose(STEP_RULES, finding, enforcement, &[]);
    let unblock_ids = choose(UNBLOCK_RULES, finding, enforcement, &step_ids);

    let mut links: Vec<Link> = Vec::new();
    let mut add_link = |(title, url): &(&str, &str)| {
        if !links.iter().any(|l| l.url == *url) {
            links.push(Link {
                title: (*title).to_owned(),
                url: (*url).to_owned(),
            });
        }
    };
    for id in step_ids.iter().chain(&unblock_ids) {
        catalog::template(*id).links.iter().for_each(&mut add_link);
    }
    ALWAYS_LINKS.iter().for_each(&mut add_link);

    let lead = HEADLINE_RULES
        .iter()
        .find(|(when, _)| when.holds(finding, enforcement))
        .map_or(FALLBACK_HEADLINE, |(_, text)| text);

    Guidance {
        headline: format!("{} ({})", tokens.apply(lead), urgency(enforcement)),
        steps: step_ids.iter().map(|id| tokens.step(*id)).collect(),
        unblock: unblock_ids.iter().map(|id| tokens.step(*id)).collect(),
        links,
    }
}

/// The steps of every row that holds, in table order, skipping `already` and repeats.
fn choose(
    rules: &[(super::rules::When, &[StepId])],
    finding: &Finding,
    enforcement: &EnforcementStatus,
    already: &[StepId],
) -> Vec<StepId> {
    let mut chosen: Vec<StepId> = Vec::new();
    for (when, ids) in rules {
        if when.holds(finding, enforcement) {
            for id in *ids {
                if !chosen.contains(id) && !already.contains(id) {
                    chosen.push(*id);
                }
            }
        }
    }
    chosen
}

/// How urgent: "these calls fail now" or the days left.
fn urgency(enforcement: &EnforcementStatus) -> String {
    if enforcement.enforced {
        format!("enforced since {}: these calls fail now", enforcement.date)
    } else {
        format!(
            "{} day{} left, enforced from {}",
            enforcement.days_left,
            if enforcement.days_left == 1 { "" } else { "s" },
            enforcement.date
        )
    }
}

/// Token values for one finding.
struct Tokens {
    pairs: Vec<(&'static str, String)>,
}

impl Tokens {
    fn of(finding: &Finding, enforcement: &EnforcementStatus) -> Self {
        let mut pairs = vec![
            (
                "@MIN_CLI@",
                format!("{}.{}", MIN_AZURE_CLI.0, MIN_AZURE_CLI.1),
            ),
            (
                "@MIN_AZ@",
                format!("{}.{}", MIN_AZ_POWERSHELL.0, MIN_AZ_POWERSHELL.1),
            ),
            ("@DATE@", enforcement.date.to_string()),
            (
                "@LAST_POSTPONE@",
                Phase2::last_postponement_date().to_string(),
            ),
        ];
        if let Some(upn) = &finding.upn {
            pairs.push(("<user-upn>", upn.clone()));
        }
        if let [only] = finding.subscriptions.iter().collect::<Vec<_>>().as_slice() {
            pairs.push(("<subscription-id>", only.to_string()));
        }
        Self { pairs }
    }

    fn apply(&self, text: &str) -> String {
        self.pairs
            .iter()
            .fold(text.to_owned(), |acc, (token, value)| {
                acc.replace(token, value)
            })
    }

    fn step(&self, id: StepId) -> Step {
        let t = catalog::template(id);
        Step {
            title: self.apply(t.title),
            text: self.apply(t.text),
            snippet: t.snippet.map(|(language, code)| Snippet {
                language,
                code: self.apply(code),
            }),
        }
    }
}
