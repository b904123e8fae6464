#!/usr/bin/env bash
# Build every fuzz target and run each briefly from its seed corpus (regressions
# included), so CI proves the targets build and the seeds still pass.
#   fuzz/smoke.sh          build, then run
#   fuzz/smoke.sh build    only build (the test command does this while Rust tests compile)
#   fuzz/smoke.sh run      only run the targets built before, side by side
# cargo-fuzz (pinned) is installed into the project, under .venv/cargo, never into
# ~/.cargo/bin. Longer runs:
#   PATH="$PWD/.venv/cargo/bin:$PATH" RUSTC_BOOTSTRAP=1 cargo fuzz run policy -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_FUZZ_VERSION=0.13.2
SECONDS_EACH=${FUZZ_SECONDS:-20}
TARGETS=(policy config dump account trail baseline template terraform)
step=${1:-all}
# cargo-fuzz needs nightly flags; the stable toolchain accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
export PATH="$PWD/.venv/cargo/bin:$PATH"
triple=$(rustc -vV | sed -n 's/^host: //p')

build() {
  if [ "$(cargo-fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    cargo install --quiet --locked --root .venv/cargo "cargo-fuzz@$CARGO_FUZZ_VERSION"
  fi
  cargo fuzz build
}

run() {
  local work pids=() target status=0
  work=$(mktemp -d)
  for target in "${TARGETS[@]}"; do
    mkdir -p "$work/$target" "fuzz/artifacts/$target"
    cp fuzz/seeds/"$target"/* "$work/$target"/
    "fuzz/target/$triple/release/$target" "$work/$target" -max_total_time="$SECONDS_EACH" \
      -rss_limit_mb=512 -timeout=5 -artifact_prefix="fuzz/artifacts/$target/" \
      > "$work/$target.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!TARGETS[@]}"; do
    if ! wait "${pids[$i]}"; then
      status=1
      echo "== fuzz target ${TARGETS[$i]} FAILED:"
      tail -n 40 "$work/${TARGETS[$i]}.log"
    else
      echo "== fuzz target ${TARGETS[$i]}:"
      tail -n 3 "$work/${TARGETS[$i]}.log"
    fi
  done
  rm -rf "$work"
  return "$status"
}

case "$step" in
  build) build ;;
  run) run ;;
  all) build && run ;;
  *) echo "usage: fuzz/smoke.sh [build|run]" >&2; exit 2 ;;
esac
[ "$step" = build ] || echo "fuzz smoke: ok"
