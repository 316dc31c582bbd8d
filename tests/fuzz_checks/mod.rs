//! The properties the fuzz targets in `fuzz/` check. Each target hands its input bytes to one
//! `check` function here, and `tests/fuzz_corpus.rs` replays the committed corpus through the same
//! functions on stable Rust, so `cargo test` re-checks everything the fuzzer ever found.
//!
//! A check panics when a property fails; that is what makes libFuzzer record a crash.

pub mod bytes;
pub mod percent_decode;
pub mod sign;
pub mod verify;

#[path = "../support/reference.rs"]
pub mod reference;

/// A property check over one fuzz input; it panics when a property fails.
pub type Check = fn(&[u8]);

/// The targets, by the name of their corpus folder, with their check.
pub const TARGETS: [(&str, Check); 3] =
    [("sign", sign::check), ("verify", verify::check), ("percent_decode", percent_decode::check)];
