//! `iamlint check --baseline REV|REPORT`: the base side of the comparison, either the same
//! paths at a git revision (read from git objects and checked exactly as the working tree
//! is, with the same settings) or a saved JSON report; then [`crate::baseline::compare`].

use super::check::{self, FileResult};
use crate::baseline::{self, FindingRecord, Route, RouteStep, Snapshot, SubjectAccess, saved};
use crate::config::Settings;
use crate::report::{AccessPath, Report};
use crate::rules::{Finding, stale_ignore};
use crate::source::files;
use crate::source::git::{self, Contents, Entry, Revision};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The base being read beside the run: git's work (the revision, its files, what
/// changed, the changed files' contents) or the saved report, on a thread of its own.
pub struct Pending {
    against: String,
    work: std::thread::JoinHandle<Result<Fetched, String>>,
    /// The blob ids of the working files the run reads, to the base's side (see
    /// [`Pending::working_file_read`]); none for a saved report.
    working: Option<std::sync::Arc<WorkingFiles>>,
}

/// The working files the run read so far, collected for the base's side. Collected
/// rather than sent one by one: a message to a waiting receiver wakes it, two context
/// switches per file; the base's side takes what came each millisecond.
#[derive(Default)]
struct WorkingFiles {
    read: std::sync::Mutex<Vec<WorkingFile>>,
    done: std::sync::atomic::AtomicBool,
}

impl WorkingFiles {
    /// What was read since the last call, and whether that is the last of it.
    fn take(&self) -> (Vec<WorkingFile>, bool) {
        // Read `done` first: files noted before it was set are in the list.
        let done = self.done.load(std::sync::atomic::Ordering::Acquire);
        let read = std::mem::take(&mut *self.read.lock().unwrap_or_else(|e| e.into_inner()));
        (read, done)
    }
}

/// A working file the run read, by the name findings give it, and its git blob id.
type WorkingFile = (String, String);

impl Pending {
    /// The run read the working file `name`: whether it differs from the revision's is
    /// told by its blob id, computed here on the run's thread that has its bytes, so that
    /// each file is read once and git is asked for the changed ones while the run goes on.
    pub fn working_file_read(&self, name: &str, bytes: &[u8]) {
        let Some(working) = &self.working else {
            return;
        };
        let file = (name.to_string(), git::blob_id(bytes));
        let mut read = working.read.lock().unwrap_or_else(|e| e.into_inner());
        read.push(file);
    }
}

enum Fetched {
    Saved(Snapshot),
    Revision(Box<FetchedRevision>),
}

/// What git said about the revision, before the run's results are known.
struct FetchedRevision {
    revision: Revision,
    roots: Vec<Root>,
    renames: Vec<git::Rename>,
    /// Every file of the base, by name.
    files: Vec<(String, BaseFile)>,
}

/// A file at the revision.
enum BaseFile {
    /// Git names it as unchanged: the run's own result stands for it.
    Unchanged,
    /// Changed, a Terraform file: its contents, judged with its module's other files.
    Contents(Contents),
    /// Changed, any other file: checked already, while git read the next ones.
    Checked(Box<FileResult>),
}

/// Start reading `against` for a run on `paths`: an existing file is a saved JSON report,
/// anything else a git revision.
pub fn start(against: &str, paths: &[PathBuf], settings: &Settings) -> Pending {
    let (name, paths) = (against.to_string(), paths.to_vec());
    if Path::new(against).is_file() {
        return Pending {
            against: against.to_string(),
            work: std::thread::spawn(move || read_saved(&name).map(Fetched::Saved)),
            working: None,
        };
    }
    let settings = std::sync::Arc::new(settings.clone());
    let working = std::sync::Arc::new(WorkingFiles::default());
    let read = std::sync::Arc::clone(&working);
    let work = std::thread::spawn(move || {
        let cwd = std::env::current_dir().map_err(|e| format!("--baseline: {e}"))?;
        let revision = git::resolve(&cwd, &name)?;
        fetch(revision, &paths, settings, read).map(|f| Fetched::Revision(Box::new(f)))
    });
    Pending {
        against: against.to_string(),
        work,
        working: Some(working),
    }
}

/// Compare `report` (the run on `paths`) with the base. The message says why the
/// comparison cannot be made (exit code 2).
pub fn finish(
    pending: Pending,
    report: &mut Report,
    paths: &[PathBuf],
    settings: &Settings,
) -> Result<(), String> {
    let Pending {
        against,
        work,
        working,
    } = pending;
    // The run read every file it will: the base's side asks git for the last ones.
    if let Some(working) = working {
        working
            .done
            .store(true, std::sync::atomic::Ordering::Release);
    }
    // The run's side first, while git may still be reading the base.
    let head = snapshot(report);
    let fetched = work
        .join()
        .map_err(|_| format!("--baseline {against}: reading the base failed"))??;
    let (base, commit) = match fetched {
        Fetched::Saved(snapshot) => (snapshot, None),
        Fetched::Revision(fetched) => {
            let commit = fetched.revision.commit.clone();
            (at_revision(*fetched, paths, settings, report), Some(commit))
        }
    };
    let mut comparison = baseline::compare(&base, &head, &against);
    comparison.commit = commit;
    report.baseline = Some(comparison);
    Ok(())
}

/// Compare an account review with a saved JSON report of an earlier one.
pub fn compare_with_report(report: &mut Report, against: &str) -> Result<(), String> {
    if !Path::new(against).is_file() {
        return Err(format!(
            "--baseline {against}: no such report file (iamlint account compares with a saved --format json report; git revisions are for iamlint check)"
        ));
    }
    let base = read_saved(against)?;
    report.baseline = Some(baseline::compare(&base, &snapshot(report), against));
    Ok(())
}

/// A run's subjects and findings as a comparison sees them (on the run's threads: an
/// account's report has hundreds of thousands).
fn snapshot(report: &Report) -> Snapshot {
    Snapshot {
        subjects: report
            .subjects
            .par_iter()
            .map(|s| SubjectAccess {
                name: s.name.clone(),
                privileged: s.privileged,
                allowed: s.allowed.clone(),
                scoped: s.scoped.clone(),
                reachable: s.reachable.clone(),
                paths: baseline::routes(s.paths.iter().flatten().map(route)),
            })
            .collect(),
        findings: report
            .findings
            .par_iter()
            .map(|f| FindingRecord::of(f, report.position(&f.location)))
            .collect(),
    }
}

/// A reported path by what names its route.
fn route(path: &AccessPath) -> Route {
    Route {
        actions: path.actions.clone(),
        scoped: path.scoped,
        steps: path
            .steps
            .iter()
            .map(|step| RouteStep {
                kind: step.kind.to_string(),
                id: step.id.clone(),
                from: step.from.clone(),
                to: step.to.clone(),
            })
            .collect(),
    }
}

fn read_saved(path: &str) -> Result<Snapshot, String> {
    let text = std::fs::read(path)
        .map_err(|e| format!("--baseline {path}: cannot read: {}", files::io_reason(&e)))?;
    let text = String::from_utf8(text)
        .map_err(|_| format!("--baseline {path}: not an iamlint JSON report (not UTF-8)"))?;
    saved::read(path, &text)
}

/// A command-line path, as findings name it and as git names it (relative to the top of
/// the repository; `""` for the top itself).
struct Root {
    display: String,
    in_repo: String,
}

impl Root {
    /// The name findings give to the file `path` of the repository, when it is under
    /// this root.
    fn display_of(&self, path: &str) -> Option<String> {
        let rest = if self.in_repo.is_empty() {
            path
        } else if path == self.in_repo {
            return Some(self.display.clone());
        } else {
            path.strip_prefix(&self.in_repo)?.strip_prefix('/')?
        };
        Some(if self.display == "." {
            rest.to_string()
        } else {
            format!("{}/{rest}", self.display.trim_end_matches('/'))
        })
    }
}

fn roots(paths: &[PathBuf], revision: &Revision) -> Result<Vec<Root>, String> {
    paths
        .iter()
        .map(|path| {
            let display = files::display_path(path);
            let full = if path.is_absolute() {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                let root = revision
                    .root
                    .canonicalize()
                    .unwrap_or(revision.root.clone());
                canonical
                    .strip_prefix(&root)
                    .map(Path::to_path_buf)
                    .map_err(|_| outside(&display))?
            } else {
                Path::new(&revision.prefix).join(path)
            };
            let mut parts: Vec<String> = Vec::new();
            for component in full.components() {
                match component {
                    Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                    Component::ParentDir => {
                        parts.pop().ok_or_else(|| outside(&display))?;
                    }
                    _ => {}
                }
            }
            Ok(Root {
                display,
                in_repo: parts.join("/"),
            })
        })
        .collect()
}

fn outside(display: &str) -> String {
    format!(
        "--baseline: {display} is outside the git repository, so it has no base to compare with"
    )
}

/// The files a walk of the working tree would read, named as it names them: a named file
/// whatever its extension, and under a folder the policy and infrastructure-code files
/// outside hidden entries and `exclude`. Symbolic links and submodules at the revision are not read.
fn candidates<'a>(
    roots: &[Root],
    entries: &'a [Entry],
    settings: &Settings,
) -> Vec<(String, &'a Entry)> {
    let mut out = Vec::new();
    for root in roots {
        for entry in entries.iter().filter(|e| e.is_file()) {
            let Some(display) = root.display_of(&entry.path) else {
                continue;
            };
            if entry.path == root.in_repo {
                if !settings.exclude.is_match(&display) {
                    out.push((display, entry));
                }
                continue;
            }
            let walked = display
                .strip_prefix(&root.display)
                .unwrap_or(&display)
                .trim_start_matches('/');
            let parts: Vec<&str> = walked.split('/').collect();
            let name = parts.last().copied().unwrap_or_default();
            let parent = display.rsplit_once('/').map_or(".", |(folder, _)| folder);
            if parts.iter().any(|p| p.starts_with('.')) || !files::is_checked_name(name, parent) {
                continue;
            }
            // The walk skips an excluded folder, and an excluded file.
            let mut folder = root.display.trim_end_matches('/').to_string();
            let mut excluded = root.display != "." && settings.exclude.is_match(&folder);
            for part in &parts[..parts.len() - 1] {
                folder = if folder == "." {
                    part.to_string()
                } else {
                    format!("{folder}/{part}")
                };
                excluded |= settings.exclude.is_match(&folder);
            }
            if !excluded && !settings.exclude.is_match(&display) {
                out.push((display, entry));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Git's part: the files under `paths` at the revision, what changed since, and the
/// changed ones: read with one `git cat-file --batch` and each checked (on the run's
/// threads, beside its own files) as soon as git hands it over.
fn fetch(
    revision: Revision,
    paths: &[PathBuf],
    settings: std::sync::Arc<Settings>,
    read: std::sync::Arc<WorkingFiles>,
) -> Result<FetchedRevision, String> {
    let with_git = |e: String| format!("--baseline {}: {e}", revision.name);
    let roots = roots(paths, &revision)?;
    let under: Vec<String> = roots.iter().map(|r| r.in_repo.clone()).collect();
    let entries = revision.files(&under).map_err(with_git)?;
    let candidates = candidates(&roots, &entries, &settings);
    // Which files differ from the working tree: by blob id, computed here (see
    // `differs`); in a SHA-256 repository, as `git diff` says.
    let sha1 = candidates.iter().all(|(_, e)| git::is_sha1_id(&e.object));
    let diff = if sha1 {
        None
    } else {
        Some(revision.changes(&under).map_err(with_git)?)
    };
    let vanished = std::sync::atomic::AtomicBool::new(false);
    let wanted: Box<dyn Iterator<Item = usize> + Send> = match &diff {
        Some(diff) => Box::new(
            (0..candidates.len()).filter(|&at| diff.touched.contains(&candidates[at].1.path)),
        ),
        None => Box::new(changed_working_files(&candidates, read, |entry: &Entry| {
            differs(&revision.root, entry, settings.max_file_size, &vanished)
        })),
    };
    let wanted = wanted.map(|at| (at, candidates[at].1.object.clone()));
    let mut files: Vec<(String, BaseFile)> = candidates
        .iter()
        .map(|(display, _)| (display.clone(), BaseFile::Unchanged))
        .collect();
    // Each changed file is checked on the run's threads as git hands it over.
    let checked = std::sync::Mutex::new(Vec::new());
    rayon::in_place_scope(|scope| {
        revision.read_each(wanted, settings.max_file_size, |at, contents| {
            let display = files[at].0.clone();
            if super::iac::is_terraform(&display) {
                files[at].1 = BaseFile::Contents(contents);
                return;
            }
            let (checked, settings) = (&checked, &settings);
            scope.spawn(move |_| {
                let result = check::check_bytes(&display, contents, settings).with_lines_indexed();
                let mut checked = checked.lock().unwrap_or_else(|e| e.into_inner());
                checked.push((at, result));
            });
        })
    })
    .map_err(with_git)?;
    for (at, result) in checked.into_inner().unwrap_or_else(|e| e.into_inner()) {
        files[at].1 = BaseFile::Checked(Box::new(result));
    }
    let renames = match diff {
        Some(diff) => diff.renames,
        // A file of the revision is gone from the working tree: git's rename detection.
        None if vanished.into_inner() => revision.changes(&under).map_err(with_git)?.renames,
        None => Vec::new(),
    };
    Ok(FetchedRevision {
        roots,
        renames,
        files,
        revision,
    })
}

/// The positions in `candidates` of the files that changed: first as the run reads the
/// working files (their blob ids come through `read`, as the run's threads find them),
/// then, once it is done, the files it did not read (gone, unreadable, or read by a
/// Terraform module), as `differs` says.
fn changed_working_files<'a>(
    candidates: &'a [(String, &'a Entry)],
    read: std::sync::Arc<WorkingFiles>,
    differs: impl Fn(&Entry) -> bool + Send + 'a,
) -> impl Iterator<Item = usize> + Send + 'a {
    let by_name: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(at, (display, _))| (display.as_str(), at))
        .collect();
    let mut decided = vec![false; candidates.len()];
    let mut arrived: std::vec::IntoIter<WorkingFile> = Vec::new().into_iter();
    let mut run_done = false;
    let mut not_read = 0..candidates.len();
    std::iter::from_fn(move || {
        loop {
            if let Some((name, id)) = arrived.next() {
                let Some(&at) = by_name.get(name.as_str()) else {
                    continue;
                };
                // A file named twice on the command line is read twice.
                if !std::mem::replace(&mut decided[at], true) && id != candidates[at].1.object {
                    return Some(at);
                }
                continue;
            }
            if run_done {
                return not_read.find(|&at| !decided[at] && differs(candidates[at].1));
            }
            let (files, done) = read.take();
            if files.is_empty() && !done {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            (arrived, run_done) = (files.into_iter(), done);
        }
    })
}

/// Whether the working tree's file differs from the revision's `entry`, by blob id
/// (noting in `vanished` a file that is gone), for a file the run did not read. Computed
/// here rather than asked of `git diff`, which re-reads every file whose timestamp is as
/// new as the index (after a CI checkout, all of them). A file that a filter or
/// line-ending conversion changes on checkout, or one that cannot be read (over the size
/// limit, not a regular file), merely counts as changed: its base is read and checked,
/// the comparison stays exact.
fn differs(
    root: &Path,
    entry: &Entry,
    max_size: u64,
    vanished: &std::sync::atomic::AtomicBool,
) -> bool {
    let path = root.join(&entry.path);
    match files::read_limited(&path, max_size) {
        Ok(bytes) => git::blob_id(&bytes) != entry.object,
        Err(_) => {
            if path.symlink_metadata().is_err() {
                vanished.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            true
        }
    }
}

/// The same paths at the revision, checked with the same settings; subjects git reports
/// as renamed since carry their new name. A file git does not name as changed has the
/// same bytes as the one `head` checked: its result is taken from there.
fn at_revision(
    fetched: FetchedRevision,
    paths: &[PathBuf],
    settings: &Settings,
    head: &Report,
) -> Snapshot {
    let checked = Results::of(head);
    let mut results: Vec<FileResult> = Vec::new();
    // Terraform files are judged by module (their folder), as the working tree's are.
    let (terraform, other): (Vec<_>, Vec<_>) = fetched
        .files
        .into_iter()
        .partition(|(display, _)| super::iac::is_terraform(display));
    let mut modules: Vec<(String, Vec<ModuleFile>)> = Vec::new();
    for (display, file) in terraform {
        let folder = match display.rsplit_once('/') {
            Some((folder, _)) => folder.to_string(),
            None => ".".to_string(),
        };
        let bytes = match file {
            BaseFile::Contents(bytes) => Some(bytes),
            _ => None,
        };
        match modules.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, files)) => files.push((display, bytes)),
            None => modules.push((folder, vec![(display, bytes)])),
        }
    }
    // The files modules read through `file()` are judged in them: those of the run's
    // modules (an unchanged module reads the same files), and of the changed ones.
    let mut read: HashSet<String> = head.read_by_modules.iter().cloned().collect();
    for (folder, files) in modules {
        // A folder another module calls is read from the working tree, as its callers
        // read it (like `file()`): the run's results stand for it.
        let called = files.iter().all(|(display, _)| read.contains(display));
        if called || files.iter().all(|(_, bytes)| bytes.is_none()) {
            // Unchanged: the run's results, file by file.
            results.extend(files.iter().filter_map(|(display, _)| checked.get(display)));
        } else {
            let result = module_at_revision(folder, files, settings);
            read.extend(result.reads.iter().cloned());
            results.push(result);
        }
    }
    for (display, file) in other.into_iter().filter(|(d, _)| !read.contains(d)) {
        match file {
            BaseFile::Checked(result) => results.push(*result),
            // Unchanged: the run's result. (A file the run did not check is on neither
            // side.)
            _ => results.extend(checked.get(&display)),
        }
    }
    let walked_only = paths.iter().all(|p| p.is_dir());
    let base = check::assemble(results, settings, walked_only);
    let mut snapshot = snapshot(&base);
    let roots = &fetched.roots;
    let renames: HashMap<String, String> = fetched
        .renames
        .into_iter()
        .filter_map(|rename| {
            let from = roots.iter().find_map(|r| r.display_of(&rename.from))?;
            let to = roots.iter().find_map(|r| r.display_of(&rename.to))?;
            Some((from, to))
        })
        .collect();
    snapshot.rename(&renames);
    snapshot
}

/// A Terraform file at the revision: its name, and its bytes when git names it as changed.
type ModuleFile = (String, Option<Contents>);

/// A Terraform module at the revision: its changed files' contents from git, the others'
/// (the same bytes) from the working tree.
fn module_at_revision(folder: String, files: Vec<ModuleFile>, settings: &Settings) -> FileResult {
    let (sources, findings) =
        super::iac::module_sources(files.into_iter().map(|(display, bytes)| {
            let bytes = bytes.unwrap_or_else(|| {
                files::read_limited(Path::new(&display), settings.max_file_size)
            });
            (display, bytes)
        }));
    let module = super::iac::Module {
        dir: PathBuf::from(&folder),
        display: folder,
        files: Vec::new(),
    };
    super::iac::check_module_sources(&module, sources, findings, settings)
}

/// Each file's result as a report has it (before `[[ignore]]` entries and
/// `stale-ignore`), by file: for base files whose contents are the checked ones'. A
/// policy file's subject is the file; a template's subjects name the file they are in.
struct Results<'a> {
    report: &'a Report,
    by_file: HashMap<&'a str, (Vec<usize>, Vec<&'a Finding>)>,
}

impl<'a> Results<'a> {
    fn of(report: &'a Report) -> Results<'a> {
        let mut by_file: HashMap<&str, (Vec<usize>, Vec<&Finding>)> = HashMap::new();
        let mut file_of: HashMap<&str, &str> = HashMap::new();
        for (i, subject) in report.subjects.iter().enumerate() {
            let file = subject.file.as_deref().unwrap_or(&subject.name);
            by_file.entry(file).or_default().0.push(i);
            file_of.insert(subject.name.as_str(), file);
        }
        let findings = report.findings.iter();
        for finding in findings.chain(report.suppressed.iter().map(|(f, _)| f)) {
            let file = file_of.get(finding.subject.as_str());
            if let Some((_, of_file)) = file.and_then(|file| by_file.get_mut(file)) {
                if finding.rule != &stale_ignore::RULE {
                    of_file.push(finding);
                }
            }
        }
        Results { report, by_file }
    }

    fn get(&self, name: &str) -> Option<FileResult> {
        let (subjects, findings) = self.by_file.get(name)?;
        Some(FileResult {
            subjects: subjects
                .iter()
                .map(|&i| self.report.subjects[i].clone())
                .collect(),
            findings: findings.iter().map(|f| (*f).clone()).collect(),
            sources: vec![self.report.sources.get(name)?.clone()],
            reads: Vec::new(),
        })
    }
}
