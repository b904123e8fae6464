//! `iamlint check`: policy files in, report out. Each file is one subject: read, parse and
//! evaluated independently (in parallel), so one bad file never hides another's findings.

use crate::config::Settings;
use crate::document::DocumentKind;
use crate::document::policy::parse_policy_text;
use crate::document::source::decode;
use crate::eval::{effective_access, evaluate};
use crate::report::{Report, Subject, SubjectKind};
use crate::rules::ecs_config_change::{self, GrantingDocument};
use crate::rules::{Finding, invalid_policy, privilege_escalation, stale_ignore, unknown_action};
use crate::source::SourceFile;
use crate::source::files::{self, Candidate};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

pub struct FileResult {
    pub subjects: Vec<Subject>,
    pub findings: Vec<Finding>,
    pub sources: Vec<Arc<SourceFile>>,
    /// A Terraform module: the files it read through `file()`, named as the walk names
    /// them.
    pub reads: Vec<String>,
}

impl FileResult {
    fn one(subject: Subject, findings: Vec<Finding>, source: SourceFile) -> Self {
        FileResult {
            subjects: vec![subject],
            findings,
            sources: vec![Arc::new(source)],
            reads: Vec::new(),
        }
    }

    /// The result, with the line starts of its files found when a finding will need them.
    pub(super) fn with_lines_indexed(self) -> Self {
        if !self.findings.is_empty() {
            for source in &self.sources {
                source.index_lines();
            }
        }
        self
    }
}

/// Told each policy file's name and bytes as the run reads them (`--baseline` works out
/// from them which files changed, without reading them again).
pub type OnRead<'a> = &'a (dyn Fn(&str, &[u8]) + Sync);

/// The report, and the folders given that held no policy file (for a warning: an empty
/// run must not look like a clean one).
pub fn run(paths: &[PathBuf], settings: &Settings) -> (Report, Vec<String>) {
    run_telling_reads(paths, settings, &|_, _| {})
}

/// [`run`], telling `on_read` of each file it reads on its own (not those a Terraform
/// module reads: the module walk reads them).
pub fn run_telling_reads(
    paths: &[PathBuf],
    settings: &Settings,
    on_read: OnRead,
) -> (Report, Vec<String>) {
    let collected = files::collect(paths, &settings.exclude);
    let (modules, files) = super::iac::modules(&collected.candidates);
    // Modules first: a policy file a module reads through `file()` is judged there, as
    // part of the module, and not again on its own; so is a module another one calls.
    let results: Vec<FileResult> = modules
        .par_iter()
        .map(|module| super::iac::check_module(module, settings))
        .map(FileResult::with_lines_indexed)
        .collect();
    let mut results = super::iac::without_called_modules(&modules, results);
    let read: HashSet<&str> = results
        .iter()
        .flat_map(|r| r.reads.iter().map(String::as_str))
        .collect();
    let files: Vec<&Candidate> = files
        .into_iter()
        .filter(|c| !read.contains(c.display.as_str()))
        .collect();
    results.par_extend(
        files
            .par_iter()
            .map(|candidate| check_file(candidate, settings, on_read))
            .map(FileResult::with_lines_indexed),
    );
    let walked_only = paths.iter().all(|p| p.is_dir());
    (
        assemble(results, settings, walked_only),
        collected.empty_folders,
    )
}

/// One report of the files' results, with the `[[ignore]]` entries applied (and those
/// that matched nothing reported when `walked_only`: see `stale-ignore`).
pub(super) fn assemble(results: Vec<FileResult>, settings: &Settings, walked_only: bool) -> Report {
    let mut report = Report::default();
    for result in results {
        report.read_by_modules.extend(result.reads);
        report.subjects.extend(result.subjects);
        report.findings.extend(result.findings);
        for source in result.sources {
            report.sources.insert(source.path.clone(), source);
        }
    }
    let unmatched = apply_ignores(&mut report, settings);
    report_stale_ignores(&mut report, settings, &unmatched, walked_only);
    report.read_by_modules.sort();
    report.read_by_modules.dedup();
    report.sort();
    report
}

fn check_file(candidate: &Candidate, settings: &Settings, on_read: OnRead) -> FileResult {
    let bytes = match &candidate.problem {
        Some(problem) => Err(problem.clone()),
        None => files::read_limited(&candidate.path, settings.max_file_size),
    };
    if let Ok(bytes) = &bytes {
        on_read(&candidate.display, bytes);
    }
    check_bytes(&candidate.display, bytes, settings)
}

/// One file's subjects and findings, from its bytes (or why they could not be read).
pub(super) fn check_bytes(
    name: &str,
    bytes: Result<Vec<u8>, String>,
    settings: &Settings,
) -> FileResult {
    let name = name.to_string();
    let mut subject = Subject::unchecked(
        name.clone(),
        SubjectKind::File,
        settings.privileged.is_match(&name),
    );
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(reason) => {
            let source = SourceFile::new(name.clone(), String::new());
            let findings = vec![invalid_policy::unreadable(
                &name,
                &source,
                &format!("cannot read: {reason}"),
            )];
            return FileResult::one(subject, findings, source);
        }
    };
    let bom = match decode(&bytes) {
        Ok(text) => bytes.len() - text.len(),
        Err(error) => {
            // Show what we can: positions before the first bad byte are exact.
            let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let source = SourceFile::new(name.clone(), String::from_utf8_lossy(without_bom));
            let policy_error = crate::document::PolicyError {
                message: error.message,
                label: "here".into(),
                span: error.span,
            };
            let findings = vec![invalid_policy::from_policy_error(
                &name,
                &source,
                &policy_error,
            )];
            return FileResult::one(subject, findings, source);
        }
    };
    // The text in the buffer it was read into, not a copy of it.
    let mut bytes = bytes;
    bytes.drain(..bom);
    let text = String::from_utf8(bytes).expect("decode checked the UTF-8");
    let source = SourceFile::new(name.clone(), text);
    if let Some(input) = super::iac::detect(&name, &source.text) {
        return super::iac::check(input, source, settings);
    }
    let document = match parse_policy_text(&source.text, DocumentKind::Identity) {
        Ok(document) => document,
        Err(errors) => {
            let findings = errors
                .iter()
                .map(|e| invalid_policy::from_policy_error(&name, &source, e))
                .collect();
            return FileResult::one(subject, findings, source);
        }
    };
    let findings = check_document(&mut subject, &source, &document, settings);
    FileResult::one(subject, findings, source)
}

/// One policy document judged on its own (a policy file, or a template's policy attached
/// to nothing): its access goes into `subject`, its findings are returned.
pub(crate) fn check_document(
    subject: &mut Subject,
    source: &SourceFile,
    document: &crate::document::PolicyDocument,
    settings: &Settings,
) -> Vec<Finding> {
    let name = subject.name.clone();
    let grants = evaluate(document);
    let access = effective_access(&[&grants], None, &[]).restrict_to(settings.monitored);
    subject.allowed = access.unscoped.names();
    subject.scoped = access.scoped.names();
    subject.reachable = access.all().names();
    let mut findings = unknown_action::check(&name, source, &grants);
    if !subject.privileged {
        let documents = [GrantingDocument {
            label: &name,
            source,
            grants: &grants,
        }];
        findings.extend(ecs_config_change::check(&name, access, &documents));
        findings.extend(privilege_escalation::check(&name, source, &grants));
    }
    findings
}

/// Move findings matched by an `[[ignore]]` entry (path glob, and rule if given) aside.
/// Returns the indices of the entries that matched no finding.
pub fn apply_ignores(report: &mut Report, settings: &Settings) -> Vec<usize> {
    if settings.ignores.is_empty() {
        return Vec::new();
    }
    let mut matched = vec![false; settings.ignores.len()];
    let findings = std::mem::take(&mut report.findings);
    for finding in findings {
        let ignore = settings.ignores.iter().position(|ignore| {
            ignore
                .rule
                .as_deref()
                .is_none_or(|rule| rule == finding.rule.id)
                && finding.rule != &invalid_policy::RULE
                && (ignore.path.is_match(&finding.location.path)
                    || ignore.path.is_match(&finding.subject))
        });
        match ignore {
            Some(at) => {
                matched[at] = true;
                let reason = settings.ignores[at].reason.clone();
                report.suppressed.push((finding, reason));
            }
            None => report.findings.push(finding),
        }
    }
    (0..matched.len()).filter(|&i| !matched[i]).collect()
}

/// `stale-ignore` for each unmatched entry that applies to a checked subject, or to any
/// when the run walked folders only (a run on single files cannot tell the others).
fn report_stale_ignores(
    report: &mut Report,
    settings: &Settings,
    unmatched: &[usize],
    walked_only: bool,
) {
    let Some((name, text)) = &settings.config_text else {
        return;
    };
    let config = Arc::new(SourceFile::new(name.clone(), text.clone()));
    let mut any = false;
    for &at in unmatched {
        let ignore = &settings.ignores[at];
        let applies = walked_only
            || report
                .subjects
                .iter()
                .any(|s| ignore.path.is_match(&s.name));
        if applies {
            let span = crate::document::Span {
                start: ignore.span.start,
                end: ignore.span.end,
            };
            report.findings.push(stale_ignore::check(
                &config,
                span,
                &ignore.glob,
                ignore.rule.as_deref(),
            ));
            any = true;
        }
    }
    if any {
        report.sources.insert(config.path.clone(), config);
    }
}
