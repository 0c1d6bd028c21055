//! safetensors from Rust: the fuzzer over mutated files (tests/common/safetensors_fuzz.rs); the
//! values and the writer are checked against the library's files in tests/ts/safetensors-checks.mjs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

#[test]
fn mutated_files_load_or_are_named_errors_never_panics() {
    let (loaded, refused) = common::safetensors_fuzz::fuzz(3000, 20261204);
    eprintln!("safetensors fuzz: 3000 cases, {loaded} loaded, {refused} refused");
    assert!(loaded > 100 && refused > 1000, "{loaded} loaded, {refused} refused: the mutations do not reach both sides");
}
