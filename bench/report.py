#!/usr/bin/env python3
"""Prints bench/run.sh's results.tsv as a table with the iamd/moto ratios and the targets.

Rows of server "bare" are the HTTP floor: iamd's accept loop and HTTP stack answering a fixed
body of the size of iamd's response to the same request bytes (no signature, policy, state or
audit); iamd's server CPU per request is reported as a multiple of it (target <= 1.3x for GetUser
and GetCallerIdentity). CreateUser's target is >= 30x moto over a run of at least 5 s.

Rows whose scenario ends in "@paced" are iamd runs at a fixed offered rate (BENCH_PACE_FACTOR x
moto's requests/s in the same run); the read targets are judged on them: the saturation ratio must
be >= 100x, and the paced run at 100x moto's rate must achieve >= 95% of that rate with p99 <= 5 ms.

Exit status 1 when any run had a non-2xx response or a socket error (such a run is invalid).
"""

import csv
import statistics
import sys

READS = ("GetUser", "ListUsers", "GetCallerIdentity")
READ_RATIO, READ_P99_MS, WRITE_RATIO = 100.0, 5.0, 30.0
FLOOR_RATIO, FLOOR_SCENARIOS = 1.3, ("GetUser", "GetCallerIdentity")
WRITE_MIN_SECONDS, WRITE_MAX_CPU_US = 5.0, 50.0
AUDIT_COST = 0.10  # at most this share of GetUser's throughput may go to recording reads
PACED = "@paced"
PACED_MIN_ACHIEVED = 0.95  # of the offered rate


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by = {}
    invalid = []
    for r in rows:
        requests = int(r["requests"])
        # A run that stopped after its N distinct requests: first request to last response.
        seconds = int(r["elapsed_us"] or r["duration_us"]) / 1e6
        if not seconds:
            seconds = int(r["duration_us"]) / 1e6
        r["rps"] = requests / seconds if seconds else 0.0
        cpu = float(r["server_cpu_s"])
        r["cpu_us"] = cpu * 1e6 / requests if requests else 0.0
        r["errors"] = int(r["status_errors"]) + int(r["socket_errors"])
        r["offered"] = float(r.get("offered_rps") or 0)
        r["late"] = int(r.get("late_sends") or 0)
        r["seconds"] = seconds
        if r["errors"]:
            invalid.append(f"{r['scenario']} on {r['server']}")
        by[(r["scenario"], r["server"])] = r

    header = ("scenario", "server", "requests/s", "p50 ms", "p99 ms", "non-2xx", "sock err",
              "srv CPU/req", "iamd/moto", "CPU/req vs bare")
    table = []
    for r in rows:
        ratio = ""
        if r["offered"]:
            # The paced run: achieved rate as a share of the offered one.
            ratio = f"{r['rps'] / r['offered']:.0%} of {r['offered']:,.0f}/s offered"
        elif r["server"] == "iamd":
            moto = by.get((r["scenario"], "moto"))
            if moto and moto["rps"]:
                ratio = f"{r['rps'] / moto['rps']:.0f}x"
        floor = ""
        bare = by.get((r["scenario"], "bare"))
        if r["server"] == "iamd" and not r["offered"] and bare and bare["cpu_us"]:
            floor = f"{r['cpu_us'] / bare['cpu_us']:.2f}x"
        rps = f"{r['rps']:,.0f}" + ("*" if int(r["elapsed_us"]) else "")
        table.append((r["scenario"], r["server"], rps, f"{int(r['p50_us']) / 1000:.2f}",
                      f"{int(r['p99_us']) / 1000:.2f}", r["status_errors"], r["socket_errors"],
                      f"{r['cpu_us']:,.1f} us", ratio, floor))
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for t in table:
        print(line(t))
    for r in rows:
        if int(r["elapsed_us"]):
            print(f"* {r['scenario']} on {r['server']}: sent all {r['requests']} distinct requests in "
                  f"{int(r['elapsed_us']) / 1e6:.2f} s (first request to last response)")
    print("srv CPU/req: server process CPU time (user+system, all threads) per completed request")
    paced = [r for r in rows if r["offered"]]
    if paced:
        print(f"{PACED} rows: iamd again at a fixed offered rate (a multiple of moto's requests/s "
              "above), not at saturation; requests/s is the achieved rate and p50/p99 are the "
              "latencies at that load")
        for r in paced:
            requests = int(r["requests"])
            note = f"  {r['scenario']}: {r['late']} of {requests} requests went out > 1 ms late"
            if r["late"]:
                note += (f" ({r['late'] / requests:.2%}: every connection of the wrk thread was "
                         "busy when their slot came)")
            conns = int(r.get("connections") or 0)
            if conns and requests:
                # wrk 4's stats_correct(): interval = run time / (requests / connections).
                interval_ms = int(r["duration_us"]) / (requests / conns) / 1000
                note += (f"; wrk's coordinated-omission correction (-c{conns}) adds samples for "
                         f"latencies >= {2 * interval_ms:.1f} ms")
            print(note)

    print()
    for scenario in sorted({r["scenario"] for r in rows if not r["offered"]},
                           key=[r["scenario"] for r in rows].index):
        i, m = by.get((scenario, "iamd")), by.get((scenario, "moto"))
        if not i or not m or not m["rps"]:
            continue
        ratio = i["rps"] / m["rps"]
        if scenario not in READS:
            ok = ratio >= WRITE_RATIO and i["seconds"] >= WRITE_MIN_SECONDS
            print(f"target {scenario}: >= {WRITE_RATIO:.0f}x moto over >= {WRITE_MIN_SECONDS:.0f} s: "
                  f"{ratio:.1f}x over {i['seconds']:.1f} s -> {'met' if ok else 'MISSED'}")
            ok = i["cpu_us"] <= WRITE_MAX_CPU_US
            print(f"target {scenario}: <= {WRITE_MAX_CPU_US:.0f} us of server CPU per request: "
                  f"{i['cpu_us']:.1f} us -> {'met' if ok else 'MISSED'}")
            continue
        goal = (f">= {READ_RATIO:.0f}x moto at saturation, and at {READ_RATIO:.0f}x moto's rate "
                f">= {PACED_MIN_ACHIEVED:.0%} achieved with p99 <= {READ_P99_MS:.0f} ms")
        p = by.get((scenario + PACED, "iamd"))
        if p is None:
            # No paced run (BENCH_PACED=0): only the saturation p99 is known, a stricter check.
            p99 = int(i["p99_us"]) / 1000
            ok = ratio >= READ_RATIO and p99 <= READ_P99_MS
            print(f"target {scenario}: {goal}: {ratio:.1f}x, no paced run, p99 at saturation "
                  f"{p99:.2f} ms -> {'met' if ok else 'MISSED'}")
            continue
        p99 = int(p["p99_us"]) / 1000
        achieved = p["rps"] / p["offered"]
        factor = p["offered"] / m["rps"]
        notes = []
        if factor < READ_RATIO * 0.999:
            notes.append(f"paced at only {factor:.0f}x moto, so it does not show the target")
        ok = (ratio >= READ_RATIO and achieved >= PACED_MIN_ACHIEVED and p99 <= READ_P99_MS
              and not notes)
        print(f"target {scenario}: {goal}: {ratio:.1f}x; paced {p['rps']:,.0f} of "
              f"{p['offered']:,.0f}/s ({achieved:.0%}), p99 {p99:.2f} ms"
              f"{''.join('; ' + n for n in notes)} -> {'met' if ok else 'MISSED'}")
    for scenario in FLOOR_SCENARIOS:
        i, b = by.get((scenario, "iamd")), by.get((scenario, "bare"))
        if i and b and b["cpu_us"]:
            ratio = i["cpu_us"] / b["cpu_us"]
            print(f"target {scenario}: server CPU per request <= {FLOOR_RATIO}x the HTTP floor: "
                  f"{i['cpu_us']:.1f} / {b['cpu_us']:.1f} us = {ratio:.2f}x -> "
                  f"{'met' if ratio <= FLOOR_RATIO else 'MISSED'}")
    audit_cost(by)
    if invalid:
        print(f"INVALID (errors during the run): {', '.join(invalid)}")
        return 1
    return 0


def audit_cost(by):
    """Read auditing's cost: GetUser with and without it, per round (BENCH_AUDIT_ROUNDS) and the
    median of the rounds' costs."""
    costs = []
    for label in ["GetUser"] + sorted({s for s, _ in by if s.startswith("GetUser#")},
                                      key=lambda s: int(s.split("#")[1])):
        audited, quiet = by.get((label, "iamd")), by.get((label, "iamd-noaudit"))
        if not (audited and quiet and quiet["rps"]):
            continue
        cost = 1 - audited["rps"] / quiet["rps"]
        costs.append(cost)
        print(f"read auditing, {label}: {audited['rps']:,.0f}/s with, {quiet['rps']:,.0f}/s without "
              f"({cost:.1%}; CPU/req {audited['cpu_us']:,.1f} vs {quiet['cpu_us']:,.1f} us)")
    if costs:
        cost = statistics.median(costs)
        print(f"target read auditing: GetUser <= {AUDIT_COST:.0%} slower with it: median of "
              f"{len(costs)} round(s) {cost:.1%} -> {'met' if cost <= AUDIT_COST else 'MISSED'} "
              "(requests/s is noisy on a shared machine: bench/instructions.py counts instructions)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
