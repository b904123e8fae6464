//! Arbitrary bytes as a CloudFormation template, YAML and JSON, through the template
//! reader and the account review. The checks are in `checks.rs`, shared with the seed
//! replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::template(bytes));
