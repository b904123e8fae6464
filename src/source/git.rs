//! Files at a git revision, read from git's objects with the `git` command: no checkout,
//! the working tree is never touched. What `iamlint check --baseline REV` compares with.
//!
//! Paths here are relative to the repository root with `/` separators, as git names them.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A revision resolved to its commit, in the repository that holds the working folder.
#[derive(Clone, Debug)]
pub struct Revision {
    /// As the user gave it (`origin/main`, a SHA).
    pub name: String,
    /// The full commit id it resolves to.
    pub commit: String,
    /// The repository's top folder.
    pub root: PathBuf,
    /// The working folder relative to `root` (`""` at the top, else ending in `/`).
    pub prefix: String,
}

/// One file of a revision's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// `100644`, `100755`, `120000` (a symbolic link), `160000` (a submodule).
    pub mode: String,
    pub object: String,
    /// Bytes; `None` for a submodule.
    pub size: Option<u64>,
}

impl Entry {
    /// A regular file (not a symbolic link or a submodule).
    pub fn is_file(&self) -> bool {
        self.mode.starts_with("100")
    }
}

/// A file renamed between the revision and the working tree, as git's rename detection
/// reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

/// What differs between the revision and the working tree (tracked files).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub renames: Vec<Rename>,
    /// Every path git names (added, deleted, modified, renamed from or to, …): a file of
    /// the revision not named here has the same contents in the working tree.
    pub touched: std::collections::HashSet<String>,
}

fn git(cwd: &Path) -> Command {
    let mut command = Command::new("git");
    // File names are never patterns; no pager, no prompt.
    command
        .current_dir(cwd)
        .arg("--literal-pathspecs")
        .arg("--no-pager")
        .env("GIT_TERMINAL_PROMPT", "0")
        // Never write the index, not even git's opportunistic refresh.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    command
}

/// Run git; its stdout, or its first stderr line as the reason.
fn output(command: &mut Command) -> Result<Vec<u8>, String> {
    let out = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "git is not installed (or not on PATH)".to_string()
        } else {
            format!("cannot run git: {e}")
        }
    })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git failed")
            .trim()
            .to_string())
    }
}

fn text_line(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// Resolve `name` to a commit of the repository around `cwd`. The messages say what to do:
/// not a repository, an unknown revision, or one a shallow clone does not have.
pub fn resolve(cwd: &Path, name: &str) -> Result<Revision, String> {
    let root = output(git(cwd).args(["rev-parse", "--show-toplevel"])).map_err(|_| {
        format!("--baseline {name}: the current folder is not in a git repository (give a saved JSON report instead)")
    })?;
    let prefix = text_line(output(git(cwd).args(["rev-parse", "--show-prefix"]))?);
    let verify = format!("{name}^{{commit}}");
    // A name starting with `-` would be read as an option.
    let resolved = if name.starts_with('-') || name.is_empty() {
        Err(String::new())
    } else {
        output(git(cwd).args(["rev-parse", "--verify", "--quiet", &verify]))
    };
    let commit = match resolved {
        Ok(commit) => text_line(commit),
        Err(_) => {
            let shallow = output(git(cwd).args(["rev-parse", "--is-shallow-repository"]))
                .map(text_line)
                .is_ok_and(|s| s == "true");
            return Err(if shallow {
                format!(
                    "--baseline {name}: this clone is shallow and does not have that commit; check out with `fetch-depth: 0` (actions/checkout), or fetch it first: git fetch --depth=1 origin {name}"
                )
            } else {
                format!(
                    "--baseline {name}: not a commit of this repository (an unknown revision, or one not fetched yet)"
                )
            });
        }
    };
    Ok(Revision {
        name: name.to_string(),
        commit,
        root: PathBuf::from(text_line(root)),
        prefix,
    })
}

impl Revision {
    /// Every file at this revision under the given paths (a file, or a folder; `""` is
    /// the whole tree), sorted by path. Paths absent at the revision give nothing.
    pub fn files(&self, under: &[String]) -> Result<Vec<Entry>, String> {
        let mut command = git(&self.root);
        command.args([
            "ls-tree",
            "-r",
            "-z",
            "-l",
            "--full-tree",
            &self.commit,
            "--",
        ]);
        command.args(pathspecs(under));
        let listing = output(&mut command)?;
        let mut entries: Vec<Entry> = listing
            .split(|&b| b == 0)
            .filter(|record| !record.is_empty())
            .map(parse_entry)
            .collect::<Result<_, _>>()?;
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        entries.dedup_by(|a, b| a.path == b.path);
        Ok(entries)
    }

    /// The contents of objects, in order, through one `git cat-file --batch`.
    pub fn read(&self, objects: &[&str]) -> Result<Vec<Vec<u8>>, String> {
        if objects.is_empty() {
            return Ok(Vec::new());
        }
        let mut child = git(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let request: String = objects.iter().map(|o| format!("{o}\n")).collect();
        // Written beside the reading, so that neither pipe fills up and blocks the other.
        let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
        let stdout = child.stdout.take().expect("piped stdout");
        let blobs = read_batch(BufReader::with_capacity(256 * 1024, stdout), objects.len());
        let written = writer.join().unwrap_or(Ok(()));
        let status = child.wait().map_err(|e| format!("git cat-file: {e}"))?;
        let blobs = blobs?;
        written.map_err(|e| format!("git cat-file: {e}"))?;
        if !status.success() {
            return Err("git cat-file failed".into());
        }
        Ok(blobs)
    }

    /// What differs between this revision and the working tree under the given paths.
    pub fn changes(&self, under: &[String]) -> Result<Changes, String> {
        let mut command = git(&self.root);
        command.args([
            "diff",
            "--name-status",
            "-M",
            "-z",
            "--no-ext-diff",
            "--no-color",
            &self.commit,
            "--",
        ]);
        command.args(pathspecs(under));
        parse_changes(&output(&mut command)?)
    }
}

/// The paths to name to git: none when one of them is the whole tree.
fn pathspecs(under: &[String]) -> &[String] {
    if under.iter().any(String::is_empty) {
        &[]
    } else {
        under
    }
}

/// `<mode> SP <type> SP <object> SP <size> TAB <path>` (`ls-tree -l -z`).
fn parse_entry(record: &[u8]) -> Result<Entry, String> {
    let bad = || {
        format!(
            "unexpected git ls-tree output: {}",
            String::from_utf8_lossy(record)
        )
    };
    let tab = record.iter().position(|&b| b == b'\t').ok_or_else(bad)?;
    let head = std::str::from_utf8(&record[..tab]).map_err(|_| bad())?;
    let path = String::from_utf8_lossy(&record[tab + 1..]).into_owned();
    let mut fields = head.split_ascii_whitespace();
    let (Some(mode), Some(_kind), Some(object), Some(size)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(bad());
    };
    Ok(Entry {
        path,
        mode: mode.to_string(),
        object: object.to_string(),
        size: size.parse().ok(),
    })
}

/// `<object> SP <type> SP <size> LF <contents> LF`, `count` times.
fn read_batch(mut input: impl BufRead, count: usize) -> Result<Vec<Vec<u8>>, String> {
    let mut blobs = Vec::with_capacity(count);
    let mut header = String::new();
    for _ in 0..count {
        header.clear();
        input
            .read_line(&mut header)
            .map_err(|e| format!("git cat-file: {e}"))?;
        let fields: Vec<&str> = header.split_ascii_whitespace().collect();
        let size = match fields.as_slice() {
            [_, _, size] => size
                .parse::<usize>()
                .map_err(|_| format!("unexpected git cat-file output: {header}"))?,
            _ => return Err(format!("git cat-file: {}", header.trim())),
        };
        let mut blob = vec![0; size + 1];
        input
            .read_exact(&mut blob)
            .map_err(|e| format!("git cat-file: {e}"))?;
        blob.pop();
        blobs.push(blob);
    }
    Ok(blobs)
}

/// `R<score> NUL <from> NUL <to> NUL` (and `C` for copies); other statuses carry one path.
fn parse_changes(output: &[u8]) -> Result<Changes, String> {
    let mut fields = output
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut changes = Changes::default();
    while let Some(status) = fields.next() {
        if status.is_empty() {
            continue;
        }
        let first = fields.next().ok_or("truncated git diff output")?;
        changes.touched.insert(first.clone());
        if status.starts_with('R') || status.starts_with('C') {
            let second = fields.next().ok_or("truncated git diff output")?;
            changes.touched.insert(second.clone());
            if status.starts_with('R') {
                changes.renames.push(Rename {
                    from: first,
                    to: second,
                });
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ls_tree_records() {
        let entry = parse_entry(b"100644 blob 0123abcd     42\tpolicies/a b.json").unwrap();
        assert_eq!(entry.path, "policies/a b.json");
        assert_eq!(entry.size, Some(42));
        assert!(entry.is_file());
        let module = parse_entry(b"160000 commit 0123abcd       -\tvendor").unwrap();
        assert_eq!(module.size, None);
        assert!(!module.is_file());
        assert!(parse_entry(b"garbage").is_err());
    }

    #[test]
    fn batches_hold_binary_contents() {
        let input = b"aa blob 3\na\nb\nbb blob 0\n\n";
        let blobs = read_batch(&input[..], 2).unwrap();
        assert_eq!(blobs, [b"a\nb".to_vec(), Vec::new()]);
        assert!(read_batch(&b"cc missing\n"[..], 1).is_err());
        assert!(read_batch(&b"aa blob 9\nshort"[..], 1).is_err());
    }

    #[test]
    fn renames_and_copies_are_told_apart() {
        let out = b"M\0a.json\0R087\0old.json\0new.json\0C100\0x.json\0y.json\0D\0gone.json\0";
        let changes = parse_changes(out).unwrap();
        assert_eq!(
            changes.renames,
            [Rename {
                from: "old.json".into(),
                to: "new.json".into()
            }]
        );
        let mut touched: Vec<&str> = changes.touched.iter().map(String::as_str).collect();
        touched.sort();
        assert_eq!(
            touched,
            [
                "a.json",
                "gone.json",
                "new.json",
                "old.json",
                "x.json",
                "y.json"
            ]
        );
        assert!(parse_changes(b"R100\0only-one").is_err());
    }
}
