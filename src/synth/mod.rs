//! Deterministic synthetic tenants in the export layout, with labelled personas.
