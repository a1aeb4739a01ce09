//! Scan reports: the JSON contract and the human formats (table, Markdown, HTML, CSV).

pub mod model;
