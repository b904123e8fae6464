//! Arbitrary bytes as a one-page dump through the whole account review — the account
//! model, the transitive-access graph with its escalation edges, the rules — and every
//! question it can be asked: a report or located errors, never a panic.
#![no_main]

use iamlint::commands::account::{Options, Query, review};
use iamlint::config::{Overrides, from_text};
use iamlint::document::source::decode;
use iamlint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = decode(bytes) else { return };
    let settings = from_text("iamlint.toml", "", &Overrides::default()).expect("empty config");
    for query in [None, Some(Query::WhoCan(iamlint::catalog::known("ecs:UpdateService")))] {
        let options = Options {
            include_service_linked: false,
            query,
            exit_after: false,
        };
        let page = SourceFile::new("dump.json", text);
        let report = review(vec![page], &[], &settings, &options);
        for finding in &report.findings {
            let source = &report.sources[&finding.location.path];
            assert!(finding.location.span.end <= source.text.len());
        }
        for subject in &report.subjects {
            // Reach is a superset of a principal's own grants.
            for action in subject.allowed.iter().chain(&subject.scoped) {
                assert!(subject.reachable.contains(action), "{}", subject.name);
            }
        }
    }
});
