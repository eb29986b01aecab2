//! LZMA decoder for the WebAssembly inlined in keksi.js, and the join of its split code
//! section ([`split`]).
//!
//! The build splits keksi's .wasm and packs it with `xz --format=lzma`: ~20% under gzip -9,
//! and once base64'd and served gzipped it stays that small, so keksi.js is ~20 KB gzip
//! lighter. A decoder in JavaScript takes ~35 ms cold to unpack it; this one, compiled to
//! a 3.7 KB module, takes ~12 ms cold in an idle page and 15–20 ms during a page load on a
//! 2-core machine (tools/bench-stages.mjs). The LZMA part is the
//! decoding half of the LZMA spec (Igor Pavlov's LzmaSpec.cpp describes it), for the
//! `.lzma` ("LZMA alone") header with the size known from outside.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

/// Why a stream could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The 13-byte header is missing or names `lc + lp > 4` (more than the model table holds).
    Header,
    /// A match reaches back before the start of the output: the data is damaged.
    Distance,
    /// A character outside the base64 alphabet.
    Base64,
    /// The split WebAssembly does not join up (see [`split`]).
    Wasm,
}

pub mod split;

// No indexing that can panic anywhere below (`get` and `?` instead): a panic path pulls
// core's formatting code into the module, ~1.5 KB of the 3.5 it weighed with them.

/// Decodes base64 text in place (the result is shorter, so writing trails reading) and
/// returns the decoded length. Padding ends the text. The page hands the text over with
/// `TextEncoder.encodeInto`: no `atob` and no JavaScript loop over 100 000 characters.
/// (Only where the browser has no `Uint8Array.prototype.setFromBase64`, which decodes it
/// ~30× faster than this loop runs in V8's baseline tier.)
pub fn unbase64(buf: &mut [u8]) -> Result<usize, Error> {
    let (mut acc, mut bits, mut n) = (0u32, 0, 0);
    for i in 0..buf.len() {
        let v = match *buf.get(i).ok_or(Error::Base64)? {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'a'..=b'z' => c - b'a' + 26,
            c @ b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return Err(Error::Base64),
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            *buf.get_mut(n).ok_or(Error::Base64)? = (acc >> bits) as u8;
            n += 1;
        }
    }
    Ok(n)
}

const MODEL: usize = 1847;
/// `lc + lp <= 4`: literal models for up to 16 contexts.
const PROBS: usize = MODEL + (0x300 << 4);

// Offsets of the models in the one probability table (sizes from the spec).
const IS_MATCH: usize = 0;
const IS_REP: usize = 192;
const IS_REP_G0: usize = 204;
const IS_REP_G1: usize = 216;
const IS_REP_G2: usize = 228;
const IS_REP0_LONG: usize = 240;
const POS_SLOT: usize = 432;
const SPEC_POS: usize = 688;
const ALIGN: usize = 803;
const LEN: usize = 819;
const REP_LEN: usize = 1333;
const LIT: usize = MODEL;

struct Decoder<'a> {
    input: &'a [u8],
    at: usize,
    range: u32,
    code: u32,
    p: &'a mut [u16; PROBS],
}

impl Decoder<'_> {
    fn byte(&mut self) -> u32 {
        // Past the end reads zeros: damaged data decodes to garbage, which the host rejects.
        let b = self.input.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b as u32
    }

    #[inline(always)]
    fn normalize(&mut self) {
        if self.range < 1 << 24 {
            self.range <<= 8;
            self.code = self.code << 8 | self.byte();
        }
    }

    fn bit(&mut self, k: usize) -> usize {
        debug_assert!(k < PROBS);
        // SAFETY: every model offset plus its largest index is below PROBS (the table
        // above; literals: lc + lp <= 4 is checked before decoding). Unchecked, because
        // this runs ~1.5 million times per start and the checks cost a third of it.
        let p = unsafe { self.p.get_unchecked_mut(k) };
        let bound = (self.range >> 11) * *p as u32;
        let one = self.code >= bound;
        if one {
            self.range -= bound;
            self.code -= bound;
            *p -= *p >> 5;
        } else {
            self.range = bound;
            *p += (2048 - *p) >> 5;
        }
        self.normalize();
        one as usize
    }

    fn tree(&mut self, k: usize, bits: u32) -> usize {
        let mut m = 1;
        while m < 1 << bits {
            m = m * 2 + self.bit(k + m);
        }
        m - (1 << bits)
    }

    fn reverse(&mut self, k: usize, bits: u32) -> usize {
        let (mut m, mut sym) = (1, 0);
        for i in 0..bits {
            let b = self.bit(k + m);
            m = m * 2 + b;
            sym |= b << i;
        }
        sym
    }

    fn direct(&mut self, bits: u32) -> u32 {
        let mut r = 0;
        for _ in 0..bits {
            self.range >>= 1;
            let one = self.code >= self.range;
            if one {
                self.code -= self.range;
            }
            r = r << 1 | one as u32;
            self.normalize();
        }
        r
    }

    /// A match length minus 2: choice bits, then 16 low and 16 mid 3-bit trees, one 8-bit.
    fn length(&mut self, k: usize, pos_state: usize) -> usize {
        if self.bit(k) == 0 {
            self.tree(k + 2 + pos_state * 8, 3)
        } else if self.bit(k + 1) == 0 {
            8 + self.tree(k + 130 + pos_state * 8, 3)
        } else {
            16 + self.tree(k + 258, 8)
        }
    }

    fn distance(&mut self, len: usize) -> u32 {
        let slot = self.tree(POS_SLOT + len.min(3) * 64, 6) as u32;
        if slot < 4 {
            return slot;
        }
        let bits = (slot >> 1) - 1;
        let dist = (2 | (slot & 1)) << bits;
        if slot < 14 {
            return dist + self.reverse(SPEC_POS + (dist - slot) as usize, bits) as u32;
        }
        let high = self.direct(bits - 4) << 4;
        dist.wrapping_add(high).wrapping_add(self.reverse(ALIGN, 4) as u32)
    }
}

/// Decodes the `.lzma` stream `input` until `out` is full. `probs` is the model table
/// (scratch; its contents do not matter).
pub fn decode(input: &[u8], out: &mut [u8], probs: &mut [u16; PROBS]) -> Result<(), Error> {
    let props = *input.first().ok_or(Error::Header)? as usize;
    let (lc, lp, pb) = (props % 9, props / 9 % 5, props / 45);
    if input.len() < 13 || pb > 4 || lc + lp > 4 {
        return Err(Error::Header);
    }
    probs.fill(1024);
    let mut d = Decoder {
        input,
        at: 14,
        range: u32::MAX,
        code: 0,
        p: probs,
    };
    for _ in 0..4 {
        d.code = d.code << 8 | d.byte();
    }
    let (mut state, mut reps) = (0usize, [0u32; 4]);
    let mut pos = 0;
    while pos < out.len() {
        let ps = pos & ((1 << pb) - 1);
        if d.bit(IS_MATCH + (state << 4) + ps) == 0 {
            let b = literal(&mut d, out, pos, state, reps[0], lc, lp);
            *out.get_mut(pos).ok_or(Error::Distance)? = b;
            pos += 1;
            state = if state < 4 {
                0
            } else if state < 10 {
                state - 3
            } else {
                state - 6
            };
            continue;
        }
        let len = if d.bit(IS_REP + state) == 0 {
            reps = [0, reps[0], reps[1], reps[2]];
            let len = d.length(LEN, ps);
            state = if state < 7 { 7 } else { 10 };
            reps[0] = d.distance(len);
            len
        } else {
            if d.bit(IS_REP_G0 + state) == 0 {
                if d.bit(IS_REP0_LONG + (state << 4) + ps) == 0 {
                    // One byte from rep0.
                    state = if state < 7 { 9 } else { 11 };
                    copy(out, back(pos, reps[0])?, pos)?;
                    pos += 1;
                    continue;
                }
            } else {
                // The distance used moves to the front, the others shift down.
                let dist = if d.bit(IS_REP_G1 + state) == 0 {
                    reps[1]
                } else {
                    let dist = if d.bit(IS_REP_G2 + state) == 0 {
                        reps[2]
                    } else {
                        let dist = reps[3];
                        reps[3] = reps[2];
                        dist
                    };
                    reps[2] = reps[1];
                    dist
                };
                reps[1] = reps[0];
                reps[0] = dist;
            }
            let len = d.length(REP_LEN, ps);
            state = if state < 7 { 8 } else { 11 };
            len
        };
        let from = back(pos, reps[0])?;
        let end = out.len().min(pos + len + 2);
        // Byte by byte: the source may overlap what is being written (runs).
        for i in 0..end - pos {
            copy(out, from + i, pos + i)?;
        }
        pos = end;
    }
    Ok(())
}

/// The position `dist + 1` bytes back from `pos`. Checked in two steps: on wasm32
/// `dist as usize + 1` would wrap for the end marker (`u32::MAX`).
fn back(pos: usize, dist: u32) -> Result<usize, Error> {
    pos.checked_sub(dist as usize).and_then(|p| p.checked_sub(1)).ok_or(Error::Distance)
}

/// `out[to] = out[from]`, without a panic path.
fn copy(out: &mut [u8], from: usize, to: usize) -> Result<(), Error> {
    let b = *out.get(from).ok_or(Error::Distance)?;
    *out.get_mut(to).ok_or(Error::Distance)? = b;
    Ok(())
}

fn literal(d: &mut Decoder, out: &[u8], pos: usize, state: usize, rep0: u32, lc: usize, lp: usize) -> u8 {
    let prev = pos.checked_sub(1).and_then(|i| out.get(i)).map_or(0, |&b| b as usize);
    let base = LIT + 0x300 * (((pos & ((1 << lp) - 1)) << lc) + (prev >> (8 - lc)));
    let mut sym = 1;
    if state >= 7 {
        // After a match the byte at rep0 predicts this one up to the first bit that differs.
        let mut mb = back(pos, rep0).ok().and_then(|i| out.get(i)).map_or(0, |&b| b as usize);
        while sym < 0x100 {
            let m = (mb >> 7) & 1;
            mb <<= 1;
            let b = d.bit(base + ((1 + m) << 8) + sym);
            sym = sym * 2 + b;
            if m != b {
                break;
            }
        }
    }
    while sym < 0x100 {
        sym = sym * 2 + d.bit(base + sym);
    }
    sym as u8
}

#[cfg(all(target_arch = "wasm32", not(test)))]
mod wasm {
    static mut PROBS: [u16; super::PROBS] = [0; super::PROBS];

    /// Unpacks `len` bytes of base64'd `.lzma` text at `text`: into the `split_len` bytes
    /// of the split module right after the text, then joined into the `out_len` bytes of
    /// the module after those; returns the module's address, or 0 when the data is damaged.
    /// With `decoded` above 0, the page has already decoded the base64 in place (with
    /// `Uint8Array.prototype.setFromBase64`): the first `decoded` bytes are the stream.
    ///
    /// # Safety
    /// `text .. text + len + split_len + out_len` lies in this module's memory, past
    /// `__heap_base`.
    #[no_mangle]
    pub unsafe extern "C" fn unpack(text: *mut u8, len: usize, split_len: usize, out_len: usize, decoded: usize) -> *mut u8 {
        let packed = core::slice::from_raw_parts_mut(text, len);
        let split = core::slice::from_raw_parts_mut(text.add(len), split_len);
        let out = core::slice::from_raw_parts_mut(text.add(len + split_len), out_len);
        // SAFETY: wasm32 without atomics is single-threaded and this is the only user.
        let probs = &mut *core::ptr::addr_of_mut!(PROBS);
        let n = if decoded > 0 { Ok(decoded) } else { super::unbase64(packed) };
        let text = n.and_then(|n| packed.get(..n).ok_or(super::Error::Base64));
        let joined = text
            .and_then(|t| super::decode(t, split, probs))
            .and_then(|()| super::split::join(split, out));
        match joined {
            Ok(()) => out.as_mut_ptr(),
            Err(_) => core::ptr::null_mut(),
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[cfg(test)]
mod tests;
