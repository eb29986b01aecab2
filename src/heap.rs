//! The WebAssembly heap: a size-class allocator in a few hundred bytes of code.
//!
//! std's default allocator for wasm32 (dlmalloc) is ~7 KB of code, paid by every visitor.
//! keksi's allocations are small and short-lived (strings of a URL, a cookie, a config), so
//! a segregated free list does as well: every block is rounded up to a power of two, freed
//! blocks go onto the list of their size and are reused first, fresh ones are cut from
//! pages taken with `memory.grow`. `dealloc` is told the size, so blocks carry no header.
//! The price is up to 2× memory for odd sizes, which is nothing at keksi's scale.
//!
//! wasm32 without the atomics feature is single-threaded, which is what makes the
//! unsynchronised state sound.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Smallest block: 2^3 = 8 bytes, room for the free-list link.
const MIN_CLASS: usize = 3;
/// Blocks are cut aligned to their size up to this, enough for every Rust type here.
const MAX_ALIGN: usize = 16;
const PAGE: usize = 65536;

struct State {
    /// Head of the free list per class (block size 2^class).
    free: [*mut u8; 32],
    /// The unused rest of the last page run taken from the host.
    next: usize,
    end: usize,
}

/// The allocator installed as `#[global_allocator]` in the wasm32 build.
pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown without atomics has exactly one thread.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap; pages are taken on first use.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State {
            free: [null_mut(); 32],
            next: 0,
            end: 0,
        }))
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The class whose block fits `layout`: ceil(log2(max(size, align, 8))).
fn class_of(layout: &Layout) -> usize {
    let need = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    (usize::BITS - (need - 1).leading_zeros()) as usize
}

impl State {
    unsafe fn cut(&mut self, class: usize) -> *mut u8 {
        let size = 1usize << class;
        let align = size.min(MAX_ALIGN);
        let mut start = (self.next + align - 1) & !(align - 1);
        if start + size > self.end || self.end == 0 {
            let pages = (size + align).div_ceil(PAGE);
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            let base = old * PAGE;
            // Contiguous with the old run: keep its tail; else start afresh.
            if base != self.end {
                self.next = base;
            }
            self.end = base + pages * PAGE;
            start = (self.next + align - 1) & !(align - 1);
        }
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let state = &mut *self.0.get();
        if layout.align() > MAX_ALIGN {
            return null_mut();
        }
        let class = class_of(&layout);
        let head = state.free[class];
        if !head.is_null() {
            state.free[class] = *(head as *mut *mut u8);
            return head;
        }
        state.cut(class)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let state = &mut *self.0.get();
        let class = class_of(&layout);
        *(ptr as *mut *mut u8) = state.free[class];
        state.free[class] = ptr;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        // Still fits its block (a Vec or String growing within its power of two).
        if class_of(&new) == class_of(&layout) {
            return ptr;
        }
        let fresh = self.alloc(new);
        if !fresh.is_null() {
            core::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        fresh
    }
}
