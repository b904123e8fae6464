//! Infrastructure code in `iamlint check`: a CloudFormation, SAM or CDK-synthesized
//! template becomes an account model ([`crate::source::template::Model`]) and goes
//! through the account review ([`account::review_model`]): its principals are subjects
//! with effective access and paths; policies it attaches to nothing are judged as
//! policy files are.

use super::account::{self, Options, privileged_matcher};
use super::check::{FileResult, check_document};
use crate::config::Settings;
use crate::document::json::{self, Node, SyntaxError};
use crate::document::yaml;
use crate::report::{Report, Subject, SubjectKind};
use crate::rules::{document_finding, invalid_policy, unresolved};
use crate::source::SourceFile;
use crate::source::cloudformation;
use crate::source::template::{Model, ProblemKind};
use std::sync::Arc;

/// A file `check` reads as infrastructure code rather than as a policy.
pub enum Input {
    /// A template, or why its text could not be read.
    Template(Result<Node, SyntaxError>),
    /// A YAML file that is no template: nothing to report.
    Quiet,
}

fn has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    extensions.iter().any(|e| lower.ends_with(e))
}

/// Whether a file is infrastructure code, by extension and content. `None`: a policy
/// file, read exactly as before (a JSON file that is no template stays one).
pub fn detect(name: &str, text: &str) -> Option<Input> {
    if has_extension(name, &[".json"]) {
        if !text.contains("\"Resources\"") {
            return None;
        }
        let root = json::parse(text).ok()?;
        return cloudformation::is_template(&root).then_some(Input::Template(Ok(root)));
    }
    if !has_extension(name, &[".yaml", ".yml", ".template"]) {
        return None;
    }
    // Only what names AWS resources is parsed: other YAML (CI, Kubernetes, Helm
    // templates that are not YAML yet) stays quiet.
    if !text.contains("AWS::") && !text.contains("AWSTemplateFormatVersion") {
        return Some(Input::Quiet);
    }
    let root = if text.trim_start().starts_with('{') {
        json::parse(text)
    } else {
        yaml::parse(text)
    };
    match root {
        Ok(root) if !cloudformation::is_template(&root) => Some(Input::Quiet),
        root => Some(Input::Template(root)),
    }
}

/// A file's text as `check` reads it when it is infrastructure code; `None` for a policy
/// file. (The fuzz target's entry.)
pub fn check_text(name: &str, text: &str, settings: &Settings) -> Option<FileResult> {
    let input = detect(name, text)?;
    Some(check(input, SourceFile::new(name, text), settings))
}

/// Check one infrastructure-code file.
pub(crate) fn check(input: Input, source: SourceFile, settings: &Settings) -> FileResult {
    let name = source.path.clone();
    let root = match input {
        Input::Quiet => {
            return FileResult {
                subjects: Vec::new(),
                findings: Vec::new(),
                sources: vec![Arc::new(source)],
            };
        }
        Input::Template(Ok(root)) => root,
        Input::Template(Err(error)) => {
            let error = crate::document::PolicyError {
                message: error.message,
                label: "here".into(),
                span: error.span,
            };
            let finding = invalid_policy::from_policy_error(&name, &source, &error);
            return FileResult {
                subjects: Vec::new(),
                findings: vec![finding],
                sources: vec![Arc::new(source)],
            };
        }
    };
    let model = cloudformation::read(&root, 0);
    review(model, vec![source], settings)
}

/// A model read from infrastructure code → its subjects and findings.
fn review(model: Model, sources: Vec<SourceFile>, settings: &Settings) -> FileResult {
    let mut report = Report::default();
    for problem in &model.problems {
        let source = &sources[problem.page];
        let error = &problem.error;
        report.findings.push(match problem.kind {
            ProblemKind::Invalid => invalid_policy::from_policy_error(&source.path, source, error),
            ProblemKind::Unresolved => document_finding(
                &unresolved::RULE,
                &source.path,
                source,
                &error.message,
                &error.label,
                error.span,
            ),
        });
    }
    let privileged = privileged_matcher(&settings.privileged_globs);
    let mut detached = Vec::new();
    for policy in &model.detached {
        let source = &sources[policy.document.page];
        let mut subject = Subject::unchecked(
            policy.name.clone(),
            SubjectKind::Policy,
            privileged.is_match(&policy.name),
        );
        subject.file = Some(source.path.clone());
        let findings = check_document(&mut subject, source, &policy.document.document, settings);
        detached.push((subject, findings));
    }
    let options = Options {
        include_service_linked: false,
        query: None,
        exit_after: false,
    };
    let mut report = account::review_model(report, model.dump, sources, &[], settings, &options);
    for (subject, findings) in detached {
        report.subjects.push(subject);
        report.findings.extend(findings);
    }
    FileResult {
        subjects: report.subjects,
        findings: report.findings,
        sources: report.sources.into_values().collect(),
    }
}
