//! Migration guidance as data, chosen per finding.
