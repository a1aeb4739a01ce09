//! One page of a Graph or ARM collection: `{"value": [...], "@odata.nextLink": "…"}` (Graph)
//! or `{"value": [...], "nextLink": "…"}` (ARM). Records stay raw JSON until the job parses
//! them one by one, so that one malformed record is one problem, not a lost page.

use serde::Deserialize;
use serde_json::value::RawValue;

/// A parsed page.
#[derive(Debug, Default)]
pub struct Page {
    /// The records, unparsed.
    pub items: Vec<Box<RawValue>>,
    /// The next page, when there is one.
    pub next_link: Option<String>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    value: Option<Vec<Box<RawValue>>>,
    #[serde(default, rename = "@odata.nextLink")]
    odata_next_link: Option<String>,
    #[serde(default, rename = "nextLink")]
    next_link: Option<String>,
}

impl Page {
    /// Parses a page body.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let wire: Wire = serde_json::from_slice(body).map_err(|e| format!("not a page: {e}"))?;
        let items = wire
            .value
            .ok_or_else(|| "the page has no \"value\" array".to_string())?;
        let next_link = wire
            .odata_next_link
            .or(wire.next_link)
            .filter(|l| !l.trim().is_empty());
        Ok(Self { items, next_link })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_graph_and_arm_pages() {
        let g = Page::parse(
            br#"{"@odata.context":"x","@odata.nextLink":"https://graph/next","value":[{"a":1},{"b":2}]}"#,
        )
        .unwrap();
        assert_eq!(g.items.len(), 2);
        assert_eq!(g.items[1].get(), r#"{"b":2}"#);
        assert_eq!(g.next_link.as_deref(), Some("https://graph/next"));
        let a = Page::parse(br#"{"value":[],"nextLink":null}"#).unwrap();
        assert!(a.items.is_empty() && a.next_link.is_none());
        let last = Page::parse(br#"{"value":[{}],"nextLink":""}"#).unwrap();
        assert!(last.next_link.is_none());
    }

    #[test]
    fn rejects_what_is_not_a_page() {
        assert!(Page::parse(b"<html>")
            .unwrap_err()
            .starts_with("not a page"));
        assert!(Page::parse(br#"{"error":{}}"#)
            .unwrap_err()
            .contains("no \"value\""));
        assert!(Page::parse(br#"{"value":[{"a":1},"#).is_err());
    }
}
