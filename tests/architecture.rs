//! The layering README and `src/lib.rs` describe, checked on the source: each top-level
//! module uses only the modules below it (no import circles). A new dependency between
//! layers must be added here on purpose.

use std::collections::BTreeSet;
use std::path::Path;

/// Each module and the crate modules it may use.
const LAYERS: &[(&str, &[&str])] = &[
    ("catalog", &[]),
    ("globs", &[]),
    ("document", &[]),
    ("eval", &["catalog", "document"]),
    ("graph", &["catalog", "document", "eval"]),
    ("source", &["document", "globs"]),
    // What CloudTrail says happened: records from `source`, actions from `catalog`.
    ("trail", &["catalog", "source"]),
    ("rules", &["catalog", "document", "eval", "graph", "source"]),
    ("config", &["catalog", "eval", "globs", "rules", "source"]),
    ("baseline", &["rules", "source"]),
    (
        "report",
        &[
            "baseline", "config", "document", "graph", "rules", "source", "trail",
        ],
    ),
    (
        "commands",
        &[
            "baseline", "catalog", "config", "document", "eval", "globs", "graph", "report",
            "rules", "source", "trail",
        ],
    ),
    (
        "cli",
        &[
            "catalog", "commands", "config", "report", "rules", "source", "trail",
        ],
    ),
];

fn sources(path: &Path, out: &mut Vec<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(std::fs::read_to_string(path).unwrap());
    }
}

/// The crate modules a module's files name as `crate::NAME`.
fn used_by(module: &str) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = Vec::new();
    sources(&src.join(module), &mut texts);
    sources(&src.join(format!("{module}.rs")), &mut texts);
    assert!(!texts.is_empty(), "no source for module {module}");
    let mut used = BTreeSet::new();
    for text in texts {
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                used.insert(name);
            }
        }
    }
    used
}

#[test]
fn modules_use_only_the_layers_below() {
    let mut broken = Vec::new();
    for (module, allowed) in LAYERS {
        for used in used_by(module) {
            if !allowed.contains(&used.as_str()) {
                broken.push(format!("{module} uses {used}"));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken: {broken:?}");
}

#[test]
fn the_layers_have_no_circle() {
    // Every module may use only modules listed before it.
    for (i, (module, allowed)) in LAYERS.iter().enumerate() {
        for used in *allowed {
            let at = LAYERS.iter().position(|(m, _)| m == used).unwrap();
            assert!(at < i, "{module} may use {used}, listed after it");
        }
    }
}

#[test]
fn every_module_is_listed() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(
                LAYERS.iter().any(|(m, _)| *m == name),
                "module {name} has no layer"
            );
        }
    }
}
