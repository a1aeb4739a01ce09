//! Scan reports: the JSON contract (`model`) and the human formats (table, Markdown, HTML,
//! CSV), all rendered through [`render`] from a [`Scan`].

mod csv_rows;
mod format;
mod html;
pub mod labels;
mod markdown;
pub mod model;
mod render;
mod scan;
mod table;

pub use csv_rows::CSV_HEADER;
pub use format::{Format, UnknownFormat};
pub use render::render;
pub use scan::Scan;

#[cfg(test)]
mod tests;
