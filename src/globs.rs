//! Globs over paths and ARNs (`--exclude`, `privileged`): a leaf module that both the
//! configuration and the file walker use, so neither depends on the other.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Globs matched against a path (as findings show it) or against its file name.
/// `*` stays within one path component; `**` crosses them.
#[derive(Clone, Debug)]
pub struct PathMatcher {
    set: GlobSet,
}

impl Default for PathMatcher {
    fn default() -> Self {
        PathMatcher {
            set: GlobSet::empty(),
        }
    }
}

impl PathMatcher {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, (String, String)> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(glob(pattern).map_err(|e| (pattern.to_string(), e))?);
        }
        let set = builder
            .build()
            .map_err(|e| (String::new(), e.kind().to_string()))?;
        Ok(PathMatcher { set })
    }

    pub fn is_match(&self, path: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        self.set.is_match(path) || self.set.is_match(name)
    }
}

pub fn glob(pattern: &str) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Privileged globs for principals (`account`, `trail`): matched against a principal's
/// ARN, name or path, with `*` crossing `/` as in IAM ARN patterns.
#[derive(Clone, Debug)]
pub struct PrincipalMatcher {
    set: GlobSet,
}

impl PrincipalMatcher {
    /// Globs were validated when the settings were loaded; an invalid one matches nothing.
    pub fn new(globs: &[String]) -> Self {
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            if let Ok(glob) = GlobBuilder::new(glob).literal_separator(false).build() {
                builder.add(glob);
            }
        }
        PrincipalMatcher {
            set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.set.is_match(text)
    }
}
