#!/usr/bin/env bash
# The test command README gives: installs what the tests need (pinned moto server,
# pre-commit, zizmor, actionlint under .venv; cargo-fuzz under .venv/cargo), runs every
# Rust test once, in the `aws` build (its test set is the default build's plus the live
# review's), proves the pre-commit hook and the GitHub action, and runs each fuzz target
# briefly. Steps that do not depend on each other run side by side, so that both cores
# stay busy; each background step's output is printed when it is waited for. Safe to run
# again.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
declare -A pid_of
# Each background step is its own process group, so that a failure ends all of it.
set -m
cleanup() {
  for pid in "${pid_of[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Start NAME COMMAND…: run in the background, output to $work/NAME.log.
start() {
  local name=$1
  shift
  "$@" > "$work/$name.log" 2>&1 &
  pid_of[$name]=$!
}

# Finish NAME: wait for it, print its output, fail the run if it failed.
finish() {
  local name=$1 status=0
  wait "${pid_of[$name]}" || status=$?
  unset "pid_of[$name]"
  echo "== $name"
  cat "$work/$name.log"
  if [ "$status" -ne 0 ]; then
    echo "FAIL: $name (exit $status)" >&2
    exit "$status"
  fi
}

[ -x .venv/bin/python ] || python3 -m venv .venv
# Pinned moto server for the live account tests (tests/moto.rs).
start moto .venv/bin/pip install --quiet "moto[server]==5.2.5"
# The fuzz targets build in their own target folder, with cargo-fuzz's flags.
start fuzz-build bash fuzz/smoke.sh build
export IAMLINT_TEST_MOTO_SERVER="$PWD/.venv/bin/moto_server" IAMLINT_TEST_PYTHON="$PWD/.venv/bin/python"

log="$work/rust-tests.log"
cargo test --locked --all-targets --features aws --no-run
# pre-commit and zizmor go into .venv after moto (one pip at a time); the hook's own
# release build (pre-commit's cargo install) then overlaps the Rust tests.
finish moto
start integrations bash scripts/check-integrations.sh
cargo test --locked --all-targets --features aws 2>&1 | tee -a "$log"
finish fuzz-build
bash fuzz/smoke.sh run
finish integrations

# One closing line with the totals of every Rust test run above.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "rust tests: %d passed, %d failed\n", passed, failed }' "$log"
