#![cfg(not(target_arch = "wasm32"))]
//! Replays every input the fuzzers kept (`fuzz/corpus/<target>/`) and every crash they recorded
//! (`fuzz/artifacts/<target>/`, when there is one) through the same checks the fuzz targets run,
//! on stable Rust, so that `cargo test` holds the properties of `fuzz/` on every run.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "fuzz_checks/mod.rs"]
mod fuzz_checks;

use fuzz_checks::{Check, TARGETS};

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|entry| entry.expect("a readable entry").path()).filter(|path| path.is_file()).collect();
    files.sort();
    files
}

/// Runs `check` on every file; returns the files it failed on, with the reason.
fn replay(check: Check, paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|path| {
            let data = fs::read(path).expect("a readable corpus file");
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&data)));
            outcome.err().map(|panic| {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("{}: {why}", path.display())
            })
        })
        .collect()
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn every_target_has_a_committed_corpus() {
    for (name, _) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty");
    }
}

#[test]
fn the_corpus_and_artifacts_hold_every_property() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, check) in TARGETS {
        let mut paths = files(&fuzz_dir().join("corpus").join(name));
        paths.extend(files(&fuzz_dir().join("artifacts").join(name)));
        replayed += paths.len();
        failures.extend(replay(check, &paths));
    }
    assert!(failures.is_empty(), "{} of {replayed} inputs fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_broken_property_is_caught() {
    // The replay must be able to fail: a check that rejects everything fails on every file.
    let paths = files(&fuzz_dir().join("corpus").join("percent_decode"));
    let failures = replay(|_| panic!("rejected"), &paths);
    assert_eq!(failures.len(), paths.len());
    assert!(failures.iter().all(|failure| failure.ends_with(": rejected")));
}
