#!/usr/bin/env bash
# Load benchmark: iamd vs moto's server, side by side on 127.0.0.1, driven by wrk with the same
# pre-signed requests. See bench/README.md. Every knob is an environment variable:
#
#   BENCH_THREADS=2 BENCH_CONNECTIONS=32 BENCH_DURATION=10   wrk settings (duration in seconds)
#   BENCH_WARMUP=2              seconds of unrecorded load before each read run (0: none)
#   BENCH_SCENARIOS="GetUser ListUsers GetCallerIdentity CreateUser"
#   BENCH_CREATE_N=200000       distinct CreateUser requests signed for iamd; the run stops after
#                               them (or after BENCH_DURATION). iamd runs with its UsersPerAccount
#                               quota raised (--quota) to hold them all.
#   BENCH_CREATE_N_MOTO=20000   the same for moto (it answers far fewer in BENCH_DURATION)
#   BENCH_AUDIT_ROUNDS=1        GetUser with and without read auditing this many times in turn
#                               (rounds after the first alternate which goes first); the read
#                               auditing cost is reported per round and as their median
#   BENCH_BARE=1                also run the HTTP floor: iamd's accept loop and HTTP stack
#                               answering a fixed body of the size of iamd's response (the
#                               bare_http example of iamd-server), for the read scenarios; 0: none
#   BENCH_USERS=100             fixture users created in both servers
#   BENCH_PACED=1               after the saturation runs of a read scenario, run iamd once more
#                               at a fixed offered rate of BENCH_PACE_FACTOR x moto's measured
#                               requests/s (scenario "<Scenario>@paced"); 0: no paced runs
#   BENCH_PACE_FACTOR=100       the paced run's rate as a multiple of moto's (the read target)
#   BENCH_PACED_CONNECTIONS=32  wrk -c for the paced runs (default BENCH_CONNECTIONS)
#   BENCH_SKIP_BUILD=1          use the existing target/release/iamd
#   BENCH_IAMD_BIN=PATH         use this iamd binary (implies no build)
#   BENCH_VENV=DIR              virtualenv with moto[server] (default target/bench-venv)
#   BENCH_OUT=DIR               keep request files, wrk output and results.tsv there
#
# Exit status: 0 when every run answered only 2xx, 1 when a run had errors (the run is invalid),
# 2 on a setup failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
SCENARIOS="${BENCH_SCENARIOS:-GetUser ListUsers GetCallerIdentity CreateUser}"
USERS="${BENCH_USERS:-100}"
CREATE_N="${BENCH_CREATE_N:-200000}"
CREATE_N_MOTO="${BENCH_CREATE_N_MOTO:-20000}"
USER_QUOTA=$((USERS + CREATE_N + 10)) # iamd's UsersPerAccount for this run (AWS's is 5000)
BARE="${BENCH_BARE:-1}"
VENV="${BENCH_VENV:-$ROOT/target/bench-venv}"
PACED="${BENCH_PACED:-1}"
AUDIT_ROUNDS="${BENCH_AUDIT_ROUNDS:-1}"
PACE_FACTOR="${BENCH_PACE_FACTOR:-100}"
PACED_CONNECTIONS="${BENCH_PACED_CONNECTIONS:-$CONNECTIONS}"

export IAMD_ROOT_ACCESS_KEY_ID="${IAMD_ROOT_ACCESS_KEY_ID:-AKIAIOSFODNN7EXAMPLE}"
export IAMD_ROOT_SECRET_ACCESS_KEY="${IAMD_ROOT_SECRET_ACCESS_KEY:-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}"
# moto: no real credentials anywhere near it, and no instance metadata lookups.
export AWS_ACCESS_KEY_ID="$IAMD_ROOT_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$IAMD_ROOT_SECRET_ACCESS_KEY"
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 2; }

for v in THREADS CONNECTIONS DURATION WARMUP AUDIT_ROUNDS CREATE_N CREATE_N_MOTO USERS PACE_FACTOR PACED_CONNECTIONS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "BENCH_$v must be a whole number (got '${!v}')"
done
(( DURATION >= 1 && DURATION <= 600 )) || die "BENCH_DURATION must be 1..600 seconds"
(( WARMUP <= 60 )) || die "BENCH_WARMUP must be at most 60 seconds"
(( THREADS >= 1 && CONNECTIONS >= THREADS )) || die "need 1 <= BENCH_THREADS <= BENCH_CONNECTIONS"
[[ "$PACED" == 0 || "$PACED" == 1 ]] || die "BENCH_PACED must be 0 or 1 (got '$PACED')"
(( PACE_FACTOR >= 1 )) || die "BENCH_PACE_FACTOR must be at least 1"
(( PACED_CONNECTIONS >= THREADS )) || die "need BENCH_THREADS <= BENCH_PACED_CONNECTIONS"
[[ "$BARE" == 0 || "$BARE" == 1 ]] || die "BENCH_BARE must be 0 or 1 (got '$BARE')"
(( USERS >= 100 && USERS <= 100000 )) || die "BENCH_USERS must be 100..100000"
(( CREATE_N >= THREADS && CREATE_N <= 10000000 )) || die "BENCH_CREATE_N must be $THREADS..10000000"
(( CREATE_N_MOTO >= THREADS )) || die "BENCH_CREATE_N_MOTO must be at least $THREADS"

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  (apt-get update -qq && apt-get install -y -qq wrk) >&2 || die "cannot install wrk"
fi
if [[ ! -x "$VENV/bin/moto_server" ]]; then
  log "creating $VENV with moto[server]"
  python3 -m venv "$VENV" || die "cannot create the virtualenv"
  "$VENV/bin/pip" install -q 'moto[server]' >&2 || die "cannot install moto[server]"
fi
PY="$VENV/bin/python"

if [[ "${BENCH_SKIP_BUILD:-}" != 1 && -z "${BENCH_IAMD_BIN:-}" ]]; then
  log "building iamd (release)"
  (cd "$ROOT" && cargo build --release -p iamd) >&2 || die "cargo build failed"
fi
IAMD="${BENCH_IAMD_BIN:-$ROOT/target/release/iamd}"
[[ -x "$IAMD" ]] || die "no $IAMD"
BARE_BIN="${BENCH_BARE_BIN:-$ROOT/target/release/examples/bare_http}"
if [[ "$BARE" == 1 && "${BENCH_SKIP_BUILD:-}" != 1 && -z "${BENCH_BARE_BIN:-}" ]]; then
  log "building the HTTP floor (bare_http example, release)"
  (cd "$ROOT" && cargo build --release -p iamd-server --example bare_http) >&2 || die "cargo build failed"
fi
[[ "$BARE" == 0 || -x "$BARE_BIN" ]] || die "no $BARE_BIN"

# --- servers -----------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/iamd-bench.XXXXXX")"
OUT="${BENCH_OUT:-$WORK/out}"
mkdir -p "$OUT"
IAMD_PID="" MOTO_PID="" BARE_PID="" QUIET_PID=""

stop_server() { # pid signal
  local pid="$1" sig="$2" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_server "$IAMD_PID" INT
  stop_server "$QUIET_PID" INT
  stop_server "$MOTO_PID" TERM
  stop_server "$BARE_PID" INT
  IAMD_PID="" MOTO_PID="" BARE_PID="" QUIET_PID=""
  rm -rf "$WORK/iamd-data" "$WORK/iamd-noaudit-data"
  [[ -n "${BENCH_OUT:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IAMD_PORT="$(free_port)"
MOTO_PORT="$(free_port)"
[[ "$IAMD_PORT" != "$MOTO_PORT" ]] || MOTO_PORT="$(free_port)"
QUIET_PORT="$(free_port)"
while [[ "$QUIET_PORT" == "$IAMD_PORT" || "$QUIET_PORT" == "$MOTO_PORT" ]]; do QUIET_PORT="$(free_port)"; done

wait_port() { # name port pid
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$3" 2>/dev/null || die "$1 exited at start (see $OUT/$1.log)"
    if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$2),timeout=1).close()" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "$1 did not listen on 127.0.0.1:$2 within 30 s"
}

"$IAMD" serve --data-dir "$WORK/iamd-data" --listen "127.0.0.1:$IAMD_PORT" \
  --quota "UsersPerAccount=$USER_QUOTA" >"$OUT/iamd.log" 2>&1 &
IAMD_PID=$!
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$OUT/moto.log" 2>&1 &
MOTO_PID=$!
# The same iamd without read auditing (GetUser only): what recording every read costs.
"$IAMD" serve --data-dir "$WORK/iamd-noaudit-data" --listen "127.0.0.1:$QUIET_PORT" --audit-reads=false \
  >"$OUT/iamd-noaudit.log" 2>&1 &
QUIET_PID=$!
wait_port iamd "$IAMD_PORT" "$IAMD_PID"
wait_port moto "$MOTO_PORT" "$MOTO_PID"
wait_port iamd-noaudit "$QUIET_PORT" "$QUIET_PID"
log "iamd pid $IAMD_PID on 127.0.0.1:$IAMD_PORT, moto pid $MOTO_PID on 127.0.0.1:$MOTO_PORT, iamd --audit-reads=false pid $QUIET_PID on 127.0.0.1:$QUIET_PORT"

# --- fixtures ----------------------------------------------------------------------------------
"$PY" "$BENCH/sign.py" fixtures --port "$IAMD_PORT" --users "$USERS" || die "iamd fixtures failed"
"$PY" "$BENCH/sign.py" fixtures --port "$MOTO_PORT" --users "$USERS" || die "moto fixtures failed"
"$PY" "$BENCH/sign.py" fixtures --port "$QUIET_PORT" --users "$USERS" || die "iamd-noaudit fixtures failed"

# --- conditions --------------------------------------------------------------------------------
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ -n "${BENCH_IAMD_BIN:-}" ]]; then
    echo "iamd: $IAMD (given)"
  else
    echo "iamd: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && git diff --quiet HEAD -- crates 2>/dev/null || echo ' + uncommitted changes in crates/'), release build"
  fi
  echo "moto: $("$PY" -c 'import moto; print(moto.__version__)'), $("$PY" --version)"
  echo "wrk: -t$THREADS -c$CONNECTIONS -d${DURATION}s (warm-up ${WARMUP}s for reads; CreateUser: up to $CREATE_N distinct users on iamd (UsersPerAccount quota $USER_QUOTA), $CREATE_N_MOTO on moto), client and servers on the same cores"
  [[ "$BARE" == 1 ]] && echo "bare: the HTTP floor (bare_http example: iamd's accept loop, a fixed body of iamd's response size) with the same request bytes and wrk settings"
  if [[ "$PACED" == 1 ]]; then
    echo "paced: reads on iamd again at ${PACE_FACTOR}x moto's requests/s, -t$THREADS -c$PACED_CONNECTIONS -d${DURATION}s (warm-up ${WARMUP}s at that rate)"
  fi
} | tee "$OUT/conditions.txt" >&2

# CPU seconds (user+system, all threads) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK="$(getconf CLK_TCK)"

RESULTS="$OUT/results.tsv"
printf 'scenario\tserver\trequests\tduration_us\telapsed_us\tp50_us\tp99_us\tmax_us\tstatus_errors\tsocket_errors\texhausted\tserver_cpu_s\tconnections\toffered_rps\tlate_sends\n' >"$RESULTS"

# factor x the requests/s of the last recorded run of scenario on server, rounded (0 when none).
rate_of() { # scenario server factor
  awk -F'\t' -v s="$1" -v v="$2" -v k="$3" '$1 == s && $2 == v && $4 > 0 {r = $3 * 1e6 / $4}
    END {printf "%.0f", k * r}' "$RESULTS"
}

run_one() { # scenario server port pid [rate [round]]: with a rate (requests/s), the paced run
  # "<scenario>@paced"; with a round (2, 3, ...), a repeated run "<scenario>#<round>"
  local scenario="$1" server="$2" port="$3" pid="$4" rate="${5:-0}" round="${6:-}" count=1 file line before after
  local conns="$CONNECTIONS" label="$scenario" name="$scenario-$server"
  if [[ "$scenario" == CreateUser ]]; then
    count="$CREATE_N"
    [[ "$server" == moto ]] && count="$CREATE_N_MOTO"
  fi
  if (( rate > 0 )); then
    conns="$PACED_CONNECTIONS" label="$scenario@paced" name="$scenario-$server-paced"
  fi
  if [[ -n "$round" ]]; then
    label="$scenario#$round" name="$scenario-$server-r$round"
  fi
  file="$OUT/$name.req"
  if [[ "$server" == bare ]]; then
    file="$OUT/$scenario-iamd.req" # the very bytes iamd answered
  else
    "$PY" "$BENCH/sign.py" requests --port "$port" --scenario "$scenario" --count "$count" --out "$file" \
      --size-out "$OUT/$name.size" \
      || { log "$label on $server: the sample request did not answer 200"; FAILED=1; return; }
  fi
  if [[ "$scenario" != CreateUser && "$WARMUP" -gt 0 ]]; then
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$conns" -d"${WARMUP}s" --timeout 5s \
      -s "$BENCH/replay.lua" "http://127.0.0.1:$port/" -- "$file" "$THREADS" "$rate" >/dev/null 2>&1 || true
  fi
  log "$label on $server: wrk -t$THREADS -c$conns -d${DURATION}s$( (( rate > 0 )) && echo " at $rate requests/s offered")"
  before="$(cpu_ticks "$pid")"
  timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 5s --latency \
    -s "$BENCH/replay.lua" "http://127.0.0.1:$port/" -- "$file" "$THREADS" "$rate" >"$OUT/$name.wrk" 2>&1 || true
  after="$(cpu_ticks "$pid")"
  [[ "$scenario" == CreateUser ]] && rm -f "$file"
  line="$(grep '^BENCH ' "$OUT/$name.wrk" || true)"
  if [[ -z "$line" ]]; then
    log "$label on $server: wrk gave no result:"; cat "$OUT/$name.wrk" >&2; FAILED=1; return
  fi
  kill -0 "$pid" 2>/dev/null || { log "$server died during $label"; FAILED=1; }
  local -A f=()
  local kv
  for kv in ${line#BENCH }; do f[${kv%%=*}]="${kv#*=}"; done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$server" "${f[requests]}" \
    "${f[duration_us]}" "${f[elapsed_us]}" "${f[p50_us]}" "${f[p99_us]}" "${f[max_us]}" "${f[status_errors]}" \
    "$((f[connect_errors] + f[read_errors] + f[write_errors] + f[timeouts]))" "${f[exhausted]}" \
    "$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / t}')" \
    "$conns" "$rate" "${f[late_sends]}" >>"$RESULTS"
}

# The HTTP floor for a read scenario: a bare server answering a body of iamd's response size,
# driven with iamd's request file.
run_bare() { # scenario size
  local port
  port="$(free_port)"
  "$BARE_BIN" "127.0.0.1:$port" "$2" >"$OUT/bare-$1.log" 2>&1 &
  BARE_PID=$!
  wait_port bare "$port" "$BARE_PID"
  run_one "$1" bare "$port" "$BARE_PID"
  stop_server "$BARE_PID" INT
  BARE_PID=""
}

FAILED=0
for scenario in $SCENARIOS; do
  case "$scenario" in
    GetUser | ListUsers | GetCallerIdentity | CreateUser) ;;
    *) die "unknown scenario $scenario" ;;
  esac
  run_one "$scenario" iamd "$IAMD_PORT" "$IAMD_PID"
  if [[ "$scenario" == GetUser ]]; then
    run_one "$scenario" iamd-noaudit "$QUIET_PORT" "$QUIET_PID"
    for ((round = 2; round <= AUDIT_ROUNDS; round++)); do
      if ((round % 2 == 0)); then
        run_one "$scenario" iamd-noaudit "$QUIET_PORT" "$QUIET_PID" 0 "$round"
        run_one "$scenario" iamd "$IAMD_PORT" "$IAMD_PID" 0 "$round"
      else
        run_one "$scenario" iamd "$IAMD_PORT" "$IAMD_PID" 0 "$round"
        run_one "$scenario" iamd-noaudit "$QUIET_PORT" "$QUIET_PID" 0 "$round"
      fi
    done
  fi
  run_one "$scenario" moto "$MOTO_PORT" "$MOTO_PID"
  if [[ "$BARE" == 1 && "$scenario" != CreateUser && -s "$OUT/$scenario-iamd.size" ]]; then
    run_bare "$scenario" "$(cat "$OUT/$scenario-iamd.size")"
  fi
  if [[ "$PACED" == 1 && "$scenario" != CreateUser ]]; then
    rate="$(rate_of "$scenario" moto "$PACE_FACTOR")"
    if (( rate > 0 )); then
      run_one "$scenario" iamd "$IAMD_PORT" "$IAMD_PID" "$rate"
    else
      log "$scenario: no requests/s measured for moto, so no paced run"
    fi
  fi
done

echo
cat "$OUT/conditions.txt"
echo
"$PY" "$BENCH/report.py" "$RESULTS" || FAILED=1
[[ -n "${BENCH_OUT:-}" ]] && log "raw output in $OUT"
exit "$FAILED"
