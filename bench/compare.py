#!/usr/bin/env python3
"""GetUser throughput of several iamd builds or settings, in interleaved rounds.

  bench/compare.py [--rounds 16] [--duration 2] BIN:AUDIT_READS [BIN:AUDIT_READS ...]

e.g. bench/compare.py old/iamd:true new/iamd:true new/iamd:false

Starts every configuration once (`iamd serve --audit-reads=AUDIT_READS` on a fresh data
directory, the bench's 100 fixture users, a 2 s warm-up), then runs `wrk -t2 -c32` GetUser on
each in turn for --duration seconds, --rounds times, the order rotating each round, so that
the host's slow and fast moments fall on every configuration alike. Prints each round, then
per configuration the median requests/s, the median server CPU per request (utime + stime of
/proc/PID/stat) and, round by round, how much slower it was than the LAST configuration (the
baseline), with the median of those. Needs wrk and the bench virtualenv (bench/run.sh makes it).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.environ.get("BENCH_VENV", os.path.join(ROOT, "target", "bench-venv")) + "/bin/python"
KEYS = {"IAMD_ROOT_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "IAMD_ROOT_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
ENV = dict(os.environ, **KEYS, AWS_ACCESS_KEY_ID=KEYS["IAMD_ROOT_ACCESS_KEY_ID"],
           AWS_SECRET_ACCESS_KEY=KEYS["IAMD_ROOT_SECRET_ACCESS_KEY"], AWS_DEFAULT_REGION="us-east-1")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(port, requests, seconds):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", f"{ROOT}/bench/replay.lua",
                          f"http://127.0.0.1:{port}/", "--", requests, "2", "0"],
                         capture_output=True, text=True).stdout
    counts = [kv.split("=", 1)[1] for kv in out.split() if kv.startswith("requests=")]
    if not counts:
        sys.exit(f"compare: wrk gave no result: {out[-500:]}")
    return int(counts[0])


def start(config, index, work):
    binary, _, audit = config.rpartition(":")
    if not binary or audit not in ("true", "false"):
        sys.exit(f"compare: {config!r} is not BIN:true or BIN:false")
    port, data = free_port(), os.path.join(work, str(index))
    os.makedirs(data)
    server = subprocess.Popen([binary, "serve", "--data-dir", f"{data}/db", "--listen",
                               f"127.0.0.1:{port}", f"--audit-reads={audit}"],
                              stdout=open(f"{data}/log", "w"), stderr=subprocess.STDOUT, env=ENV)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except OSError:
            if server.poll() is not None:
                sys.exit(f"compare: {config} exited at start (see {data}/log)")
            time.sleep(0.1)
    sign = [PY, f"{ROOT}/bench/sign.py"]
    subprocess.run(sign + ["fixtures", "--port", str(port), "--users", "100"], env=ENV, check=True,
                   capture_output=True)
    requests = f"{data}/GetUser.req"
    subprocess.run(sign + ["requests", "--port", str(port), "--scenario", "GetUser", "--count",
                           "1", "--out", requests, "--size-out", f"{data}/size"],
                   env=ENV, check=True, capture_output=True)
    wrk(port, requests, 2)
    return server, port, requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--duration", type=int, default=2)
    parser.add_argument("configs", nargs="+")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="iamd-compare.")
    servers = []
    try:
        for i, config in enumerate(args.configs):
            servers.append((config,) + start(config, i, work))
        results = {config: [] for config in args.configs}
        for r in range(args.rounds):
            k = r % len(servers)
            for config, server, port, requests in servers[k:] + servers[:k]:
                before = cpu_ticks(server.pid)
                n = wrk(port, requests, args.duration)
                used = (cpu_ticks(server.pid) - before) / TICK
                results[config].append((n / args.duration, used * 1e6 / max(n, 1)))
            print(f"round {r + 1}: " + " | ".join(
                f"{results[c][-1][0]:7.0f}/s {results[c][-1][1]:5.1f} us" for c in args.configs),
                flush=True)
        base = results[args.configs[-1]]
        for config in args.configs:
            rows = results[config]
            slower = [100 * (1 - row[0] / b[0]) for row, b in zip(rows, base)]
            print(f"{config}: median {statistics.median(r[0] for r in rows):.0f}/s, "
                  f"{statistics.median(r[1] for r in rows):.1f} us CPU/request; slower than "
                  f"{args.configs[-1]} by median {statistics.median(slower):.1f} % "
                  f"(rounds: {', '.join(f'{s:.0f}' for s in slower)})")
    finally:
        for _, server, _, _ in servers:
            server.terminate()
        for _, server, _, _ in servers:
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
