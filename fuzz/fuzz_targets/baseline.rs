//! Arbitrary bytes as a saved JSON report for `--baseline`: a snapshot or one message.
//! The checks are in `checks.rs`, shared with the seed replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::baseline(bytes));
