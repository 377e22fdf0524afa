//! The allocator a policy component runs with: what an evaluation allocates
//! comes from one contiguous arena, so the pages it writes are few and
//! next to each other.
//!
//! Why: the gate starts every evaluation from a snapshot of the instance
//! taken after the policy parsed its settings ([`crate::memo`], the gate's
//! pre-initialisation), whose heap is full of chunks freed while the settings
//! were parsed. The system allocator fills those first, so the arguments of
//! one evaluation (the action, the session's recent actions) land on dozens
//! of pages scattered over the heap. The gate's pooling allocator resets an
//! instance's memory by copying back the pages it wrote, but only in a
//! bounded number of contiguous runs; the rest it unmaps, and the next
//! instance in that slot takes a copy-on-write fault on each of them, with
//! a TLB shootdown across the gate's threads. Measured with the bundled set
//! and a session of 16 recent actions: 24 page faults an evaluation.
//!
//! So once the policy has validated its settings (the gate's last call before
//! the snapshot), allocations are bumped from [`ARENA_BYTES`] of static
//! memory, never reused: an instance lives for one evaluation (or, pooled, a
//! bounded number of them), so reuse buys nothing. Freeing arena memory does
//! nothing; what does not fit in the arena goes to the system allocator, as
//! everything did before. Without a WebAssembly target none of this exists.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The arena's size: an evaluation of a bundled policy allocates tens of
/// KiB; a pooled instance fills it in some dozens of evaluations and then
/// allocates as before.
pub const ARENA_BYTES: usize = 1 << 20;

#[repr(C, align(16))]
struct Memory(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: a component instance runs one thread; the bytes are handed out
// once each by `bump` and never aliased.
unsafe impl Sync for Memory {}

static MEMORY: Memory = Memory(UnsafeCell::new([0; ARENA_BYTES]));
/// Bytes of the arena handed out.
static USED: AtomicUsize = AtomicUsize::new(0);
/// Whether allocations come from the arena.
static ON: AtomicBool = AtomicBool::new(false);

/// Allocations from here on come from the arena while it has room.
pub(crate) fn start() {
    ON.store(true, Ordering::Relaxed);
}

/// The system allocator, with the arena in front of it once started.
pub struct Arena;

impl Arena {
    fn base() -> usize {
        MEMORY.0.get() as usize
    }

    fn holds(ptr: *mut u8) -> bool {
        (Arena::base()..Arena::base() + ARENA_BYTES).contains(&(ptr as usize))
    }

    /// `layout`'s bytes from the arena, if it is on and they fit.
    fn bump(layout: Layout) -> Option<*mut u8> {
        if !ON.load(Ordering::Relaxed) {
            return None;
        }
        let used = USED.load(Ordering::Relaxed);
        let start = (Arena::base() + used).next_multiple_of(layout.align()) - Arena::base();
        let end = start.checked_add(layout.size())?;
        if end > ARENA_BYTES {
            return None;
        }
        USED.store(end, Ordering::Relaxed);
        // SAFETY: `start..end` lies inside MEMORY and was never handed out.
        Some(unsafe { (MEMORY.0.get() as *mut u8).add(start) })
    }
}

// SAFETY: every pointer handed out is either fresh arena memory, aligned and
// sized as asked, or the system allocator's; each is freed by its owner.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Arena::bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Arena::bump(layout) {
            Some(ptr) => {
                // SAFETY: fresh arena memory of `layout.size()` bytes. The
                // arena starts zeroed, but a snapshot may carry bytes in it.
                unsafe { ptr.write_bytes(0, layout.size()) };
                ptr
            }
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !Arena::holds(ptr) {
            // SAFETY: not arena memory, so the system allocator's.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !Arena::holds(ptr) {
            // SAFETY: not arena memory, so the system allocator's.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // The last allocation grows (or shrinks) in place.
        let offset = ptr as usize - Arena::base();
        if offset + layout.size() == USED.load(Ordering::Relaxed)
            && offset + new_size <= ARENA_BYTES
        {
            USED.store(offset + new_size, Ordering::Relaxed);
            return ptr;
        }
        // SAFETY: `realloc`'s contract makes this a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both hold at least the smaller size and do not overlap
            // (the new block was handed out after the old one).
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_aligned_blocks_grows_the_last_in_place_and_falls_back_when_full() {
        let a = Arena;
        let layout = |size, align| Layout::from_size_align(size, align).unwrap();
        // Off: the system allocator's.
        let sys = unsafe { a.alloc(layout(24, 8)) };
        assert!(!Arena::holds(sys));
        start();
        let first = unsafe { a.alloc(layout(3, 1)) };
        let second = unsafe { a.alloc(layout(16, 16)) };
        assert!(Arena::holds(first) && Arena::holds(second));
        assert_eq!(second as usize % 16, 0);
        assert!(second as usize >= first as usize + 3);
        unsafe { second.write_bytes(7, 16) };
        // The last block grows in place; an earlier one moves, keeping its bytes.
        let grown = unsafe { a.realloc(second, layout(16, 16), 64) };
        assert_eq!(grown, second);
        unsafe { first.write_bytes(9, 3) };
        let moved = unsafe { a.realloc(first, layout(3, 1), 10) };
        assert_ne!(moved, first);
        assert_eq!(unsafe { std::slice::from_raw_parts(moved, 3) }, [9, 9, 9]);
        // Zeroed memory is zero; freeing arena memory is a no-op.
        let zeroed = unsafe { a.alloc_zeroed(layout(32, 8)) };
        assert!(
            unsafe { std::slice::from_raw_parts(zeroed, 32) }
                .iter()
                .all(|&b| b == 0)
        );
        unsafe { a.dealloc(zeroed, layout(32, 8)) };
        // What does not fit goes to the system allocator, and back to it.
        let big = unsafe { a.alloc(layout(ARENA_BYTES, 8)) };
        assert!(!big.is_null() && !Arena::holds(big));
        let moved_out = unsafe { a.realloc(moved, layout(10, 1), ARENA_BYTES) };
        assert!(!Arena::holds(moved_out));
        assert_eq!(
            unsafe { std::slice::from_raw_parts(moved_out, 3) },
            [9, 9, 9]
        );
        unsafe {
            a.dealloc(moved_out, layout(ARENA_BYTES, 1));
            a.dealloc(big, layout(ARENA_BYTES, 8));
            a.dealloc(sys, layout(24, 8));
        }
    }
}
