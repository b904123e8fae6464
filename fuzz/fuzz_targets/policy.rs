//! Arbitrary bytes through everything a policy file goes through: decoding, the JSON
//! reader, the IAM grammar (as identity and as trust policy), evaluation, and locating
//! every span. Must never panic, hang or allocate without bound.
#![no_main]

use iamlint::document::policy::parse_policy_text;
use iamlint::document::source::{decode, LineIndex};
use iamlint::document::DocumentKind;
use iamlint::eval::evaluate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = decode(bytes) else { return };
    let lines = LineIndex::new(text);
    for kind in [DocumentKind::Identity, DocumentKind::Trust] {
        match parse_policy_text(text, kind) {
            Ok(document) => {
                let grants = evaluate(&document);
                for statement in &grants.statements {
                    lines.position(text, statement.span.start);
                    lines.position(text, statement.span.end);
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for error in errors {
                    assert!(error.span.start <= error.span.end && error.span.end <= text.len());
                    lines.position(text, error.span.end);
                }
            }
        }
    }
});
