//! The arena's bookkeeping on memory of each test's own (a `Bump` is
//! independent of the static one), so the tests run side by side.

use super::*;

/// A `Bump` over a buffer of its own, on.
struct Test {
    memory: Vec<u128>,
    bump: Bump,
}

impl Test {
    fn new(bytes: usize) -> Test {
        let t = Test {
            memory: vec![0; bytes / 16],
            bump: Bump::new(),
        };
        t.bump.on.store(true, Relaxed);
        t
    }

    fn region(&mut self) -> Region {
        Region {
            base: self.memory.as_mut_ptr().cast(),
            len: self.memory.len() * 16,
        }
    }

    fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
        let region = self.region();
        let ptr = unsafe { self.bump.alloc(region, layout(size, align)) };
        assert!(!ptr.is_null());
        assert_eq!(ptr as usize % align, 0);
        ptr
    }

    fn free(&mut self, ptr: *mut u8, size: usize, align: usize) {
        let region = self.region();
        unsafe { self.bump.dealloc(region, ptr, layout(size, align)) }
    }

    fn realloc(&mut self, ptr: *mut u8, size: usize, align: usize, new: usize) -> *mut u8 {
        let region = self.region();
        unsafe { self.bump.realloc(region, ptr, layout(size, align), new) }
    }

    fn holds(&mut self, ptr: *mut u8) -> bool {
        self.region().holds(ptr)
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

fn bytes<'a>(ptr: *mut u8, len: usize) -> &'a [u8] {
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

#[test]
fn bumps_aligned_blocks_grows_the_last_in_place_and_falls_back_when_full() {
    let mut t = Test::new(4096);
    // Off: the system allocator's.
    t.bump.on.store(false, Relaxed);
    let sys = t.alloc(24, 8);
    assert!(!t.holds(sys));
    t.bump.on.store(true, Relaxed);
    let first = t.alloc(3, 1);
    let second = t.alloc(16, 16);
    assert!(t.holds(first) && t.holds(second));
    assert!(second as usize >= first as usize + 3);
    unsafe { second.write_bytes(7, 16) };
    // The last block grows in place; an earlier one moves, keeping its bytes.
    assert_eq!(t.realloc(second, 16, 16, 64), second);
    unsafe { first.write_bytes(9, 3) };
    let moved = t.realloc(first, 3, 1, 10);
    assert_ne!(moved, first);
    assert_eq!(bytes(moved, 3), [9, 9, 9]);
    assert_eq!(bytes(second, 16), [7; 16]);
    // What does not fit goes to the system allocator, and back to it.
    let big = t.alloc(8192, 8);
    assert!(!t.holds(big));
    let moved_out = t.realloc(moved, 10, 1, 8192);
    assert!(!t.holds(moved_out));
    assert_eq!(bytes(moved_out, 3), [9, 9, 9]);
    t.free(moved_out, 8192, 1);
    t.free(big, 8192, 8);
    t.free(sys, 24, 8);
    t.free(second, 64, 16);
}

/// The only test of the static arena (the others have a `Bump` each).
#[test]
fn the_global_arena_hands_out_its_static_memory_once_started() {
    let region = Arena::region();
    let a = Arena;
    let before = unsafe { a.alloc(layout(8, 8)) };
    assert!(!region.holds(before), "off until started");
    start();
    evaluation_starts();
    let block = unsafe { a.alloc_zeroed(layout(100, 16)) };
    assert!(region.holds(block));
    let grown = unsafe { a.realloc(block, layout(100, 16), 200) };
    assert_eq!(grown, block);
    unsafe {
        a.dealloc(grown, layout(200, 16));
        a.dealloc(before, layout(8, 8));
    }
    assert_eq!(unsafe { a.alloc(layout(1, 1)) }, block);
}

#[test]
fn freeing_the_last_block_gives_its_bytes_back() {
    let mut t = Test::new(4096);
    let kept = t.alloc(40, 8);
    let temporary = t.alloc(100, 8);
    t.free(temporary, 100, 8);
    assert_eq!(t.alloc(8, 8), temporary);
    // An earlier block's bytes stay handed out until the arena is empty.
    let last = t.alloc(8, 8);
    t.free(kept, 40, 8);
    assert!(t.alloc(8, 8) > last);
}

#[test]
fn an_empty_arena_starts_again_from_its_floor() {
    let mut t = Test::new(1 << 16);
    let mut first_blocks = Vec::new();
    for _ in 0..100 {
        // A pooled evaluation: the host's arguments, the policy's work, the
        // decision, all freed by the end (the decision by post-return).
        t.bump.evaluation_starts();
        let argument = t.alloc(300, 1);
        let work: Vec<*mut u8> = (0..20).map(|_| t.alloc(64, 8)).collect();
        let decision = t.alloc(50, 4);
        t.free(argument, 300, 1);
        for w in work {
            t.free(w, 64, 8);
        }
        t.free(decision, 50, 4);
        first_blocks.push(argument);
    }
    // Every evaluation worked in the same bytes; a hundred of them would
    // not have fitted without reuse.
    assert!(first_blocks.iter().all(|&b| b == first_blocks[0]));
    assert_eq!(t.bump.used.load(Relaxed), 0);
}

#[test]
fn what_outlives_an_evaluation_is_left_below_the_floor() {
    let mut t = Test::new(1 << 16);
    t.bump.evaluation_starts();
    let argument = t.alloc(200, 1);
    // A cache the policy keeps from the first evaluation on.
    let cache = t.alloc(64, 8);
    unsafe { cache.write_bytes(0xCA, 64) };
    t.free(argument, 200, 1);
    // The cache is the last block: a later one may grow it in place.
    let cache = t.realloc(cache, 64, 8, 96);
    unsafe { cache.write_bytes(0xCA, 96) };
    let mut firsts = Vec::new();
    for _ in 0..50 {
        t.bump.evaluation_starts();
        let argument = t.alloc(200, 1);
        let work = t.alloc(500, 8);
        unsafe { work.write_bytes(0xEE, 500) };
        t.free(work, 500, 8);
        t.free(argument, 200, 1);
        firsts.push(argument);
    }
    assert_eq!(bytes(cache, 96), [0xCA; 96]);
    // The second evaluation raised the floor above the cache; every later
    // one reused the same bytes above it.
    assert!(firsts[0] > cache);
    assert!(firsts[1..].iter().all(|&b| b == firsts[1]));
    assert!(firsts[1] > cache);
    // Freed now, the cache's bytes are below the floor: never handed out.
    t.free(cache, 96, 8);
    t.bump.evaluation_starts();
    assert!(t.alloc(8, 1) > cache);
}

#[test]
fn a_block_below_the_floor_is_never_resized_in_place() {
    let mut t = Test::new(4096);
    t.bump.evaluation_starts();
    let cache = t.alloc(32, 8);
    t.bump.evaluation_starts();
    // The cache ends where the arena stands, but below the floor now: the
    // bytes above belong to what is counted from zero.
    let grown = t.realloc(cache, 32, 8, 64);
    assert_ne!(grown, cache);
    let next = t.alloc(8, 8);
    assert!(next as usize >= grown as usize + 64);
}

#[test]
fn zeroed_blocks_are_zero_on_reused_memory() {
    let mut t = Test::new(4096);
    let dirty = t.alloc(64, 8);
    unsafe { dirty.write_bytes(0xFF, 64) };
    t.free(dirty, 64, 8);
    let region = t.region();
    let zeroed = unsafe { t.bump.alloc_zeroed(region, layout(64, 8)) };
    assert_eq!(zeroed, dirty);
    assert_eq!(bytes(zeroed, 64), [0; 64]);
}

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// A block the model holds: where, how big, its alignment, the byte it
/// was filled with, and whether it outlives evaluations (a cache).
struct Block {
    ptr: *mut u8,
    size: usize,
    align: usize,
    fill: u8,
    lasting: bool,
}

#[test]
fn blocks_in_use_never_overlap_and_keep_their_bytes_under_any_sequence() {
    let mut reused = 0;
    for seed in 1..=20u64 {
        // Small enough that some blocks go to the system allocator.
        let mut t = Test::new(1 << 14);
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut blocks: Vec<Block> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        t.bump.evaluation_starts();
        for step in 0..4000 {
            let fill = (step % 251) as u8;
            match rng.below(12) {
                // An evaluation ends (its blocks freed in any order, the
                // caches kept) and the next starts.
                0 => {
                    let mut i = 0;
                    while i < blocks.len() {
                        if blocks[i].lasting || rng.below(20) == 0 {
                            i += 1;
                            continue;
                        }
                        let b = blocks.swap_remove(i);
                        t.free(b.ptr, b.size, b.align);
                    }
                    t.bump.evaluation_starts();
                }
                1..=5 => {
                    let size = 1 + rng.below(400);
                    let align = 1 << rng.below(5);
                    let ptr = t.alloc(size, align);
                    if t.holds(ptr) && !seen.insert(ptr) {
                        reused += 1;
                    }
                    unsafe { ptr.write_bytes(fill, size) };
                    let lasting = rng.below(100) == 0;
                    blocks.push(Block {
                        ptr,
                        size,
                        align,
                        fill,
                        lasting,
                    });
                }
                6..=8 if !blocks.is_empty() => {
                    // Mostly the newest block, as programs free.
                    let i = if rng.below(2) == 0 {
                        blocks.len() - 1
                    } else {
                        rng.below(blocks.len())
                    };
                    let b = blocks.swap_remove(i);
                    t.free(b.ptr, b.size, b.align);
                }
                9 | 10 if !blocks.is_empty() => {
                    let i = rng.below(blocks.len());
                    let new = 1 + rng.below(600);
                    let (ptr, size, align, old_fill) = (
                        blocks[i].ptr,
                        blocks[i].size,
                        blocks[i].align,
                        blocks[i].fill,
                    );
                    let moved = t.realloc(ptr, size, align, new);
                    assert_eq!(moved as usize % align, 0);
                    assert!(
                        bytes(moved, size.min(new)).iter().all(|&x| x == old_fill),
                        "seed {seed} step {step}: realloc lost bytes"
                    );
                    unsafe { moved.write_bytes(fill, new) };
                    (blocks[i].ptr, blocks[i].size, blocks[i].fill) = (moved, new, fill);
                }
                _ => {}
            }
            for b in &blocks {
                assert!(
                    bytes(b.ptr, b.size).iter().all(|&x| x == b.fill),
                    "seed {seed} step {step}: a block in use was overwritten"
                );
            }
        }
        // Emptied, the arena starts again from its floor.
        for b in blocks.drain(..) {
            t.free(b.ptr, b.size, b.align);
        }
        assert_eq!(
            t.bump.used.load(Relaxed),
            t.bump.floor.load(Relaxed),
            "seed {seed}"
        );
    }
    // The sequences did reuse arena memory, so the checks above bit.
    assert!(reused > 1000, "only {reused} blocks handed out again");
}
