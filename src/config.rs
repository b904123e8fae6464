//! `iamlint.toml`: found in the current folder or its parents, or given with `--config`.
//! Unknown keys and bad values are errors located in the file. Command-line flags replace
//! the file's values of the same name.

// Config errors are rare and carry the file for located reports; their size does not matter.
#![allow(clippy::result_large_err)]

use crate::catalog::{self, ActionSet};
use crate::eval::pattern::expand;
use crate::globs::{PathMatcher, glob};
use crate::rules::{self, Level};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "iamlint.toml";
/// Default `--max-file-size`: far above any IAM document (managed policies are at most
/// 6,144 characters) and any authorization-details page, far below what hurts memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl FailOn {
    pub fn fails(self, level: Level) -> bool {
        match self {
            FailOn::Error => level >= Level::Error,
            FailOn::Warning => true,
            FailOn::Never => false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    privileged: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    monitor: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    max_file_size: Option<u64>,
    #[serde(default)]
    packs: BTreeMap<String, RawPack>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    actions: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    path: Spanned<String>,
    rule: Option<Spanned<String>>,
    reason: Spanned<String>,
}

/// A configuration or usage error; located when it comes from a file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(iamlint::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub file: Option<NamedSource<String>>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
}

impl ConfigError {
    pub fn usage(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            file: None,
            span: None,
            label: String::new(),
        }
    }
}

/// A suppression: findings of `rule` (or of every rule) on subjects matching `path`.
#[derive(Clone, Debug)]
pub struct Ignore {
    pub path: PathMatcher,
    /// The glob as written, and its byte span in the config file (for `stale-ignore`).
    pub glob: String,
    pub span: std::ops::Range<usize>,
    pub rule: Option<String>,
    pub reason: String,
}

/// Everything a run needs, after the file and the flags are merged.
#[derive(Clone, Debug)]
pub struct Settings {
    pub privileged: PathMatcher,
    /// The raw privileged globs (account review matches them against ARNs and paths).
    pub privileged_globs: Vec<String>,
    pub monitored: ActionSet,
    pub exclude: PathMatcher,
    pub fail_on: FailOn,
    pub max_file_size: u64,
    pub ignores: Vec<Ignore>,
    /// The config file used, if any.
    pub config_path: Option<PathBuf>,
    /// Its name as shown (relative to the working folder) and its text, for findings
    /// located in it.
    pub config_text: Option<(String, String)>,
    /// Terraform variable files (`--var-file`): each one's path as given and its text.
    pub terraform_var_files: Vec<(String, String)>,
}

/// What the command line says; `None` / empty means "not given".
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub privileged: Vec<String>,
    pub monitor: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub max_file_size: Option<u64>,
}

/// `iamlint.toml` in `start` or its nearest parent that has one.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Load the config (explicit path, else discovered) and merge the command-line overrides.
pub fn load(
    explicit: Option<&Path>,
    cwd: &Path,
    overrides: &Overrides,
) -> Result<Settings, ConfigError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => discover(cwd),
    };
    let Some(path) = path else {
        return settings(None, overrides, None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ConfigError::usage(format!(
            "cannot read config file {}: {}",
            path.display(),
            crate::source::files::io_reason(&e)
        ))
    })?;
    // Name the file as the user would: relative to where iamlint runs.
    let shown = path
        .strip_prefix(cwd)
        .unwrap_or(&path)
        .display()
        .to_string();
    settings(Some((shown, text)), overrides, Some(path))
}

/// Settings from config text (`name` is what errors call the file), merged with the
/// overrides. Public for the fuzzer: any text gives settings or a located error.
pub fn from_text(name: &str, text: &str, overrides: &Overrides) -> Result<Settings, ConfigError> {
    settings(Some((name.to_string(), text.to_string())), overrides, None)
}

fn settings(
    config: Option<(String, String)>,
    overrides: &Overrides,
    path: Option<PathBuf>,
) -> Result<Settings, ConfigError> {
    let (raw, file) = match config {
        Some((name, text)) => {
            let raw: Result<RawConfig, _> = toml::from_str(&text);
            let file = NamedSource::new(name, text);
            let raw = raw.map_err(|e| ConfigError {
                message: format!("invalid config: {}", e.message()),
                file: Some(file.clone()),
                span: e.span().map(SourceSpan::from),
                label: "here".into(),
            })?;
            (raw, Some(file))
        }
        None => (RawConfig::default(), None),
    };
    let at = |span: std::ops::Range<usize>, message: String, label: &str| ConfigError {
        message,
        file: file.clone(),
        span: Some(span.into()),
        label: label.into(),
    };

    // Custom packs first: `monitor` may name them.
    let mut packs: BTreeMap<String, ActionSet> = BTreeMap::new();
    for (name, pack) in &raw.packs {
        let mut set = ActionSet::EMPTY;
        for pattern in &pack.actions {
            set = set.union(
                monitor_pattern(pattern.get_ref())
                    .map_err(|m| at(pattern.span(), m, "matches nothing"))?,
            );
        }
        packs.insert(name.clone(), set);
    }

    let monitored = if !overrides.monitor.is_empty() {
        let mut set = ActionSet::EMPTY;
        for item in &overrides.monitor {
            set = set.union(monitor_item(item, &packs).map_err(ConfigError::usage)?);
        }
        set
    } else if let Some(items) = &raw.monitor {
        let mut set = ActionSet::EMPTY;
        for item in items {
            set = set.union(
                monitor_item(item.get_ref(), &packs).map_err(|m| at(item.span(), m, "unknown"))?,
            );
        }
        set
    } else {
        catalog::pack("ecs-config").expect("built-in pack").set()
    };

    let privileged_globs: Vec<String> = if !overrides.privileged.is_empty() {
        overrides.privileged.clone()
    } else {
        raw.privileged
            .iter()
            .flatten()
            .map(|g| g.get_ref().clone())
            .collect()
    };
    let privileged = if !overrides.privileged.is_empty() {
        PathMatcher::new(overrides.privileged.iter().map(String::as_str))
            .map_err(|(g, e)| ConfigError::usage(format!("invalid --privileged glob `{g}`: {e}")))?
    } else {
        located_matcher(raw.privileged.as_deref().unwrap_or(&[]), &at)?
    };
    let exclude = located_matcher(&raw.exclude, &at)?;

    let mut ignores = Vec::new();
    for entry in &raw.ignore {
        let path = located_matcher(std::slice::from_ref(&entry.path), &at)?;
        if let Some(rule) = &entry.rule {
            match rules::rule(rule.get_ref()) {
                None => {
                    return Err(at(
                        rule.span(),
                        format!("unknown rule `{}`", rule.get_ref()),
                        "not a rule id (see `iamlint rules`)",
                    ));
                }
                Some(r) if r.id == rules::invalid_policy::RULE.id => {
                    return Err(at(
                        rule.span(),
                        "invalid-policy cannot be ignored".into(),
                        "use `exclude` to skip files that are not policies",
                    ));
                }
                Some(_) => {}
            }
        }
        if entry.reason.get_ref().trim().is_empty() {
            return Err(at(
                entry.reason.span(),
                "an ignore entry needs a reason".into(),
                "say why this is acceptable",
            ));
        }
        ignores.push(Ignore {
            path,
            glob: entry.path.get_ref().clone(),
            span: entry.path.span(),
            rule: entry.rule.as_ref().map(|r| r.get_ref().clone()),
            reason: entry.reason.get_ref().clone(),
        });
    }

    let max_file_size = overrides
        .max_file_size
        .or(raw.max_file_size)
        .unwrap_or(DEFAULT_MAX_FILE_SIZE);

    Ok(Settings {
        privileged,
        privileged_globs,
        monitored,
        exclude,
        fail_on: overrides.fail_on.or(raw.fail_on).unwrap_or(FailOn::Error),
        max_file_size,
        ignores,
        config_path: path,
        config_text: file.map(|f| (f.name().to_string(), f.inner().clone())),
        terraform_var_files: Vec::new(),
    })
}

fn located_matcher(
    globs: &[Spanned<String>],
    at: &impl Fn(std::ops::Range<usize>, String, &str) -> ConfigError,
) -> Result<PathMatcher, ConfigError> {
    for g in globs {
        glob(g.get_ref()).map_err(|e| {
            at(
                g.span(),
                format!("invalid glob `{}`: {e}", g.get_ref()),
                "invalid glob",
            )
        })?;
    }
    PathMatcher::new(globs.iter().map(|g| g.get_ref().as_str()))
        .map_err(|(_, e)| ConfigError::usage(e))
}

/// A `--monitor` / `monitor` item: a built-in pack, a custom pack, or an action pattern.
fn monitor_item(item: &str, packs: &BTreeMap<String, ActionSet>) -> Result<ActionSet, String> {
    if let Some(set) = packs.get(item) {
        return Ok(*set);
    }
    if let Some(pack) = catalog::pack(item) {
        return Ok(pack.set());
    }
    if item.contains(':') || item.contains('*') || item.contains('?') {
        return monitor_pattern(item);
    }
    let mut known: Vec<&str> = catalog::PACKS.iter().map(|p| p.name).collect();
    known.extend(packs.keys().map(String::as_str));
    Err(format!(
        "unknown pack `{item}` (packs: {}; or give an action pattern such as `ecs:RunTask`)",
        known.join(", ")
    ))
}

fn monitor_pattern(pattern: &str) -> Result<ActionSet, String> {
    // Packs watch the monitored service only.
    let actions = expand(pattern)
        .actions
        .intersect(catalog::tracked_of(catalog::MONITORED_SERVICE));
    if actions.is_empty() {
        Err(format!(
            "`{pattern}` matches no ECS action (see `iamlint expand`)"
        ))
    } else {
        Ok(actions)
    }
}
