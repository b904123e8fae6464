#!/usr/bin/env bash
# Build every fuzz target and run each briefly from its seed corpus (regressions
# included), so CI proves the targets build and the seeds still pass.
# Longer runs: RUSTC_BOOTSTRAP=1 cargo fuzz run policy -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-20}
# cargo-fuzz needs nightly flags; the stable toolchain accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz@0.13.2
for target in policy config dump; do
  corpus=$(mktemp -d)
  cp fuzz/seeds/"$target"/* "$corpus"/
  cargo fuzz run "$target" "$corpus" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=512 -timeout=5 2>&1 | tail -n 3
  rm -rf "$corpus"
done
echo "fuzz smoke: ok"
