//! Action-group webhook bodies on `/api/service-health`: both schemas (common alert schema,
//! legacy activity-log alert) into one event, then what the handler does with an event —
//! recognising the enforcement notice, reading its date, its dedupe id. The raw input is
//! also read as a communication's text, to reach the HTML and date readers directly.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stepup::alerts::{dedupe_id, enforcement_date, parse_alert, text_of, NoticeMatcher};

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    let matcher = NoticeMatcher::new(&["YL9Q-1Z8".to_string()]);
    if let Ok(event) = parse_alert(data) {
        let _ = matcher.recognise(&event);
        let _ = enforcement_date(&event.text());
        let _ = dedupe_id(&event);
        let _ = event.published_at();
    }
    let text = String::from_utf8_lossy(data);
    let _ = enforcement_date(&text_of(&text));
    let _ = enforcement_date(&text);
});
