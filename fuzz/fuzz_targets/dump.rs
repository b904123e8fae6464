//! Arbitrary bytes as an authorization-details dump page: a dump or located errors.
//! The checks are in `checks.rs`, shared with the seed replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::dump(bytes));
