//! Arbitrary text as `iamlint.toml`: settings or a located error, never a panic.
//! The checks are in `checks.rs`, shared with the seed replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::config(text));
