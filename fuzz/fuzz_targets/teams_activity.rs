//! The Bot Framework activity a Teams outgoing webhook posts to `/api/teams`, read the way
//! the chat handler reads it: the activity's fields, the replay window, the command text
//! with mentions and markup removed, and the command. The raw input is also parsed as a
//! message text, to reach the mention stripping and the command parser directly.

#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use stepup::teams::chat::activity::check_fresh;
use stepup::teams::chat::command::parse;
use stepup::teams::chat::text::command_text;
use stepup::teams::chat::Activity;

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    if let Ok(activity) = Activity::parse(data) {
        let _ = activity.sender_label();
        if let Some(now) = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).single() {
            let _ = check_fresh(activity.timestamp, now);
        }
        if let Ok(command) = parse(&command_text(&activity.text)) {
            let _ = command.verb();
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Err(e) = parse(&command_text(&text)) {
        // The reason is shown to the sender: one short line, whatever they typed.
        let reason = e.to_string();
        assert!(!reason.contains('\n'), "a reason spans lines: {reason:?}");
        assert!(reason.len() <= 1024, "a reason of {} bytes", reason.len());
    }
});
