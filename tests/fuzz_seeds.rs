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

/// `config` takes text: libFuzzer hands that target only valid UTF-8.
fn config(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        checks::config(text);
    }
}

/// A target's name (its folder under fuzz/seeds) and its checks.
type Target = (&'static str, fn(&[u8]));

const TARGETS: &[Target] = &[
    ("policy", checks::policy),
    ("config", config),
    ("dump", checks::dump),
    ("account", checks::account),
    ("trail", checks::trail),
    ("baseline", checks::baseline),
    ("template", checks::template),
    ("terraform", checks::terraform),
];

#[test]
fn every_seed_passes_its_targets_checks() {
    for (target, check) in TARGETS {
        for (path, bytes) in seeds(target) {
            // Printed before, so that a failing check names its seed.
            eprintln!("{target}: {}", path.display());
            check(&bytes);
        }
    }
}

#[test]
fn every_target_is_replayed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/seeds/{name} has no replay here"
        );
    }
}
