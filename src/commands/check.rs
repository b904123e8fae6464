//! `iamlint check`: policy files in, report out. Each file is one subject: read, parse and
//! evaluated independently (in parallel), so one bad file never hides another's findings.

use crate::config::Settings;
use crate::document::DocumentKind;
use crate::document::policy::parse_policy_text;
use crate::document::source::decode;
use crate::eval::{effective_access, evaluate};
use crate::report::{Report, Subject, SubjectKind};
use crate::rules::ecs_config_change::{self, GrantingDocument};
use crate::rules::{Finding, invalid_policy, privilege_escalation, unknown_action};
use crate::source::SourceFile;
use crate::source::files::{self, Candidate};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

pub struct FileResult {
    pub subjects: Vec<Subject>,
    pub findings: Vec<Finding>,
    pub sources: Vec<Arc<SourceFile>>,
}

impl FileResult {
    fn one(subject: Subject, findings: Vec<Finding>, source: SourceFile) -> Self {
        FileResult {
            subjects: vec![subject],
            findings,
            sources: vec![Arc::new(source)],
        }
    }
}

/// The report, and the folders given that held no policy file (for a warning: an empty
/// run must not look like a clean one).
pub fn run(paths: &[PathBuf], settings: &Settings) -> (Report, Vec<String>) {
    let collected = files::collect(paths, &settings.exclude);
    let (modules, files) = super::iac::modules(&collected.candidates);
    let results: Vec<FileResult> = files
        .par_iter()
        .map(|candidate| check_file(candidate, settings))
        .chain(
            modules
                .par_iter()
                .map(|module| super::iac::check_module(module, settings)),
        )
        .collect();
    let mut report = Report::default();
    for result in results {
        report.subjects.extend(result.subjects);
        report.findings.extend(result.findings);
        for source in result.sources {
            report.sources.insert(source.path.clone(), source);
        }
    }
    apply_ignores(&mut report, settings);
    report.sort();
    (report, collected.empty_folders)
}

fn check_file(candidate: &Candidate, settings: &Settings) -> FileResult {
    let name = candidate.display.clone();
    let mut subject = Subject::unchecked(
        name.clone(),
        SubjectKind::File,
        settings.privileged.is_match(&name),
    );
    let bytes = match &candidate.problem {
        Some(problem) => Err(problem.clone()),
        None => files::read_limited(&candidate.path, settings.max_file_size),
    };
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
    let text = match decode(&bytes) {
        Ok(text) => text,
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
pub fn apply_ignores(report: &mut Report, settings: &Settings) {
    if settings.ignores.is_empty() {
        return;
    }
    let findings = std::mem::take(&mut report.findings);
    for finding in findings {
        let ignore = settings.ignores.iter().find(|ignore| {
            ignore
                .rule
                .as_deref()
                .is_none_or(|rule| rule == finding.rule.id)
                && finding.rule != &invalid_policy::RULE
                && (ignore.path.is_match(&finding.location.path)
                    || ignore.path.is_match(&finding.subject))
        });
        match ignore {
            Some(ignore) => report.suppressed.push((finding, ignore.reason.clone())),
            None => report.findings.push(finding),
        }
    }
}
