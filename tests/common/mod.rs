//! Shared harness for CLI tests: run the real binary, capture everything a user sees.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.transcript()))
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the iamlint binary with an environment that cannot leak into results:
/// no color, no GitHub or AWS variables of the developer's shell.
pub fn command(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iamlint"));
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("AWS_") || key.starts_with("GITHUB_") {
            cmd.env_remove(&key);
        }
    }
    cmd
}

pub fn run_command(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("run iamlint");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Run `iamlint ARGS…` in `cwd`.
pub fn iamlint(cwd: &Path, args: &[&str]) -> Run {
    run_command(command(cwd).args(args))
}

/// A temporary folder of files for one test.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    pub fn new(files: &[(&str, &str)]) -> Tree {
        let tree = Tree {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        for (path, text) in files {
            tree.write(path, text);
        }
        tree
    }

    pub fn write(&self, path: &str, text: &str) {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        iamlint(self.path(), args)
    }
}

/// A policy document with the given statements (JSON text of each).
pub fn policy(statements: &[&str]) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}\n",
        statements.join(",\n    ")
    )
}

pub const ALLOW_UPDATE_SERVICE: &str =
    r#"{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}"#;
pub const ALLOW_UPDATE_SERVICE_SCOPED: &str = r#"{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "arn:aws:ecs:*:*:service/prod/*"}"#;
pub const READ_ONLY: &str =
    r#"{"Effect": "Allow", "Action": ["ecs:Describe*", "ecs:List*"], "Resource": "*"}"#;

/// The `name` of every subject of a JSON report, in order.
pub fn subject_names(json: &serde_json::Value) -> Vec<&str> {
    json["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect()
}

/// Every way `sarif` breaks the official 2.1.0 schema (draft 4), one line each.
pub fn sarif_errors(sarif: &serde_json::Value) -> Vec<String> {
    let text =
        std::fs::read_to_string(repo_root().join("tests/schema/sarif-schema-2.1.0.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let url = "file:///sarif-schema-2.1.0.json";
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V4);
    compiler.add_resource(url, schema).unwrap();
    let index = compiler
        .compile(url, &mut schemas)
        .expect("the SARIF schema compiles");
    match schemas.validate(sarif, index) {
        Ok(()) => Vec::new(),
        Err(error) => format!("{error:#}").lines().map(str::to_string).collect(),
    }
}

pub fn assert_valid_sarif(sarif: &serde_json::Value) {
    let errors = sarif_errors(sarif);
    assert!(
        errors.is_empty(),
        "SARIF does not match the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}
