//! Round trips through the real encoder (`xz --format=lzma`, which the build uses too).
use super::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn xz(data: &[u8], options: &str) -> Vec<u8> {
    let mut child = Command::new("xz")
        .args(["--format=lzma", &format!("--lzma1={options}"), "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("xz (apt xz-utils) must be installed: the build packs keksi.js with it");
    let mut stdin = child.stdin.take().unwrap();
    let input = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    out.stdout
}

fn unpack(packed: &[u8], n: usize) -> Result<Vec<u8>, Error> {
    let mut out = vec![0; n];
    let mut probs = Box::new([0u16; PROBS]);
    decode(packed, &mut out, &mut probs).map(|_| out)
}

/// Bytes of every kind: text, runs, a pseudo-random stretch, and this crate's own sources.
fn sample() -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..20_000u32 {
        v.extend_from_slice(format!("cookie_{}={};", i % 97, i * 31).as_bytes());
    }
    v.extend(std::iter::repeat_n(0u8, 5000));
    let mut x = 0x1234_5678u32;
    for _ in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(x as u8);
    }
    v.extend_from_slice(include_bytes!("lib.rs"));
    v
}

#[test]
fn round_trips_with_the_builds_options_and_the_defaults() {
    let data = sample();
    for options in [
        "preset=9e,lc=3,lp=0,pb=0,nice=273",
        "preset=6",
        "preset=1,lc=0,lp=2,pb=2",
        "preset=9,lc=4,lp=0,pb=4",
    ] {
        let packed = xz(&data, options);
        assert!(packed.len() < data.len());
        assert_eq!(unpack(&packed, data.len()).unwrap(), data, "options {options}");
    }
}

#[test]
fn round_trips_tiny_and_empty_inputs() {
    for data in [&b""[..], b"a", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"abcabcabcabd"] {
        let packed = xz(data, "preset=9e");
        assert_eq!(unpack(&packed, data.len()).unwrap(), data);
    }
}

#[test]
fn a_short_or_impossible_header_is_an_error() {
    assert_eq!(unpack(&[], 10), Err(Error::Header));
    assert_eq!(unpack(&[0x5d, 0, 0], 10), Err(Error::Header));
    // lc = 4, lp = 4: more literal contexts than the table holds.
    let mut packed = xz(b"hello hello hello", "preset=6");
    packed[0] = 4 * 9 + 4; // pb 0, lp 4, lc 4
    assert_eq!(unpack(&packed, 17), Err(Error::Header));
}

#[test]
fn damaged_data_never_panics_and_never_reads_before_the_output() {
    let data = sample();
    let packed = xz(&data, "preset=9e,lc=3,lp=0,pb=0");
    let mut x = 7u32;
    for round in 0..200 {
        let mut bad = packed.clone();
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let at = 13 + (x as usize >> 4) % (bad.len() - 13);
        bad[at] ^= 1 << (round % 8);
        // Garbage or an error, but no panic; truncation reads zeros past the end.
        let _ = unpack(&bad, data.len());
        let _ = unpack(&bad[..at], data.len());
    }
}

fn base64(data: &[u8]) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[(n >> (18 - 6 * i)) as usize & 63]
            } else {
                b'='
            });
        }
    }
    out
}

#[test]
fn base64_decodes_in_place_with_and_without_padding() {
    let mut text = b"aGVsbG8gd29ybGQ=".to_vec();
    let n = unbase64(&mut text).unwrap();
    assert_eq!(&text[..n], b"hello world");
    let data = sample();
    for len in [0, 1, 2, 3, 1000, data.len()] {
        let mut text = base64(&data[..len]);
        let n = unbase64(&mut text).unwrap();
        assert_eq!(&text[..n], &data[..len]);
    }
    assert_eq!(unbase64(&mut b"aGV s".to_vec()), Err(Error::Base64));
}

#[test]
fn base64_of_a_packed_stream_round_trips_like_the_page_does() {
    let data = sample();
    let mut text = base64(&xz(&data, "preset=9e,lc=3,lp=0,pb=0,nice=273"));
    let n = unbase64(&mut text).unwrap();
    assert_eq!(unpack(&text[..n], data.len()).unwrap(), data);
}

#[test]
fn asking_for_more_than_the_stream_holds_is_an_error_not_padding() {
    // xz ends the stream with a marker whose distance is u32::MAX: decoding past it must
    // fail (on wasm32 a wrapping `dist + 1` once made it "succeed" with zeros).
    let packed = xz(b"hello hello hello", "preset=6");
    assert_eq!(unpack(&packed, 17).unwrap(), b"hello hello hello");
    assert_eq!(unpack(&packed, 100), Err(Error::Distance));
    assert_eq!(back(5, u32::MAX), Err(Error::Distance));
    assert_eq!(back(5, 4), Ok(0));
    assert_eq!(back(5, 5), Err(Error::Distance));
}

// The WebAssembly filter (split.rs).

fn leb(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn section(id: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(content.len() as u64, out);
    out.extend_from_slice(content);
}

/// One function body with every kind of immediate the filter moves, multi-byte ones too.
fn body() -> Vec<u8> {
    let mut b = vec![2, 1, 0x7f, 0x81, 0x01, 0x7e]; // locals: 1 i32, 129 i64
    b.extend([0x02, 0x40, 0x03, 0x7f, 0x04, 0x85, 0x01]); // block, loop i32, if type 133
    b.extend([0x0c, 0, 0x0d, 1, 0x0e, 3, 0, 1, 0x80, 0x01, 2]); // br, br_if, br_table
    b.extend([0x10, 0x81, 0x01, 0x11, 3, 0, 0x1c, 1, 0x7f, 0x1b, 0x1a]); // calls, selects, drop
    b.extend([0x20, 0, 0x21, 0xc8, 0x01, 0x22, 3, 0x23, 0, 0x24, 0x90, 0x03]); // locals, globals
    b.extend([0x25, 0, 0x26, 1, 0x28, 2, 0x80, 0x01, 0x36, 2, 0, 0x3f, 0, 0x40, 0]); // tables, memory
    b.extend([0x41, 0x7f, 0x41, 0xff, 0xff, 0xff, 0xff, 0x07]); // i32.const -1, i32::MAX
    b.extend([0x41, 0xc8, 0xb4, 0xc6, 0x00, 0x41, 0x80, 0x80, 0x01]); // an address; 3 bytes
    b.extend([0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]); // i64::MIN
    b.extend([0x43, 0x00, 0x00, 0x80, 0xbf, 0x44, 0xff, 0x80, 0, 0, 0, 0, 0xf0, 0x3f]); // floats
    b.extend([0xd0, 0x70, 0xd1, 0xd2, 5, 0x6a, 0xa7, 0xc4, 0x00, 0x01, 0x05, 0x0f]); // refs, numeric
    b.extend([0xfc, 0, 0xfc, 7, 0xfc, 8, 1, 0, 0xfc, 9, 1, 0xfc, 10, 0, 0, 0xfc, 11, 0]); // 0xfc
    b.extend([0xfc, 12, 2, 0, 0xfc, 13, 2, 0xfc, 14, 0, 0, 0xfc, 15, 0, 0xfc, 16, 0, 0xfc, 17, 0]);
    b.extend([0x0b, 0x0b, 0x0b, 0x0b]);
    b
}

/// A module: a custom section, a code section of `bodies`, a data section.
fn module(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(0, b"\x04name-ish", &mut m);
    let mut code = Vec::new();
    leb(bodies.len() as u64, &mut code);
    for b in bodies {
        leb(b.len() as u64, &mut code);
        code.extend_from_slice(b);
    }
    section(10, &code, &mut m);
    section(11, b"\x01\x00\x41\x08\x0b\x05hello", &mut m);
    m
}

fn join_to(split: &[u8], n: usize) -> Result<Vec<u8>, Error> {
    let mut out = vec![0; n];
    split::join(split, &mut out).map(|_| out)
}

#[test]
fn a_split_module_joins_back_byte_for_byte() {
    let simple = vec![0, 0x20, 0, 0x20, 1, 0x6a, 0x0b];
    for bodies in [vec![], vec![body()], vec![body(), simple.clone(), body(), simple]] {
        let m = module(&bodies);
        let s = split::split(&m).unwrap();
        if !bodies.is_empty() {
            assert_ne!(s[s.len() - m.len()..], m[..], "the code moved into streams");
        }
        assert_eq!(join_to(&s, m.len()).unwrap(), m);
    }
}

#[test]
fn split_and_packed_the_page_gets_the_module_back() {
    let m = module(&vec![body(); 50]);
    let s = split::split(&m).unwrap();
    let packed = xz(&s, "preset=9e,lc=2,lp=0,pb=0,nice=273");
    assert_eq!(join_to(&unpack(&packed, s.len()).unwrap(), m.len()).unwrap(), m);
}

#[test]
fn instructions_the_filter_does_not_know_fail_the_split() {
    for unknown in [[0xfd, 0x00], [0xfc, 18], [0x06, 0x40], [0xfb, 0x00]] {
        let mut b = vec![0];
        b.extend(unknown);
        b.push(0x0b);
        assert_eq!(split::split(&module(&[b])), Err(Error::Wasm), "{unknown:x?}");
    }
    // A body whose last instruction runs past its end; no code section at all.
    assert_eq!(split::split(&module(&[vec![0, 0x41]])), Err(Error::Wasm));
    assert_eq!(split::split(b"\0asm\x01\0\0\0\x00\x01\x00"), Err(Error::Wasm));
}

#[test]
fn a_damaged_or_wrongly_sized_split_module_is_an_error_never_a_panic() {
    let m = module(&[body(), body()]);
    let s = split::split(&m).unwrap();
    assert_eq!(join_to(&s, m.len() + 1), Err(Error::Wasm));
    assert_eq!(join_to(&s, m.len() - 1), Err(Error::Wasm));
    assert_eq!(join_to(&s[..s.len() - 1], m.len()), Err(Error::Wasm));
    assert_eq!(join_to(&[], m.len()), Err(Error::Wasm));
    assert_eq!(join_to(&[0xff; 12], m.len()), Err(Error::Wasm));
    for at in 0..s.len() {
        for bit in 0..8 {
            let mut bad = s.clone();
            bad[at] ^= 1 << bit;
            let _ = join_to(&bad, m.len());
            let _ = join_to(&bad[..at], m.len());
        }
    }
}

#[test]
fn a_damaged_function_count_ends_the_join_at_once() {
    // A split module whose function count says u32::MAX but whose streams hold one body:
    // the walk fails reading the second body's size, and must stop there.
    let m = module(&[body()]);
    let s = split::split(&m).unwrap();
    let mut at = 0;
    let prefix = split::length(&s, &mut at);
    let mut lens: Vec<usize> = (0..split::STREAMS).map(|_| split::length(&s, &mut at)).collect();
    // The function-header stream's first byte is the count (1). Five bytes of u32::MAX instead.
    let head = at + prefix + lens[..split::HEAD].iter().sum::<usize>();
    assert_eq!(s[head], 1);
    lens[split::HEAD] += 4;
    let mut bad = Vec::new();
    for n in [prefix].iter().chain(&lens) {
        leb(*n as u64, &mut bad);
    }
    bad.extend(&s[at..head]);
    bad.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
    bad.extend(&s[head + 1..]);
    let started = std::time::Instant::now();
    assert_eq!(join_to(&bad, m.len()), Err(Error::Wasm));
    assert!(started.elapsed().as_millis() < 1000, "took {:?}", started.elapsed());
}
