//! Paths as code-scanning tools want them: relative to the repository root.

use std::path::{Component, Path, PathBuf};

/// Where a run happens: the working folder and the repository root above it (the nearest
/// ancestor holding `.git`, else the working folder itself).
#[derive(Clone, Debug)]
pub struct RepoPaths {
    pub cwd: PathBuf,
    pub root: PathBuf,
}

impl RepoPaths {
    pub fn discover(cwd: &Path) -> RepoPaths {
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(cwd);
        RepoPaths {
            cwd: cwd.to_path_buf(),
            root: root.to_path_buf(),
        }
    }

    /// `path` (as findings show it: relative to the cwd, or absolute) relative to the
    /// repository root with `/` separators; None when it lies outside the root.
    pub fn relative(&self, path: &str) -> Option<String> {
        let full = normalize(&self.cwd.join(path));
        let relative = full.strip_prefix(normalize(&self.root)).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

/// Resolve `.` and `..` without touching the file system (the file may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_the_root() {
        let paths = RepoPaths {
            cwd: PathBuf::from("/repo/sub"),
            root: PathBuf::from("/repo"),
        };
        assert_eq!(paths.relative("a.json").as_deref(), Some("sub/a.json"));
        assert_eq!(
            paths.relative("./x/../b.json").as_deref(),
            Some("sub/b.json")
        );
        assert_eq!(paths.relative("../top.json").as_deref(), Some("top.json"));
        assert_eq!(paths.relative("/repo/c.json").as_deref(), Some("c.json"));
        assert_eq!(paths.relative("/elsewhere/d.json"), None);
    }
}
