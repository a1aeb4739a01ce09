//! `STEPUP_STORAGE_QUEUE_URL`: the queue endpoint of the function app's storage account.

use azure_core::http::Url;

/// Setting: the queue endpoint.
pub const QUEUE_URL_VAR: &str = "STEPUP_STORAGE_QUEUE_URL";

/// Checks a queue endpoint: https (plain http only on loopback, for the emulator), no
/// credentials, query (SAS) or fragment. A trailing slash is dropped.
pub fn parse_queue_url(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => {
            return Err(format!(
                "must be an https URL (got scheme {other:?}); plain http only on 127.0.0.1 or localhost"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(
            "must be the bare queue endpoint, without credentials, query (SAS) or fragment".into(),
        );
    }
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty();
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        assert_eq!(
            parse_queue_url("https://acct.queue.core.windows.net/")
                .unwrap()
                .as_str(),
            "https://acct.queue.core.windows.net/"
        );
        assert_eq!(
            parse_queue_url("https://127.0.0.1:10001/devstoreaccount1/")
                .unwrap()
                .as_str(),
            "https://127.0.0.1:10001/devstoreaccount1"
        );
        assert!(parse_queue_url("http://localhost:10001/devstoreaccount1").is_ok());
        for bad in [
            "http://acct.queue.core.windows.net",
            "https://acct.queue.core.windows.net/?sv=1&sig=x",
            "queue",
        ] {
            assert!(parse_queue_url(bad).is_err(), "{bad}");
        }
    }
}
