#!/usr/bin/env bash
# The test command README gives: installs what the tests need (pinned moto server,
# pre-commit, zizmor, actionlint under .venv), runs every Rust test (the default build,
# then the live-review tests in the `aws` build), proves the pre-commit hook and the
# GitHub action, and runs each fuzz target briefly. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned moto server for the live account tests (tests/moto.rs).
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet "moto[server]==5.2.5"
export IAMLINT_TEST_MOTO_SERVER="$PWD/.venv/bin/moto_server" IAMLINT_TEST_PYTHON="$PWD/.venv/bin/python"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked --all-targets 2>&1 | tee -a "$log"
# The live account review is behind the `aws` feature: its tests, and the account tests
# again in that build.
cargo test --locked --features aws --test live --test moto --test account 2>&1 | tee -a "$log"
bash scripts/check-integrations.sh
bash fuzz/smoke.sh

# One closing line with the totals of every Rust test run above.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "rust tests: %d passed, %d failed\n", passed, failed }' "$log"
