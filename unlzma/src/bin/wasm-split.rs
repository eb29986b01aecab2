//! `wasm-split < module.wasm > module.split`: the build's half of the filter in `split.rs`.
use std::io::{Read, Write};

fn main() {
    let mut wasm = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut wasm) {
        eprintln!("wasm-split: cannot read stdin: {e}");
        std::process::exit(1);
    }
    match unlzma::split::split(&wasm) {
        Ok(out) => {
            if let Err(e) = std::io::stdout().write_all(&out) {
                eprintln!("wasm-split: cannot write stdout: {e}");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("wasm-split: not a module this filter knows: {e:?}");
            std::process::exit(1);
        }
    }
}
