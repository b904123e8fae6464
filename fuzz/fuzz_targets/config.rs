//! Arbitrary text as `iamlint.toml`: settings or a located error, never a panic.
#![no_main]

use iamlint::config::{from_text, Overrides};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = from_text("iamlint.toml", text, &Overrides::default());
});
