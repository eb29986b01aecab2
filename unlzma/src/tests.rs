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
