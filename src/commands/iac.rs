//! Infrastructure code in `iamlint check`: a CloudFormation, SAM or CDK-synthesized
//! template, a Terraform module (the `*.tf` files of a folder) or plan, becomes an account model ([`crate::source::template::Model`]) and goes
//! through the account review ([`account::review_model`]): its principals are subjects
//! with effective access and paths; policies it attaches to nothing are judged as
//! policy files are.

use super::account::{self, Options};
use super::check::{FileResult, check_document};
use crate::config::Settings;
use crate::document::json::{self, Node, SyntaxError};
use crate::document::source::decode;
use crate::document::yaml;
use crate::report::{Report, Subject, SubjectKind};
use crate::rules::{Finding, document_finding, invalid_policy, unresolved};
use crate::source::SourceFile;
use crate::source::files::{self, Candidate};
use crate::source::template::{Model, ProblemKind};
use crate::source::{cloudformation, plan, terraform};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file `check` reads as infrastructure code rather than as a policy.
pub enum Input {
    /// A template, or why its text could not be read.
    Template(Result<Node, SyntaxError>),
    /// A Terraform plan (`terraform show -json`).
    Plan(Node),
    /// A YAML file that is no template: nothing to report.
    Quiet,
}

fn has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    extensions.iter().any(|e| lower.ends_with(e))
}

/// A Terraform file, judged with the others of its folder (its module).
pub fn is_terraform(name: &str) -> bool {
    has_extension(name, &[".tf"])
}

/// Whether a file is infrastructure code, by extension and content. `None`: a policy
/// file, read exactly as before (a JSON file that is no template stays one).
pub fn detect(name: &str, text: &str) -> Option<Input> {
    // Every policy file is looked through: memmem's vector search, not str's Two-Way.
    let contains =
        |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
    if has_extension(name, &[".json"]) {
        let plan = contains("\"format_version\"")
            && (contains("\"resource_changes\"") || contains("\"planned_values\""));
        if !plan && !contains("\"Resources\"") {
            return None;
        }
        let root = json::parse(text).ok()?;
        if plan::is_plan(&root) {
            return Some(Input::Plan(root));
        }
        return cloudformation::is_template(&root).then_some(Input::Template(Ok(root)));
    }
    if !has_extension(name, &[".yaml", ".yml", ".template"]) {
        return None;
    }
    // Only what names AWS resources is parsed: other YAML (CI, Kubernetes, Helm
    // templates that are not YAML yet) stays quiet.
    if !contains("AWS::") && !contains("AWSTemplateFormatVersion") {
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

/// Nothing to report about these files.
fn quiet(sources: Vec<SourceFile>) -> FileResult {
    FileResult {
        subjects: Vec::new(),
        findings: Vec::new(),
        sources: sources.into_iter().map(Arc::new).collect(),
        reads: Vec::new(),
    }
}

/// Check one infrastructure-code file.
pub(crate) fn check(input: Input, source: SourceFile, settings: &Settings) -> FileResult {
    let name = source.path.clone();
    let root = match input {
        Input::Quiet => return quiet(vec![source]),
        Input::Template(Ok(root)) => root,
        Input::Plan(root) => return review(plan::read(&root, 0), vec![source], settings),
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
                reads: Vec::new(),
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
    let privileged = crate::globs::PrincipalMatcher::new(&settings.privileged_globs);
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
        group_subjects: true,
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
        reads: Vec::new(),
    }
}

/// A Terraform module: every `*.tf` file of a folder where the walk (or the command
/// line) names one — a hook that passes only the changed files still sees the module.
pub struct Module {
    /// The folder as findings name it.
    pub display: String,
    pub dir: PathBuf,
    pub files: Vec<Candidate>,
}

/// Split the candidates into Terraform modules and the other files.
pub fn modules(candidates: &[Candidate]) -> (Vec<Module>, Vec<&Candidate>) {
    let mut modules: Vec<Module> = Vec::new();
    let mut others = Vec::new();
    for candidate in candidates {
        if !is_terraform(&candidate.display) {
            others.push(candidate);
            continue;
        }
        let dir = candidate
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let display = match candidate.display.rsplit_once('/') {
            Some((folder, _)) => folder.to_string(),
            None => ".".to_string(),
        };
        if modules.iter().any(|m| m.dir == dir) {
            continue;
        }
        let mut files = siblings(&dir, &display);
        if !files.iter().any(|f| f.display == candidate.display) {
            files.push(Candidate {
                display: candidate.display.clone(),
                path: candidate.path.clone(),
                problem: candidate.problem.clone(),
            });
        }
        files.sort_by(|a, b| a.display.cmp(&b.display));
        modules.push(Module {
            display,
            dir,
            files,
        });
    }
    (modules, others)
}

/// The results of the modules that no other module of the run calls: a folder called
/// with a local `source` is judged as part of its caller, with the caller's inputs (as
/// Terraform plans it), not again as a root module of its own. Two folders calling each
/// other (a cycle, reported) both stay.
pub fn without_called_modules(modules: &[Module], results: Vec<FileResult>) -> Vec<FileResult> {
    let reads: Vec<std::collections::HashSet<&str>> = results
        .iter()
        .map(|r| r.reads.iter().map(String::as_str).collect())
        .collect();
    let reads_all = |reader: usize, module: usize| {
        let files = &modules[module].files;
        !files.is_empty()
            && files
                .iter()
                .all(|f| reads[reader].contains(f.display.as_str()))
    };
    let called: Vec<bool> = (0..modules.len())
        .map(|m| (0..modules.len()).any(|n| n != m && reads_all(n, m) && !reads_all(m, n)))
        .collect();
    results
        .into_iter()
        .zip(called)
        .filter_map(|(result, called)| (!called).then_some(result))
        .collect()
}

/// The `*.tf` files of a folder (not hidden ones), named under `display`.
fn siblings(dir: &Path, display: &str) -> Vec<Candidate> {
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let is_file = entry
                .file_type()
                .is_ok_and(|t| t.is_file() || t.is_symlink());
            (is_file && !name.starts_with('.') && has_extension(&name, &[".tf"])).then(|| {
                Candidate {
                    display: if display == "." {
                        name.clone()
                    } else {
                        format!("{display}/{name}")
                    },
                    path: entry.path(),
                    problem: None,
                }
            })
        })
        .collect()
}

/// The folder `file()` may read under: the nearest one holding `.git`, else the
/// current folder.
fn repository_root(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok()?.canonicalize().ok())
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A file `file()` reads, named as the walk names it: `FOLDER/PATH` with `.` and `..`
/// taken out (`deploy/../shared/a.json` → `shared/a.json`), a leading `..` kept.
fn display_of_read(folder: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined = if folder == "." {
        path.to_string()
    } else {
        format!("{folder}/{path}")
    };
    let absolute = joined.starts_with('/');
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Check one Terraform module: its files are the pages of one model.
pub fn check_module(module: &Module, settings: &Settings) -> FileResult {
    let (sources, findings) = read_module(module, settings);
    check_module_sources(module, sources, findings, settings)
}

/// A module's files from the working tree, and a finding for each unreadable one.
fn read_module(module: &Module, settings: &Settings) -> (Vec<SourceFile>, Vec<Finding>) {
    module_sources(module.files.iter().map(|candidate| {
        let bytes = match &candidate.problem {
            Some(problem) => Err(problem.clone()),
            None => files::read_limited(&candidate.path, settings.max_file_size),
        };
        (candidate.display.clone(), bytes)
    }))
}

/// Module files (name, bytes or why they could not be read) as sources, and a finding
/// for each unreadable one.
pub fn module_sources(
    files: impl IntoIterator<Item = (String, Result<Vec<u8>, String>)>,
) -> (Vec<SourceFile>, Vec<Finding>) {
    let mut sources = Vec::new();
    let mut findings = Vec::new();
    for (display, bytes) in files {
        let text = bytes.and_then(|b| decode(&b).map(str::to_string).map_err(|e| e.message));
        match text {
            Ok(text) => sources.push(SourceFile::new(display, text)),
            Err(reason) => {
                let source = SourceFile::new(display.clone(), String::new());
                findings.push(invalid_policy::unreadable(
                    &display,
                    &source,
                    &format!("cannot read: {reason}"),
                ));
            }
        }
    }
    (sources, findings)
}

/// A module from its files' texts (read from the working tree, or a revision's for
/// `--baseline`); `file()`, `templatefile()` and the modules it calls read from the
/// working tree.
pub fn check_module_sources(
    module: &Module,
    sources: Vec<SourceFile>,
    findings: Vec<Finding>,
    settings: &Settings,
) -> FileResult {
    let tree = Tree {
        root: repository_root(&module.dir),
        module_dir: module.dir.canonicalize().unwrap_or_default(),
        display: module.display.clone(),
    };
    let mut result = review_module(sources, settings, Some(tree));
    result.findings.extend(findings);
    result
}

/// Where a module's reads go: its folder in the working tree, inside the repository.
struct Tree {
    root: Option<PathBuf>,
    module_dir: PathBuf,
    /// The module's folder as findings name it.
    display: String,
}

/// What a module reads (`None`: nothing, one text checked alone), each file once, as
/// the pages after `first`.
struct TreeReads {
    tree: Option<Tree>,
    max_file_size: u64,
    first: usize,
    loaded: Vec<SourceFile>,
}

impl TreeReads {
    /// The file or folder `path` (relative to the module) names, when it stays in the
    /// repository, also through symbolic links; and its display name.
    fn confined(&self, path: &str) -> Result<(PathBuf, String), String> {
        let tree = self.tree.as_ref().ok_or("not read here")?;
        let inside = |p: &Path| tree.root.as_ref().is_some_and(|r| p.starts_with(r));
        let target = lexical(&tree.module_dir.join(path));
        if !inside(&target) {
            return Err("the path leaves the repository".to_string());
        }
        let canonical = target.canonicalize().map_err(|e| files::io_reason(&e))?;
        if !inside(&canonical) {
            return Err("the path leaves the repository".into());
        }
        Ok((canonical, display_of_read(&tree.display, path)))
    }

    /// A file's page: a file read before keeps its page unless `again` (a module folder
    /// called twice is two instances, each with pages of its own).
    fn read(
        &mut self,
        path: &Path,
        display: String,
        again: bool,
    ) -> Result<(usize, String), String> {
        let before = self.loaded.iter().position(|s| s.path == display);
        if let Some(at) = before.filter(|_| !again) {
            return Ok((self.first + at, self.loaded[at].text.clone()));
        }
        let bytes = files::read_limited(path, self.max_file_size)?;
        let text = decode(&bytes).map_err(|e| e.message)?.to_string();
        self.loaded.push(SourceFile::new(display, text.clone()));
        Ok((self.first + self.loaded.len() - 1, text))
    }
}

impl terraform::Reads for TreeReads {
    fn file(&mut self, path: &str) -> Result<(usize, String), String> {
        let (canonical, display) = self.confined(path)?;
        self.read(&canonical, display, false)
    }

    fn folder(&mut self, path: &str) -> Result<Vec<(usize, String)>, String> {
        let (canonical, _) = self.confined(path)?;
        if self
            .tree
            .as_ref()
            .is_some_and(|t| t.module_dir == canonical)
        {
            // The root by another way (`../root`): the reader's own check sees folders
            // relative to the root only.
            return Err("a module cycle: this folder is already being read".into());
        }
        if !canonical.is_dir() {
            return Err(format!("{path} is not a folder"));
        }
        let mut names: Vec<String> = std::fs::read_dir(&canonical)
            .map_err(|e| files::io_reason(&e))?
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().to_string())
            .filter(|name| !name.starts_with('.') && has_extension(name, &[".tf"]))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(format!("{path} holds no *.tf file"));
        }
        names
            .iter()
            .map(|name| {
                let (file, display) = self.confined(&format!("{path}/{name}"))?;
                self.read(&file, display, true)
            })
            .collect()
    }
}

/// A module's files, read: the model and its review. Quiet when no file names IAM or
/// calls a module of the repository.
fn review_module(
    mut sources: Vec<SourceFile>,
    settings: &Settings,
    tree: Option<Tree>,
) -> FileResult {
    let worth_reading = |s: &SourceFile| {
        terraform::mentions_iam(&s.text) || terraform::calls_local_modules(&s.text)
    };
    if !sources.iter().any(worth_reading) {
        return quiet(sources);
    }
    // The variable files are pages after the module's own.
    let module_files = sources.len();
    for (name, text) in &settings.terraform_var_files {
        sources.push(SourceFile::new(name.clone(), text.clone()));
    }
    let texts: Vec<String> = sources.iter().map(|s| s.text.clone()).collect();
    let borrowed: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (bodies, problems) = terraform::parse(&borrowed);
    let (module, values): (Vec<_>, Vec<_>) = bodies
        .into_iter()
        .partition(|(page, _)| *page < module_files);
    let mut reads = TreeReads {
        tree,
        max_file_size: settings.max_file_size,
        first: sources.len(),
        loaded: Vec::new(),
    };
    let mut model = terraform::read(&module, &values, texts.clone(), &mut reads);
    model.problems.splice(0..0, problems);
    let read = reads.loaded.iter().map(|s| s.path.clone()).collect();
    sources.extend(reads.loaded);
    let mut result = review(model, sources, settings);
    result.reads = read;
    result
}

/// One `.tf` text as a module of its own, `file()` reading nothing (the fuzz target's
/// entry).
pub fn check_module_text(name: &str, text: &str, settings: &Settings) -> FileResult {
    let sources = vec![SourceFile::new(name, text)];
    review_module(sources, settings, None)
}

#[cfg(test)]
mod tests {
    use super::display_of_read;

    #[test]
    fn files_read_are_named_as_the_walk_names_them() {
        for (folder, path, display) in [
            ("infra/ci", "deploy.json", "infra/ci/deploy.json"),
            ("infra/ci", "./p/../deploy.json", "infra/ci/deploy.json"),
            (
                "infra/ci",
                "../shared/trust.json",
                "infra/shared/trust.json",
            ),
            (".", "../up.json", "../up.json"),
            ("ci", "../../up.json", "../up.json"),
            ("/repo/ci", "../../../x.json", "/x.json"),
        ] {
            assert_eq!(display_of_read(folder, path), display, "{folder} {path}");
        }
    }
}
