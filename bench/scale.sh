#!/usr/bin/env bash
# The scale benchmark, one command: builds iamd and the fixture writer (release), then for each
# account size writes the fixture directly through the store, starts `iamd serve` on it and
# measures (bench/scale.py; see bench/README.md, "Scale"). Knobs:
#
#   SCALE_SIZES=10,1000,10000,100000   account sizes in users (the smallest is the baseline)
#   SCALE_DURATION=5                   seconds of each wrk run
#   SCALE_WRITES=20000                 distinct CreateUser / AttachUserPolicy requests per size
#   SCALE_LOOKUPS=200                  LookupEvents calls per size (for p50/p99)
#   SCALE_OUT=target/scale             results.json, scale.png
#   BENCH_SKIP_BUILD=1                 use the binaries in target/release as they are
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${SCALE_OUT:-$ROOT/target/scale}"
VENV="${BENCH_VENV:-$ROOT/target/bench-venv}"
export IAMD_ROOT_ACCESS_KEY_ID="${IAMD_ROOT_ACCESS_KEY_ID:-AKIAIOSFODNN7EXAMPLE}"
export IAMD_ROOT_SECRET_ACCESS_KEY="${IAMD_ROOT_SECRET_ACCESS_KEY:-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}"
log() { echo "scale: $*" >&2; }

command -v wrk >/dev/null || { log "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk >&2; }
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import botocore, matplotlib' 2>/dev/null; then
  log "preparing $VENV (botocore, matplotlib)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q botocore matplotlib >&2
fi
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  log "building iamd and the fixture writer (release)"
  (cd "$ROOT" && cargo build --release -p iamd && cargo build --release -p iamd-server --example scale_fixture) >&2
fi
NOTE="$(date -u +%Y-%m-%d), $(cd "$ROOT" && git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
exec "$VENV/bin/python" "$ROOT/bench/scale.py" \
  --iamd "$ROOT/target/release/iamd" --fixture "$ROOT/target/release/examples/scale_fixture" \
  --sizes "${SCALE_SIZES:-10,1000,10000,100000}" --duration "${SCALE_DURATION:-5}" \
  --writes "${SCALE_WRITES:-20000}" --lookups "${SCALE_LOOKUPS:-200}" --out "$OUT" --note "$NOTE"
