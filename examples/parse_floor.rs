//! Benchmark floor: read every `*.json` file under a folder and parse it with serde_json,
//! in parallel as iamlint does, doing nothing else. `bench/run` compares iamlint to this.

use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: parse_floor DIR");
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    let parsed = paths
        .par_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).expect("read file");
            serde_json::from_slice::<serde_json::Value>(&bytes).is_ok()
        })
        .count();
    println!("{parsed} of {} files parsed", paths.len());
}
