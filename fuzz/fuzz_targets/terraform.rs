//! Arbitrary bytes as a one-file Terraform module through the HCL reader, the
//! evaluation of expressions and the account review. The checks are in `checks.rs`,
//! shared with the seed replay of the tests.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::terraform(bytes));
