//! Which files `iamlint check` reads: folders are walked for `*.json`, for `*.yaml`,
//! `*.yml` and `*.template` (CloudFormation) and `*.tf` (Terraform); inside a `cdk.out` folder only
//! `*.template.json` (hidden entries skipped, symlinked folders not followed, so a symlink
//! loop cannot trap the walk); files named on the command line are always read, whatever
//! their extension.

use crate::globs::PathMatcher;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file to read, or a named path that cannot be one.
#[derive(Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Path as findings show it: as given on the command line, joined with the walk.
    pub display: String,
    pub path: PathBuf,
    /// Why this path cannot be read (missing, not a regular file, …), found while walking.
    pub problem: Option<String>,
}

/// What the command-line paths expand to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// Sorted by display path, without duplicates.
    pub candidates: Vec<Candidate>,
    /// Folders given on the command line whose walk found no policy file, as given.
    pub empty_folders: Vec<String>,
}

/// Expand command-line paths into candidates, and name the folders that held none.
pub fn collect(paths: &[PathBuf], exclude: &PathMatcher) -> Collected {
    collect_named(paths, exclude, is_checked_name)
}

/// [`collect`] with another rule for the file names a folder walk takes (given the name
/// and the folder it is in).
pub fn collect_named(
    paths: &[PathBuf],
    exclude: &PathMatcher,
    wanted: fn(&str, &str) -> bool,
) -> Collected {
    let mut out = Vec::new();
    let mut empty_folders = Vec::new();
    for path in paths {
        let display = display_path(path);
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let before = out.len();
                walk(path, &display, exclude, wanted, &mut out);
                if out.len() == before {
                    empty_folders.push(display);
                }
            }
            Ok(_) if exclude.is_match(&display) => {}
            Ok(_) => out.push(Candidate {
                display,
                path: path.clone(),
                problem: None,
            }),
            Err(err) => out.push(Candidate {
                display,
                path: path.clone(),
                problem: Some(io_reason(&err)),
            }),
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    Collected {
        candidates: out,
        empty_folders,
    }
}

fn walk(
    dir: &Path,
    display: &str,
    exclude: &PathMatcher,
    wanted: fn(&str, &str) -> bool,
    out: &mut Vec<Candidate>,
) {
    if display != "." && exclude.is_match(display) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            out.push(Candidate {
                display: display.to_string(),
                path: dir.to_path_buf(),
                problem: Some(io_reason(&err)),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let child = if display == "." {
            name.to_string()
        } else {
            format!("{}/{name}", display.trim_end_matches('/'))
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            walk(&path, &child, exclude, wanted, out);
        } else if wanted(&name, display) && !exclude.is_match(&child) {
            // Symlinks to files are read; whether the target is usable is found on read.
            out.push(Candidate {
                display: child,
                path,
                problem: None,
            });
        }
    }
}

pub fn is_json_name(name: &str) -> bool {
    name.len() > 5 && name[name.len() - 5..].eq_ignore_ascii_case(".json")
}

/// Policy files and templates; in CDK's output folder only the synthesized templates
/// (its manifests and asset lists are not policies).
pub fn is_checked_name(name: &str, folder: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if folder.rsplit('/').next() == Some("cdk.out") {
        return lower.ends_with(".template.json");
    }
    is_json_name(name)
        || [".yaml", ".yml", ".template", ".tf"]
            .iter()
            .any(|e| lower.len() > e.len() && lower.ends_with(e))
}

/// `./a/b.json` → `a/b.json`; other paths as given.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut text: &str = &text;
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    if text.is_empty() {
        ".".into()
    } else {
        text.into()
    }
}

/// Read a whole regular file of at most `max_bytes`. Refuses FIFOs, devices and folders
/// without reading or waiting on them, so a named pipe cannot block the run.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    // Opened first and asked what it is (one path lookup, not two), without waiting: a
    // FIFO opened for reading would block until some writer came.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(|e| io_reason(&e))?;
    let meta = file.metadata().map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, socket or device)".into());
    }
    if meta.len() > max_bytes {
        return Err(too_large(meta.len(), max_bytes));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: never read past the limit.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

pub fn too_large(size: u64, max: u64) -> String {
    format!(
        "file is {} bytes, over the limit of {} bytes (raise it with --max-file-size)",
        size, max
    )
}

/// An I/O error as a short, lower-case reason without the OS error number.
pub fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text.to_lowercase(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_leading_dot_slash() {
        assert_eq!(display_path(Path::new("./a/b.json")), "a/b.json");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("./")), ".");
        assert_eq!(display_path(Path::new("/abs/x.json")), "/abs/x.json");
    }

    #[test]
    fn folders_without_policy_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["empty", "yaml", "full/deep"] {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        fs::write(dir.path().join("yaml/p.txt"), "").unwrap();
        fs::write(dir.path().join("yaml/.hidden.json"), "{}").unwrap();
        fs::write(dir.path().join("full/deep/p.json"), "{}").unwrap();
        let paths: Vec<PathBuf> = ["empty", "yaml", "full"]
            .iter()
            .map(|f| dir.path().join(f))
            .collect();
        let collected = collect(&paths, &PathMatcher::default());
        assert_eq!(collected.candidates.len(), 1);
        assert_eq!(
            collected.empty_folders,
            [display_path(&paths[0]), display_path(&paths[1])]
        );
    }

    #[test]
    fn json_names_case_insensitive() {
        assert!(is_json_name("a.json"));
        assert!(is_json_name("A.JSON"));
        assert!(!is_json_name(".json"));
        assert!(!is_json_name("a.jsonc"));
        assert!(!is_json_name("a.yaml"));
    }

    #[test]
    fn templates_are_walked_and_cdk_out_only_for_its_templates() {
        assert!(is_checked_name("stack.yaml", "infra"));
        assert!(is_checked_name("stack.YML", "infra"));
        assert!(is_checked_name("stack.template", "infra"));
        assert!(!is_checked_name("notes.txt", "infra"));
        assert!(is_checked_name("main.tf", "infra"));
        assert!(!is_checked_name("terraform.tfvars", "infra"));
        assert!(is_checked_name("App.template.json", "app/cdk.out"));
        assert!(!is_checked_name("manifest.json", "app/cdk.out"));
        assert!(!is_checked_name("tree.json", "cdk.out"));
    }
}
