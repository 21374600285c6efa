#!/usr/bin/env python3
"""Prints bench/run.sh's results.tsv as a table with the iamd/moto ratios and the targets.

Exit status 1 when any run had a non-2xx response or a socket error (such a run is invalid).
"""

import csv
import sys

READS = ("GetUser", "ListUsers", "GetCallerIdentity")
READ_RATIO, READ_P99_MS, WRITE_RATIO = 100.0, 5.0, 20.0


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
        if r["errors"]:
            invalid.append(f"{r['scenario']} on {r['server']}")
        by[(r["scenario"], r["server"])] = r

    header = ("scenario", "server", "requests/s", "p50 ms", "p99 ms", "non-2xx", "sock err",
              "srv CPU/req", "iamd/moto")
    table = []
    for r in rows:
        ratio = ""
        if r["server"] == "iamd":
            moto = by.get((r["scenario"], "moto"))
            if moto and moto["rps"]:
                ratio = f"{r['rps'] / moto['rps']:.0f}x"
        rps = f"{r['rps']:,.0f}" + ("*" if int(r["elapsed_us"]) else "")
        table.append((r["scenario"], r["server"], rps, f"{int(r['p50_us']) / 1000:.2f}",
                      f"{int(r['p99_us']) / 1000:.2f}", r["status_errors"], r["socket_errors"],
                      f"{r['cpu_us']:,.0f} us", ratio))
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

    print()
    for scenario in sorted({r["scenario"] for r in rows}, key=[r["scenario"] for r in rows].index):
        i, m = by.get((scenario, "iamd")), by.get((scenario, "moto"))
        if not i or not m or not m["rps"]:
            continue
        ratio = i["rps"] / m["rps"]
        p99 = int(i["p99_us"]) / 1000
        if scenario in READS:
            ok = ratio >= READ_RATIO and p99 <= READ_P99_MS
            goal = f">= {READ_RATIO:.0f}x moto and p99 <= {READ_P99_MS:.0f} ms"
        else:
            ok = ratio >= WRITE_RATIO
            goal = f">= {WRITE_RATIO:.0f}x moto"
        print(f"target {scenario}: {goal}: {ratio:.1f}x, p99 {p99:.2f} ms -> "
              f"{'met' if ok else 'MISSED'}")
    if invalid:
        print(f"INVALID (errors during the run): {', '.join(invalid)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
