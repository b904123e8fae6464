#!/usr/bin/env bash
# The test command README gives: runs every Rust test, proves the pre-commit hook and
# the GitHub action with pre-commit, actionlint and zizmor (pinned, installed under
# .venv), and runs each fuzz target briefly. Safe to run again; reuses what it installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned moto server for the live account tests (tests/moto.rs).
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet "moto[server]==5.2.5"
export IAMLINT_TEST_MOTO_SERVER="$PWD/.venv/bin/moto_server" IAMLINT_TEST_PYTHON="$PWD/.venv/bin/python"

cargo test --locked --all-targets
# The live account review is behind the `aws` feature: its tests, and the account tests
# again in that build.
cargo test --locked --features aws --test live --test moto --test account
bash scripts/check-integrations.sh
bash fuzz/smoke.sh
