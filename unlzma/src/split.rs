//! A filter that makes WebAssembly code pack smaller, like xz's BCJ filters do for machine
//! code: the code section's instructions are pulled apart into streams of one kind each
//! (opcodes, local indices, constants, addresses, offsets, ...) and packed one after the
//! other. LZMA then finds the repeats within each kind, which the interleaving hid: keksi's
//! module packs ~4.9 KB (5.5%) smaller (measured with `xz` when this was added).
//!
//! One walk over the code section, written once and run in both directions through [`Io`]:
//! splitting reads the module and appends to the streams; joining reads the streams and
//! writes the module. So the two cannot disagree about where an instruction's bytes go.
//!
//! Layout of a split module: LEB128 lengths of the prefix (the module up to the code
//! section's content) and of each stream, then the prefix, the streams in order, and the
//! rest of the module after the code section as it is.

use super::Error;

/// The streams, one per kind of bytes; their order is their order in the split module.
/// Call targets, block types, memory alignments and the rarer immediates stay with the
/// opcodes: with them, they repeat as a whole (measured: ~0.8 KB smaller packed than
/// in streams of their own).
const OP: usize = 0;
const LOCAL: usize = 1;
const I32: usize = 2;
const OFFSET: usize = 3;
const LABEL: usize = 4;
const GLOBAL: usize = 5;
pub(crate) const HEAD: usize = 6;
const WIDE: usize = 7;
/// i32 constants of four LEB128 bytes or more: addresses in memory, mostly, which repeat
/// among themselves (~0.4 KB smaller packed than among the small constants). The opcode
/// stream marks them with [`FAR_CONST`].
const FAR: usize = 8;
/// How many streams there are.
pub const STREAMS: usize = 9;

/// In the opcode stream, `i32.const` with its value in the [`FAR`] stream; `0x06` is not an
/// instruction this filter otherwise accepts.
const FAR_CONST: u8 = 0x06;

/// One direction of the walk: moves a byte of the given stream between the module and
/// that stream, and says where in the module the walk is. A failure sticks: the position
/// becomes [`FAILED`], which ends every loop of the walk. (Not `Result`: in the decoder,
/// which the page carries unpacked, passing results through memory cost ~0.5 KB.)
pub trait Io {
    /// Moves the next byte of stream `s` and returns it; 0 once failed.
    fn byte(&mut self, s: usize) -> u8;
    /// Moves the next opcode and returns it as the opcode stream has it: [`FAR_CONST`] for
    /// an `i32.const` whose value goes to the [`FAR`] stream.
    fn op(&mut self) -> u8;
    /// The position in the whole module, or [`FAILED`].
    fn pos(&self) -> usize;
    /// Marks the walk failed.
    fn fail(&mut self);
}

/// The position of a failed walk: past every end.
pub const FAILED: usize = usize::MAX;

/// Moves one LEB128 number (at most 10 bytes) of stream `s`; returns its low 32 bits.
fn leb(io: &mut impl Io, s: usize) -> u32 {
    let (mut v, mut shift) = (0u32, 0);
    loop {
        let b = io.byte(s);
        if shift < 32 {
            v |= ((b & 0x7f) as u32) << shift;
        }
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
        if shift >= 70 {
            io.fail();
            return 0;
        }
    }
}

/// Moves `n` numbers of stream `s`, fewer if the walk fails (a damaged count can be huge).
fn lebs(io: &mut impl Io, s: usize, n: u32) {
    for _ in 0..n {
        if io.pos() == FAILED {
            return;
        }
        leb(io, s);
    }
}

/// The code section's content: the function count, then each body.
pub fn code(io: &mut impl Io) {
    for _ in 0..leb(io, HEAD) {
        // A failed walk stops here: a damaged count could ask for billions of bodies.
        if io.pos() == FAILED {
            return;
        }
        let size = leb(io, HEAD) as usize;
        let end = io.pos().saturating_add(size);
        // Runs of locals: how many, and their type.
        let runs = leb(io, HEAD);
        lebs(io, HEAD, runs.saturating_mul(2));
        while io.pos() < end {
            instruction(io);
        }
        if io.pos() != end {
            io.fail();
            return;
        }
    }
}

/// What follows each opcode: the stream (low 4 bits) and how many LEB128 numbers of it
/// (the next 2 bits), plus the flags below. Block types, value and heap types
/// and the zero bytes of memory instructions are LEB-shaped (one byte under 0x80, or a
/// type index), so they move as LEB128 too. A table, not a `match`: in the decoder
/// (shipped base64'd, unpacked) 512 bytes of data cost less than the code of a jump table.
static SHAPES: [u16; 256] = {
    let mut t = [0; 256];
    let mut op = 0;
    while op < 256 {
        t[op] = shape(op as u8);
        op += 1;
    }
    t
};
/// First a count of stream `s`, then that many numbers more.
const VEC: u16 = 1 << 6;
/// Raw little-endian bytes, four per number: the float constants.
const RAW: u16 = 1 << 7;
/// First one number of the opcode stream: a memory alignment, or 0xfc's sub-opcode.
const PRE: u16 = 1 << 8;
/// Not an instruction this filter knows.
const BAD: u16 = VEC | RAW;

const fn shape(op: u8) -> u16 {
    const fn n(count: u16, s: usize) -> u16 {
        count << 4 | s as u16
    }
    match op {
        // unreachable, nop, else, end, return, drop, select, ref.is_null, numeric.
        0x00 | 0x01 | 0x05 | 0x0b | 0x0f | 0x1a | 0x1b | 0x45..=0xc4 | 0xd1 => 0,
        // block, loop, if (block type); call, ref.func; table.get/set; memory.size/grow;
        // ref.null: with the opcodes, they repeat as a whole (~0.8 KB smaller packed).
        0x02..=0x04 | 0x10 | 0xd2 | 0x25 | 0x26 | 0x3f | 0x40 | 0xd0 => n(1, OP),
        0x0c | 0x0d => n(1, LABEL),
        // br_table: a count of labels, then one more (the default).
        0x0e => VEC | n(1, LABEL),
        // call_indirect: type and table.
        0x11 => n(2, OP),
        // select with types.
        0x1c => VEC | n(0, OP),
        0x20..=0x22 => n(1, LOCAL),
        0x23 | 0x24 => n(1, GLOBAL),
        // loads and stores: alignment, then offset.
        0x28..=0x3e => PRE | n(1, OFFSET),
        0x41 => n(1, I32),
        FAR_CONST => n(1, FAR),
        0x42 => n(1, WIDE),
        0x43 => RAW | n(1, WIDE),
        0x44 => RAW | n(2, WIDE),
        // The sub-opcode; its immediates by `prefixed`.
        0xfc => PRE | n(0, OP),
        _ => BAD,
    }
}

/// How many immediates (each a LEB128 index or zero byte) follow 0xfc's sub-opcode.
fn prefixed(sub: u32) -> Option<u32> {
    match sub {
        // The saturating truncations.
        0..=7 => Some(0),
        // memory.init, memory.copy, table.init, table.copy.
        8 | 10 | 12 | 14 => Some(2),
        // data.drop, memory.fill, elem.drop, table.grow/size/fill.
        9 | 11 | 13 | 15..=17 => Some(1),
        _ => None,
    }
}

/// One instruction: its opcode, then its immediates, each to the stream of its kind.
fn instruction(io: &mut impl Io) {
    let op = io.op();
    let shape = SHAPES[op as usize];
    let s = (shape & 15) as usize;
    let mut n = (shape >> 4 & 3) as u32;
    if shape & BAD == BAD {
        return io.fail();
    }
    if shape & PRE != 0 {
        let first = leb(io, OP);
        if op == 0xfc {
            match prefixed(first) {
                Some(k) => n = k,
                None => return io.fail(),
            }
        }
    }
    if shape & VEC != 0 {
        n = n.saturating_add(leb(io, s));
    }
    if shape & RAW != 0 {
        for _ in 0..n * 4 {
            io.byte(s);
        }
        return;
    }
    lebs(io, s, n);
}

/// Joining: reads the streams of a split module (`at..end` of `input` each), writes the
/// module.
struct Join<'a> {
    input: &'a [u8],
    at: [usize; STREAMS],
    end: [usize; STREAMS],
    out: &'a mut [u8],
    pos: usize,
}

impl Io for Join<'_> {
    fn byte(&mut self, s: usize) -> u8 {
        let (Some(at), Some(&end)) = (self.at.get_mut(s), self.end.get(s)) else {
            self.pos = FAILED;
            return 0;
        };
        match (self.input.get(*at).filter(|_| *at < end), self.out.get_mut(self.pos)) {
            (Some(&b), Some(o)) => {
                *at += 1;
                *o = b;
                self.pos += 1;
                b
            }
            _ => {
                self.pos = FAILED;
                0
            }
        }
    }

    fn op(&mut self) -> u8 {
        let b = self.byte(OP);
        if b == FAR_CONST {
            if let Some(o) = self.out.get_mut(self.pos.wrapping_sub(1)) {
                *o = 0x41;
            }
        }
        b
    }

    fn pos(&self) -> usize {
        self.pos
    }

    fn fail(&mut self) {
        self.pos = FAILED;
    }
}

/// Reads a LEB128 length of the header; a damaged one is too long to take.
pub(crate) fn length(input: &[u8], at: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    while let Some(&b) = input.get(*at) {
        *at += 1;
        v |= ((b & 0x7f) as usize) << (shift & 31);
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
    FAILED
}

/// Writes the module that `split` pulled apart into `out`, which must be exactly its size.
pub fn join(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut at = 0;
    let prefix = length(input, &mut at);
    let mut end = [0; STREAMS];
    for e in end.iter_mut() {
        *e = length(input, &mut at);
    }
    let head = input.get(at..at.saturating_add(prefix));
    fill(out.get_mut(..prefix), head)?;
    at += prefix;
    let mut j = Join {
        input,
        at: end,
        end,
        out,
        pos: prefix,
    };
    for ((a, e), len) in j.at.iter_mut().zip(j.end.iter_mut()).zip(end) {
        *a = at;
        at = at.saturating_add(len);
        *e = at;
    }
    code(&mut j);
    // Every stream used up (a failed walk never does), and the rest fills the output exactly.
    if j.at != j.end {
        return Err(Error::Wasm);
    }
    fill(j.out.get_mut(j.pos..), input.get(at..))
}

/// `to = from` for slices of the same length; `copy_from_slice` would bring a panic path,
/// and with it core's formatting code, into the decoder.
fn fill(to: Option<&mut [u8]>, from: Option<&[u8]>) -> Result<(), Error> {
    let (to, from) = to.zip(from).filter(|(t, f)| t.len() == f.len()).ok_or(Error::Wasm)?;
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
pub use encode::split;

#[cfg(not(target_arch = "wasm32"))]
mod encode {
    use super::*;

    /// Splitting: reads the module, appends to the streams.
    struct Split<'a> {
        wasm: &'a [u8],
        pos: usize,
        streams: [Vec<u8>; STREAMS],
    }

    impl Io for Split<'_> {
        fn byte(&mut self, s: usize) -> u8 {
            match self.wasm.get(self.pos) {
                Some(&b) => {
                    self.pos += 1;
                    self.streams[s].push(b);
                    b
                }
                None => {
                    self.pos = FAILED;
                    0
                }
            }
        }

        fn op(&mut self) -> u8 {
            let at = self.pos;
            let b = self.byte(OP);
            if b == FAR_CONST {
                // Not an instruction the filter knows; the join would make it an i32.const.
                self.fail();
                return b;
            }
            // An i32.const of four LEB128 bytes or more.
            let far = b == 0x41 && self.wasm.get(at + 1..at + 4).is_some_and(|l| l.iter().all(|x| x & 0x80 != 0));
            if far {
                if let Some(last) = self.streams[OP].last_mut() {
                    *last = FAR_CONST;
                }
                return FAR_CONST;
            }
            b
        }

        fn pos(&self) -> usize {
            self.pos
        }

        fn fail(&mut self) {
            self.pos = FAILED;
        }
    }

    fn push_length(out: &mut Vec<u8>, mut v: usize) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// Pulls a module's code section apart into streams (the layout in the module docs).
    /// A module without a code section, or with instructions this filter does not know
    /// (SIMD, threads, GC), is an error: the build then fails rather than ship it broken.
    pub fn split(wasm: &[u8]) -> Result<Vec<u8>, Error> {
        let mut at = 8;
        let (start, end) = loop {
            let id = *wasm.get(at).ok_or(Error::Wasm)?;
            at += 1;
            let size = length(wasm, &mut at);
            if id == 10 {
                break (at, at.saturating_add(size));
            }
            at = at.saturating_add(size);
        };
        let mut s = Split {
            wasm,
            pos: start,
            streams: Default::default(),
        };
        code(&mut s);
        if s.pos != end {
            return Err(Error::Wasm);
        }
        let mut out = Vec::with_capacity(wasm.len() + 64);
        push_length(&mut out, start);
        for st in &s.streams {
            push_length(&mut out, st.len());
        }
        out.extend_from_slice(&wasm[..start]);
        for st in &s.streams {
            out.extend_from_slice(st);
        }
        out.extend_from_slice(&wasm[end..]);
        Ok(out)
    }
}
