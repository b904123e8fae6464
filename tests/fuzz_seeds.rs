//! Every seed of every fuzz target (`fuzz/seeds/TARGET/`, regressions included) through
//! exactly that target's checks, on the test build: the libFuzzer build itself runs in
//! CI (`fuzz/smoke.sh`), not in the test command.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::PathBuf;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

#[test]
fn policy_seeds() {
    for (_, bytes) in seeds("policy") {
        checks::policy(&bytes);
    }
}

#[test]
fn config_seeds() {
    // libFuzzer hands the target only valid UTF-8 for `&str`.
    for (_, bytes) in seeds("config") {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            checks::config(text);
        }
    }
}

#[test]
fn dump_seeds() {
    for (_, bytes) in seeds("dump") {
        checks::dump(&bytes);
    }
}

#[test]
fn account_seeds() {
    for (_, bytes) in seeds("account") {
        checks::account(&bytes);
    }
}
