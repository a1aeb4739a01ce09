//! What the fuzz targets share: an allocator that refuses any single allocation over
//! [`MAX_ALLOCATION`], so that an input that makes a parser ask for unbounded memory is a
//! crash. (libFuzzer's own `-malloc_limit_mb` works through a sanitizer's malloc hooks; the
//! smoke run builds without a sanitizer, and Rust code gains little from one.)

use std::alloc::{GlobalAlloc, Layout, System};

/// The largest single allocation a target may make: 128 MiB, some 500 times the largest
/// body an endpoint accepts (256 KiB).
pub const MAX_ALLOCATION: usize = 128 << 20;

/// The system allocator, refusing allocations over [`MAX_ALLOCATION`]. Rust then reports
/// "memory allocation of N bytes failed" and aborts, which libFuzzer records as a crash
/// with its input.
pub struct CappedAllocator;

// SAFETY: every call is passed on to `System` unchanged, or fails with a null pointer,
// which `GlobalAlloc` allows for any request.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's guarantees for `layout` hold for `System` too.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` through this allocator, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
