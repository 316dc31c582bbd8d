#![no_main]
//! Fuzz target `verify`: the properties are in tests/fuzz_checks/verify.rs, which the corpus replay test
//! (tests/fuzz_corpus.rs) runs on stable too.

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::verify::check(data));
