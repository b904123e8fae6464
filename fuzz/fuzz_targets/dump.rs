//! Arbitrary bytes as an authorization-details dump page: a dump or located errors,
//! never a panic.
#![no_main]

use iamlint::document::source::decode;
use iamlint::source::dump::Dump;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = decode(bytes) else { return };
    if let Err(error) = Dump::default().add_page(0, text) {
        assert!(!error.errors.is_empty());
        for e in error.errors {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len());
        }
    }
});
