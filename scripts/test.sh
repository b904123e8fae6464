#!/usr/bin/env bash
# The test command README gives: installs what the tests need (pinned Python tools in a
# virtualenv under .venv), then runs every test. Safe to run again; reuses the venv.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked --all-targets
