#![no_main]
//! Fuzz target `percent_decode`: the properties are in tests/fuzz_checks/percent_decode.rs, which the corpus replay test
//! (tests/fuzz_corpus.rs) runs on stable too.

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::percent_decode::check(data));
