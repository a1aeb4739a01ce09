//! The Functions host's invocation envelope (`{"Data": …, "Metadata": …}`) as the custom
//! handler receives it on `/<FunctionName>`, read the way the timer and queue handlers read
//! it: the timer value, the queue message with its metadata, and the message decoded into
//! the job and notification messages.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use stepup::functions::InvocationRequest;
use stepup::jobs::{JobMessage, NotifyMessage};
use stepup::teams::notify::NoticeMessage;

#[global_allocator]
static ALLOCATOR: stepup_fuzz::CappedAllocator = stepup_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = InvocationRequest::parse(data) else {
        return;
    };
    let _ = request.timer("timer");
    for binding in ["job", "notice"] {
        let Ok(message) = request.queue(binding) else {
            continue;
        };
        let _ = message.json::<Value>();
        let _ = message.json::<JobMessage>();
        let _ = message.json::<NotifyMessage>();
        let _ = message.json::<NoticeMessage>();
    }
});
