//! `iamlint check --baseline REV|REPORT`: the base side of the comparison, either the same
//! paths at a git revision (read from git objects and checked exactly as the working tree
//! is, with the same settings) or a saved JSON report; then [`crate::baseline::compare`].

use super::check::{self, FileResult};
use crate::baseline::{self, FindingRecord, Snapshot, SubjectAccess, saved};
use crate::config::Settings;
use crate::report::Report;
use crate::source::files;
use crate::source::git::{self, Entry, Revision};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Compare `report` (the run on `paths`) with `against`: an existing file is a saved JSON
/// report, anything else a git revision. The message says why the comparison cannot be
/// made (exit code 2).
pub fn compare(
    report: &mut Report,
    paths: &[PathBuf],
    settings: &Settings,
    against: &str,
) -> Result<(), String> {
    let (base, commit) = if Path::new(against).is_file() {
        (read_saved(against)?, None)
    } else {
        let cwd = std::env::current_dir().map_err(|e| format!("--baseline: {e}"))?;
        let revision = git::resolve(&cwd, against)?;
        let base = at_revision(&revision, paths, settings, report)?;
        (base, Some(revision.commit))
    };
    let mut comparison = baseline::compare(&base, &snapshot(report), against);
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

/// A run's subjects and findings as a comparison sees them.
fn snapshot(report: &Report) -> Snapshot {
    Snapshot {
        subjects: report
            .subjects
            .iter()
            .map(|s| SubjectAccess {
                name: s.name.clone(),
                privileged: s.privileged,
                allowed: s.allowed.clone(),
                scoped: s.scoped.clone(),
                reachable: s.reachable.clone(),
            })
            .collect(),
        findings: report
            .findings
            .iter()
            .map(|f| FindingRecord::of(f, report.position(&f.location)))
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
/// whatever its extension, and under a folder the `*.json` files outside hidden entries
/// and `exclude`. Symbolic links and submodules at the revision are not read.
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
            if parts.iter().any(|p| p.starts_with('.')) || !files::is_json_name(name) {
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

/// The same paths at `revision`, checked with the same settings; subjects git reports as
/// renamed since carry their new name. A file git does not name as changed has the same
/// bytes as the one `head` checked: its result is taken from there, not computed again.
fn at_revision(
    revision: &Revision,
    paths: &[PathBuf],
    settings: &Settings,
    head: &Report,
) -> Result<Snapshot, String> {
    let with_git = |e: String| format!("--baseline {}: {e}", revision.name);
    let roots = roots(paths, revision)?;
    let under: Vec<String> = roots.iter().map(|r| r.in_repo.clone()).collect();
    let entries = revision.files(&under).map_err(with_git)?;
    let changes = revision.changes(&under).map_err(with_git)?;
    let checked = check::Results::of(head);
    let mut results: Vec<FileResult> = Vec::new();
    let mut to_read: Vec<(String, &Entry)> = Vec::new();
    for (display, entry) in candidates(&roots, &entries, settings) {
        let same = (!changes.touched.contains(&entry.path))
            .then(|| checked.get(&display))
            .flatten();
        match same {
            Some(result) => results.push(result),
            None => to_read.push((display, entry)),
        }
    }
    let readable: Vec<&str> = to_read
        .iter()
        .filter(|(_, e)| e.size.unwrap_or(0) <= settings.max_file_size)
        .map(|(_, e)| e.object.as_str())
        .collect();
    let mut blobs = revision.read(&readable).map_err(with_git)?.into_iter();
    let inputs: Vec<(String, Result<Vec<u8>, String>)> = to_read
        .into_iter()
        .map(|(display, entry)| {
            let size = entry.size.unwrap_or(0);
            let bytes = if size <= settings.max_file_size {
                Ok(blobs.next().unwrap_or_default())
            } else {
                Err(files::too_large(size, settings.max_file_size))
            };
            (display, bytes)
        })
        .collect();
    results.par_extend(
        inputs
            .into_par_iter()
            .map(|(display, bytes)| check::check_bytes(&display, bytes, settings)),
    );
    let walked_only = paths.iter().all(|p| p.is_dir());
    let base = check::assemble(results, settings, walked_only);
    let mut snapshot = snapshot(&base);
    let renames: HashMap<String, String> = changes
        .renames
        .into_iter()
        .filter_map(|rename| {
            let from = roots.iter().find_map(|r| r.display_of(&rename.from))?;
            let to = roots.iter().find_map(|r| r.display_of(&rename.to))?;
            Some((from, to))
        })
        .collect();
    snapshot.rename(&renames);
    Ok(snapshot)
}
