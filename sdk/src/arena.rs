//! The allocator a policy component runs with: what an evaluation allocates
//! comes from one contiguous arena, so the pages it writes are few and
//! next to each other, and the same ones from one evaluation to the next.
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
//! memory. The arena counts its blocks that are in use; memory is reused in
//! two cases only, both of which need no record of individual blocks:
//! - freeing the block that ends where the next one would start gives its
//!   bytes back (a stack's discipline: a temporary string dropped before the
//!   next allocation);
//! - when no block is in use any more, the arena starts again from its
//!   floor. That is the end of every evaluation of a pooled instance (the
//!   gate's post-return call frees the decision), so a warm instance works
//!   in the same few pages every time instead of filling the arena in some
//!   dozens of evaluations and allocating from the system allocator after.
//!
//! What outlives an evaluation (a cache a policy keeps: a memo built from
//! its settings, a compiled rule, a regular expression's scratch space)
//! would keep the count above zero for good. So when an evaluation starts
//! and the previous one never saw the arena empty, the floor is raised to
//! where the arena stands: what lies below is never handed out again, and
//! what is above is counted from zero. Safety rests on the count alone —
//! memory is only reused when every block at or above the floor has been
//! freed — and the floor costs at most one evaluation's worth of arena per
//! cache that appears. What does not fit in the arena goes to the system
//! allocator, as everything did before. Without a WebAssembly target none of
//! this exists.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// The arena's size: an evaluation of a bundled policy allocates tens of
/// KiB.
pub const ARENA_BYTES: usize = 1 << 20;

#[repr(C, align(16))]
struct Memory(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: a component instance runs one thread; the bytes are handed out
// by `Bump`, which never hands out a byte of a block in use.
unsafe impl Sync for Memory {}

static MEMORY: Memory = Memory(UnsafeCell::new([0; ARENA_BYTES]));

/// The arena's bookkeeping.
static BUMP: Bump = Bump::new();

/// Allocations from here on come from the arena while it has room.
pub(crate) fn start() {
    BUMP.on.store(true, Relaxed);
}

/// An evaluation starts: the arena is on, and its floor is raised above
/// what the previous evaluation left in use (see the module doc).
pub(crate) fn evaluation_starts() {
    BUMP.evaluation_starts();
}

/// Where a [`Bump`] hands out bytes from: `len` bytes at `base`.
#[derive(Clone, Copy)]
struct Region {
    base: *mut u8,
    len: usize,
}

impl Region {
    fn holds(&self, ptr: *mut u8) -> bool {
        (self.base as usize..self.base as usize + self.len).contains(&(ptr as usize))
    }

    fn offset(&self, ptr: *mut u8) -> usize {
        ptr as usize - self.base as usize
    }

    /// The byte at `offset`, which is at most `len`.
    fn at(&self, offset: usize) -> *mut u8 {
        self.base.wrapping_add(offset)
    }
}

/// An arena's bookkeeping over a [`Region`]: a bump pointer, a floor, and
/// the count of blocks in use above it. Atomics only so that it can be a
/// `static`; an instance runs one thread.
struct Bump {
    /// Offset of the first byte not handed out.
    used: AtomicUsize,
    /// Offset below which bytes are never handed out again: blocks that
    /// outlived an evaluation lie there. Never above `used`.
    floor: AtomicUsize,
    /// Blocks at or above `floor` handed out and not freed.
    live: AtomicUsize,
    /// Whether allocations come from the arena.
    on: AtomicBool,
    /// Whether an evaluation has started in this instance.
    evaluated: AtomicBool,
    /// Whether the arena was empty (and so started again from its floor)
    /// since the last evaluation started.
    emptied: AtomicBool,
}

impl Bump {
    const fn new() -> Bump {
        Bump {
            used: AtomicUsize::new(0),
            floor: AtomicUsize::new(0),
            live: AtomicUsize::new(0),
            on: AtomicBool::new(false),
            evaluated: AtomicBool::new(false),
            emptied: AtomicBool::new(false),
        }
    }

    fn evaluation_starts(&self) {
        self.on.store(true, Relaxed);
        if self.evaluated.load(Relaxed) && !self.emptied.load(Relaxed) {
            // Something the last evaluation allocated is still in use and
            // may stay so: leave it, and everything under it, below the floor.
            self.floor.store(self.used.load(Relaxed), Relaxed);
            self.live.store(0, Relaxed);
        }
        self.evaluated.store(true, Relaxed);
        self.emptied.store(false, Relaxed);
    }

    /// The offset of `layout`'s bytes in `region`, if the arena is on and
    /// they fit.
    fn bump(&self, region: Region, layout: Layout) -> Option<usize> {
        if !self.on.load(Relaxed) {
            return None;
        }
        let used = self.used.load(Relaxed);
        let base = region.base as usize;
        let start = (base + used).next_multiple_of(layout.align()) - base;
        let end = start.checked_add(layout.size())?;
        if end > region.len {
            return None;
        }
        self.used.store(end, Relaxed);
        self.live.fetch_add(1, Relaxed);
        Some(start)
    }

    /// The block of `size` bytes at `offset` is no longer in use.
    fn free(&self, offset: usize, size: usize) {
        if offset < self.floor.load(Relaxed) {
            return;
        }
        let live = self.live.load(Relaxed).saturating_sub(1);
        self.live.store(live, Relaxed);
        if live == 0 {
            // Nothing at or above the floor is in use.
            self.used.store(self.floor.load(Relaxed), Relaxed);
            self.emptied.store(true, Relaxed);
        } else if offset + size == self.used.load(Relaxed) {
            self.used.store(offset, Relaxed);
        }
    }

    /// Resizes the block at `offset` where it is, when it is the last one
    /// handed out (and above the floor) and the new size fits.
    fn resize_in_place(&self, region: Region, offset: usize, old: usize, new: usize) -> bool {
        let last = offset >= self.floor.load(Relaxed) && offset + old == self.used.load(Relaxed);
        if last && offset + new <= region.len {
            self.used.store(offset + new, Relaxed);
            return true;
        }
        false
    }

    /// `layout`'s bytes: from the arena, or else from the system allocator.
    ///
    /// # Safety
    /// `GlobalAlloc::alloc`'s contract; `region` is memory only this `Bump`
    /// hands out.
    unsafe fn alloc(&self, region: Region, layout: Layout) -> *mut u8 {
        match self.bump(region, layout) {
            Some(offset) => region.at(offset),
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    /// # Safety
    /// As [`Bump::alloc`].
    unsafe fn alloc_zeroed(&self, region: Region, layout: Layout) -> *mut u8 {
        match self.bump(region, layout) {
            Some(offset) => {
                let ptr = region.at(offset);
                // SAFETY: `layout.size()` bytes just handed out. Arena memory
                // is reused (and a snapshot may carry bytes in it): not zero.
                unsafe { ptr.write_bytes(0, layout.size()) };
                ptr
            }
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    /// # Safety
    /// `GlobalAlloc::dealloc`'s contract, for a block this `Bump` (over
    /// `region`) or the system allocator handed out.
    unsafe fn dealloc(&self, region: Region, ptr: *mut u8, layout: Layout) {
        if region.holds(ptr) {
            self.free(region.offset(ptr), layout.size());
        } else {
            // SAFETY: not arena memory, so the system allocator's.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// # Safety
    /// `GlobalAlloc::realloc`'s contract, as [`Bump::dealloc`].
    unsafe fn realloc(
        &self,
        region: Region,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        if !region.holds(ptr) {
            // SAFETY: not arena memory, so the system allocator's.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let offset = region.offset(ptr);
        if self.resize_in_place(region, offset, layout.size(), new_size) {
            return ptr;
        }
        // SAFETY: `realloc`'s contract makes this a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as `alloc`.
        let new = unsafe { self.alloc(region, new_layout) };
        if !new.is_null() {
            // SAFETY: both hold at least the smaller size, and the old block
            // is still in use, so the new one does not overlap it.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            self.free(offset, layout.size());
        }
        new
    }
}

/// The system allocator, with the arena in front of it once started.
pub struct Arena;

impl Arena {
    fn region() -> Region {
        Region {
            base: MEMORY.0.get().cast(),
            len: ARENA_BYTES,
        }
    }
}

// SAFETY: every pointer handed out is either arena memory no block in use
// holds, aligned and sized as asked, or the system allocator's; each is
// freed by its owner.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract; MEMORY is the arena's alone.
        unsafe { BUMP.alloc(Arena::region(), layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { BUMP.alloc_zeroed(Arena::region(), layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { BUMP.dealloc(Arena::region(), ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { BUMP.realloc(Arena::region(), ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests;
