//! Microsoft Teams: Adaptive Cards (owner notices, enforcement broadcasts, the weekly digest,
//! chat replies) and their delivery through Workflows / incoming webhooks.
