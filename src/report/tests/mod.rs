//! Rendering tests: every format over a hand-made scan covering every signal, both
//! enforcement states and an incomplete scan.

mod csv_rows;
mod fixture;
mod html_page;
mod json_contract;
mod markdown_report;
mod scan_filter;
mod terminal_table;
