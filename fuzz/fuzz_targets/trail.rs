//! Arbitrary bytes as a CloudTrail log file (plain or gzipped): a tally or a located
//! error. The checks are in `checks.rs`, shared with the seed replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::trail(bytes));
