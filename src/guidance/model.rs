//! What guidance looks like once chosen: a headline, ordered steps with snippets, the
//! immediate unblock and reading links.

use crate::ids::TenantId;

/// Migration guidance for one finding, most relevant step first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    /// One line: what to do and how urgent it is.
    pub headline: String,
    /// The durable fix, most relevant first, without duplicates.
    pub steps: Vec<Step>,
    /// What gets a blocked person or job through today.
    pub unblock: Vec<Step>,
    /// Further reading, without duplicates.
    pub links: Vec<Link>,
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// A short imperative title.
    pub title: String,
    /// Why and how, in a few sentences.
    pub text: String,
    /// Commands or configuration to copy, when there are any.
    pub snippet: Option<Snippet>,
}

/// Code to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The language for highlighting: `bash`, `powershell`, `yaml` or `hcl`.
    pub language: &'static str,
    /// The code; `<angle-bracket>` placeholders are left for the reader to fill in.
    pub code: String,
}

/// A link for further reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the page is.
    pub title: String,
    /// Where it is.
    pub url: String,
}

/// The placeholder the catalog uses for the tenant id.
pub(crate) const TENANT_PLACEHOLDER: &str = "<tenant-id>";

impl Guidance {
    /// Fills the `<tenant-id>` placeholder of every step with the tenant's id.
    pub fn for_tenant(mut self, tenant: &TenantId) -> Self {
        let id = tenant.to_string();
        for step in self.steps.iter_mut().chain(self.unblock.iter_mut()) {
            step.fill(TENANT_PLACEHOLDER, &id);
        }
        self
    }

    /// Every step, durable fixes first, then the unblock.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().chain(self.unblock.iter())
    }
}

impl Step {
    /// Replaces `placeholder` with `value` in the text and the snippet.
    pub(crate) fn fill(&mut self, placeholder: &str, value: &str) {
        self.title = self.title.replace(placeholder, value);
        self.text = self.text.replace(placeholder, value);
        if let Some(snippet) = &mut self.snippet {
            snippet.code = snippet.code.replace(placeholder, value);
        }
    }
}
