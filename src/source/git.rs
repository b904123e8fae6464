//! Files at a git revision, read from git's objects with the `git` command: no checkout,
//! the working tree is never touched. What `iamlint check --baseline REV` compares with.
//!
//! Paths here are relative to the repository root with `/` separators, as git names them.

use std::io::{BufRead, BufReader, Read, Write};
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

/// The id git gives a file of these bytes (SHA-1 object format), in hex: what `ls-tree`
/// lists for it when its bytes are committed as they are (no filter or line-ending
/// conversion between the working tree and git).
pub fn blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    let mut hex = String::with_capacity(40);
    for byte in hasher.finalize() {
        use std::fmt::Write;
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Whether `object` is a SHA-1 id (40 hex digits), which [`blob_id`] computes; a
/// repository in SHA-256 format has longer ones.
pub fn is_sha1_id(object: &str) -> bool {
    object.len() == 40 && object.bytes().all(|b| b.is_ascii_hexdigit())
}

fn spawn_failure(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "git is not installed (or not on PATH)".to_string()
    } else {
        format!("cannot run git: {e}")
    }
}

/// Run git; its stdout, or its first stderr line as the reason.
fn output(command: &mut Command) -> Result<Vec<u8>, String> {
    let out = command.output().map_err(|e| spawn_failure(&e))?;
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
    // One `rev-parse` for the top folder, the prefix and the commit: each git process
    // costs milliseconds. A name starting with `-` would be read as an option.
    let verify = format!("{name}^{{commit}}");
    let mut command = git(cwd);
    command.args(["rev-parse", "--show-toplevel", "--show-prefix"]);
    if !(name.starts_with('-') || name.is_empty()) {
        command.args(["--verify", "--quiet", &verify]);
    }
    let out = command
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("--baseline {name}: {}", spawn_failure(&e)))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let (Some(root), Some(prefix)) = (lines.next(), lines.next()) else {
        return Err(format!(
            "--baseline {name}: the current folder is not in a git repository (give a saved JSON report instead)"
        ));
    };
    let commit = match lines.next() {
        Some(commit) if out.status.success() => commit.trim().to_string(),
        _ => {
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
        root: PathBuf::from(root.trim_end()),
        prefix: prefix.trim_end().to_string(),
    })
}

impl Revision {
    /// Every file at this revision under the given paths (a file, or a folder; `""` is
    /// the whole tree), sorted by path. Paths absent at the revision give nothing.
    pub fn files(&self, under: &[String]) -> Result<Vec<Entry>, String> {
        let mut command = git(&self.root);
        command.args(["ls-tree", "-r", "-z", "--full-tree", &self.commit, "--"]);
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

    /// The contents of the objects `wanted` names, each handed to `each` with its key as
    /// git gives it (one `git cat-file --batch`). Requests are sent as `wanted` yields
    /// them, so git reads the first objects while the caller still works out which others
    /// it wants, and the caller works on the first while git reads the next. An object
    /// over `max_size` bytes is not kept (its reason instead).
    pub fn read_each<K: Send>(
        &self,
        wanted: impl Iterator<Item = (K, String)> + Send,
        max_size: u64,
        each: impl FnMut(K, Contents),
    ) -> Result<(), String> {
        let mut wanted = wanted.peekable();
        if wanted.peek().is_none() {
            return Ok(());
        }
        // git writes the objects into an unnamed temporary file, read as it grows. Through
        // a pipe, each few kilobytes git wrote woke the reader (5,500 context switches a
        // run on AWS's managed policies); a file never fills up, so git never waits, and
        // the reader looks for more once a millisecond.
        let file_error = |e: std::io::Error| {
            format!(
                "cannot create a temporary file for git cat-file: {}",
                crate::source::files::io_reason(&e)
            )
        };
        let objects = tempfile::tempfile().map_err(file_error)?;
        let mut child = git(&self.root)
            .args(["cat-file", "--batch", "--buffer"])
            .stdin(Stdio::piped())
            .stdout(objects.try_clone().map_err(file_error)?)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| spawn_failure(&e))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let (keys, requested) = std::sync::mpsc::channel();
        let (read, written) = std::thread::scope(|scope| {
            // Each key goes to the reader before its request goes to git. Requests go in
            // batches of about a hundred (a pipe write wakes git each time).
            let writer = scope.spawn(move || -> std::io::Result<()> {
                let mut requests = std::io::BufWriter::with_capacity(4096, stdin);
                for (key, object) in wanted {
                    if keys.send(key).is_err() {
                        break;
                    }
                    writeln!(requests, "{object}")?;
                }
                // Dropping the pipe ends git's input.
                requests.flush()
            });
            let input = Growing {
                file: objects,
                offset: 0,
                writer: &mut child,
                exited: false,
            };
            let input = BufReader::with_capacity(256 * 1024, input);
            let read = read_batch(input, requested.iter(), max_size, each);
            if read.is_err() {
                // The writer must not wait on a git that nobody reads.
                let _ = child.kill();
            }
            (read, writer.join().unwrap_or(Ok(())))
        });
        let status = child.wait().map_err(|e| format!("git cat-file: {e}"))?;
        read?;
        written.map_err(|e| format!("git cat-file: {e}"))?;
        if !status.success() {
            return Err("git cat-file failed".into());
        }
        Ok(())
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

/// `<mode> SP <type> SP <object> TAB <path>` (`ls-tree -z`; without `-l`, whose sizes
/// cost git a look into every object: `cat-file` gives the sizes of those read).
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
    let (Some(mode), Some(_kind), Some(object)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(bad());
    };
    Ok(Entry {
        path,
        mode: mode.to_string(),
        object: object.to_string(),
    })
}

/// A file's bytes, or why they are not read.
pub type Contents = Result<Vec<u8>, String>;

/// A file another process is still writing, read from its start: at the end of what is
/// there, it waits for more until the writer has exited.
struct Growing<'a> {
    file: std::fs::File,
    /// Read with its own offset: the writer moves the one the file shares with it.
    offset: u64,
    writer: &'a mut std::process::Child,
    exited: bool,
}

impl Read for Growing<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        loop {
            #[cfg(not(unix))]
            if !self.exited {
                self.writer.wait()?;
                self.exited = true;
            }
            let read = read_at(&self.file, buffer, self.offset)?;
            self.offset += read as u64;
            if read > 0 || self.exited {
                return Ok(read);
            }
            // Once the writer is gone, one more read takes what it wrote last.
            self.exited = self.writer.try_wait()?.is_some();
            if !self.exited {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

/// Elsewhere the file's only offset is the one the writer shares: read once it is done.
#[cfg(not(unix))]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::io::Seek;
    let mut file = file;
    file.seek(std::io::SeekFrom::Start(offset))?;
    file.read(buffer)
}

/// `<object> SP <type> SP <size> LF <contents> LF`: one object for each key, in order.
/// A key is taken once its object's header is there (it was sent before the request):
/// waiting on the keys would wake this reader for each one.
fn read_batch<K>(
    mut input: impl BufRead,
    keys: impl IntoIterator<Item = K>,
    max_size: u64,
    mut each: impl FnMut(K, Contents),
) -> Result<(), String> {
    let truncated = || "git cat-file: its output ended early".to_string();
    let mut keys = keys.into_iter();
    let mut header = String::new();
    loop {
        header.clear();
        let read = input
            .read_line(&mut header)
            .map_err(|e| format!("git cat-file: {e}"))?;
        if read == 0 {
            return match keys.next() {
                None => Ok(()),
                Some(_) => Err(truncated()),
            };
        }
        let fields: Vec<&str> = header.split_ascii_whitespace().collect();
        let size = match fields.as_slice() {
            [_, _, size] => size
                .parse::<u64>()
                .map_err(|_| format!("unexpected git cat-file output: {header}"))?,
            _ => return Err(format!("git cat-file: {}", header.trim())),
        };
        let index = keys
            .next()
            .ok_or_else(|| format!("unexpected git cat-file output: {header}"))?;
        if size > max_size {
            let skipped = std::io::copy(&mut input.by_ref().take(size + 1), &mut std::io::sink())
                .map_err(|e| format!("git cat-file: {e}"))?;
            if skipped != size + 1 {
                return Err(truncated());
            }
            each(index, Err(crate::source::files::too_large(size, max_size)));
            continue;
        }
        let length = usize::try_from(size).map_err(|_| truncated())?;
        let mut blob = vec![0; length + 1];
        input.read_exact(&mut blob).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => truncated(),
            _ => format!("git cat-file: {e}"),
        })?;
        blob.pop();
        each(index, Ok(blob));
    }
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
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`, and the empty blob.
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert!(is_sha1_id("ce013625030ba8dba906f756967f9e9ca394464a"));
        assert!(!is_sha1_id(&"a".repeat(64)));
    }

    #[test]
    fn ls_tree_records() {
        let entry = parse_entry(b"100644 blob 0123abcd\tpolicies/a b.json").unwrap();
        assert_eq!(entry.path, "policies/a b.json");
        assert_eq!(entry.object, "0123abcd");
        assert!(entry.is_file());
        let module = parse_entry(b"160000 commit 0123abcd\tvendor").unwrap();
        assert!(!module.is_file());
        assert!(parse_entry(b"garbage").is_err());
    }

    fn batch(input: &[u8], count: usize, max_size: u64) -> Result<Vec<Contents>, String> {
        let mut blobs = Vec::new();
        read_batch(input, 0..count, max_size, |index, blob| {
            assert_eq!(index, blobs.len());
            blobs.push(blob);
        })?;
        Ok(blobs)
    }

    #[test]
    fn batches_hold_binary_contents() {
        let input = b"aa blob 3\na\nb\nbb blob 0\n\n";
        let blobs = batch(&input[..], 2, 100).unwrap();
        assert_eq!(blobs, [Ok(b"a\nb".to_vec()), Ok(Vec::new())]);
        let ended_early = "git cat-file: its output ended early";
        for (input, keys, error) in [
            (&b"cc missing\n"[..], 1, "git cat-file: cc missing"),
            (b"aa blob 9\nshort", 1, ended_early),
            (
                b"aa blob 9x\n",
                1,
                "unexpected git cat-file output: aa blob 9x\n",
            ),
            // Fewer objects than requests, and more.
            (b"aa blob 1\na\n", 2, ended_early),
            (
                b"aa blob 1\na\nbb blob 1\nb\n",
                1,
                "unexpected git cat-file output: bb blob 1\n",
            ),
        ] {
            assert_eq!(batch(input, keys, 100), Err(error.to_string()));
        }
    }

    #[test]
    fn objects_over_the_size_limit_are_skipped_not_kept() {
        let input = b"aa blob 5\n12345\nbb blob 2\nok\n";
        let blobs = batch(&input[..], 2, 4).unwrap();
        assert_eq!(blobs[0], Err(crate::source::files::too_large(5, 4)));
        assert_eq!(blobs[1], Ok(b"ok".to_vec()));
        assert_eq!(
            batch(b"aa blob 9\nshort", 1, 4),
            Err("git cat-file: its output ended early".to_string())
        );
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
