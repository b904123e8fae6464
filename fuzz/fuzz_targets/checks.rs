//! What each fuzz target asserts, shared by the libFuzzer targets beside this file and by
//! the seed replay in the main crate's tests (`tests/fuzz_seeds.rs`), so that the test
//! command runs every seed through exactly the fuzzers' checks on the test build.
//! Each check: arbitrary input in, never a panic, and every span inside the text.

use iamlint::commands::account::{Options, Query, review};
use iamlint::config::{Overrides, from_text};
use iamlint::document::DocumentKind;
use iamlint::document::policy::parse_policy_text;
use iamlint::document::source::{LineIndex, decode};
use iamlint::eval::evaluate;
use iamlint::source::SourceFile;
use iamlint::source::dump::Dump;

/// Everything a policy file goes through: decoding, the JSON reader, the IAM grammar (as
/// identity and as trust policy), evaluation, and locating every span. Must never panic,
/// hang or allocate without bound.
pub fn policy(bytes: &[u8]) {
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
}

/// `iamlint.toml`: settings or a located error.
pub fn config(text: &str) {
    let _ = from_text("iamlint.toml", text, &Overrides::default());
}

/// An authorization-details dump page: a dump or located errors.
pub fn dump(bytes: &[u8]) {
    let Ok(text) = decode(bytes) else { return };
    if let Err(error) = Dump::default().add_page(0, text) {
        assert!(!error.errors.is_empty());
        for e in error.errors {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len());
        }
    }
}

/// A one-page dump through the whole account review — the account model, the
/// transitive-access graph with its escalation edges, the rules — and every question it
/// can be asked: a report or located errors.
pub fn account(bytes: &[u8]) {
    let Ok(text) = decode(bytes) else { return };
    let settings = from_text("iamlint.toml", "", &Overrides::default()).expect("empty config");
    for query in [
        None,
        Some(Query::WhoCan(iamlint::catalog::known("ecs:UpdateService"))),
    ] {
        let options = Options {
            include_service_linked: false,
            query,
            exit_after: false,
            group_subjects: false,
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
}

/// A CloudTrail log (plain or gzipped bytes) and an `--emit-sql` query result through
/// their readers, actor resolution and the tally: a tally or a located error.
pub fn trail(bytes: &[u8]) {
    use iamlint::catalog::ActionSet;
    use iamlint::source::trail::{ReadStats, format_time, parse_time, read_detected};
    use iamlint::trail::{Selection, Tally};
    let selection = Selection {
        monitored: ActionSet::all(),
        since: None,
        until: None,
    };
    let keep = |source: &str, name: &str| selection.action(source, name).is_some();
    let mut tally = Tally::default();
    let mut stats = ReadStats::default();
    let mut add = |record: iamlint::source::trail::Record| {
        assert_eq!(parse_time(&record.event_time), Some(record.time));
        assert_eq!(parse_time(&format_time(record.time)), Some(record.time));
        tally.add(&record, &selection, &|actor| actor.is_aws());
    };
    let (_, result) = read_detected(bytes, &keep, &mut add, &mut stats);
    assert!(stats.kept <= stats.records);
    if let Err(iamlint::source::trail::Fault::Json(error)) = result {
        if !error.is_io() {
            assert!(error.line() >= 1, "{error}");
        }
    }
    // The same bytes as an --emit-sql query result (CSV or JSON).
    if let Ok(text) = std::str::from_utf8(bytes) {
        let (stats, error) = iamlint::source::query::read("result", text, &keep, &mut add);
        assert!(stats.kept <= stats.records);
        if let Some(error) = error {
            // Lines as located everywhere: one more after each line break.
            let lines = text.matches('\n').count() + 1;
            assert!(error.line >= 1 && error.line <= lines, "{error}");
            assert!(error.column >= 1, "{error}");
        }
    }
    for activity in tally.into_activity() {
        assert!(activity.count >= 1 && activity.first <= activity.last);
        assert!(!activity.actor.id.is_empty());
    }
}

/// Arbitrary bytes as a saved JSON report given to `--baseline`: a snapshot or one
/// message naming the file. A snapshot compared with itself has nothing new, nothing
/// fixed and no access diff.
pub fn baseline(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    match iamlint::baseline::saved::read("base.json", text) {
        Ok(snapshot) => {
            let same = iamlint::baseline::compare(&snapshot, &snapshot, "base.json");
            assert!(same.new.is_empty() && same.fixed.is_empty());
            assert!(same.access.is_empty() && same.paths.is_empty());
        }
        Err(message) => assert!(message.starts_with("--baseline base.json: ")),
    }
}

/// A template (read as YAML and as JSON) through the YAML reader, the intrinsic
/// resolution and the account review: subjects or located problems, every span inside
/// the text, never a panic.
pub fn template(bytes: &[u8]) {
    let Ok(text) = decode(bytes) else { return };
    let settings = from_text("iamlint.toml", "", &Overrides::default()).expect("empty config");
    for name in ["template.yaml", "template.json"] {
        let Some(result) = iamlint::commands::iac::check_text(name, text, &settings) else {
            continue;
        };
        assert_sound(&result);
    }
}

/// A one-file Terraform module (`file()` reads nothing) through the HCL reader, the
/// expression evaluation and the account review: subjects or located problems, every
/// span inside the text, never a panic.
pub fn terraform(bytes: &[u8]) {
    let Ok(text) = decode(bytes) else { return };
    let settings = from_text("iamlint.toml", "", &Overrides::default()).expect("empty config");
    let result = iamlint::commands::iac::check_module_text("main.tf", text, &settings);
    assert_sound(&result);
}

/// Every finding located inside the text it names; reach a superset of each subject's
/// grants.
fn assert_sound(result: &iamlint::commands::check::FileResult) {
    for finding in &result.findings {
        let at = finding.location.span;
        let source = result
            .sources
            .iter()
            .find(|s| s.path == finding.location.path);
        let len = source.map_or(0, |s| s.text.len());
        assert!(at.start <= at.end && at.end <= len, "{}", finding.message);
    }
    for subject in &result.subjects {
        for action in subject.allowed.iter().chain(&subject.scoped) {
            assert!(subject.reachable.contains(action), "{}", subject.name);
        }
    }
}
