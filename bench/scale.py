#!/usr/bin/env python3
"""The scale benchmark (run through bench/scale.sh, which builds what it needs).

For each account size (users): writes the fixture with the scale_fixture example (directly
through the store), starts `iamd serve` on it and measures cold start to ready, resident memory,
GetUser (root) and an authorized call by a user with 3 groups and 10 attached policies
(throughput and p99 under wrk), CreateUser and AttachUserPolicy (throughput and p99), ListUsers
paging through every user (time per page), the credential report, GetAccountAuthorizationDetails
paged, and LookupEvents by user (p50/p99). Writes results.json and scale.png (each figure against
the account size) to --out, and prints a table.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sign  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
IAM_VERSION = sign.IAM_VERSION
LOOKUP_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
PAGE = 1000


def log(*a):
    print("scale:", *a, file=sys.stderr, flush=True)


def call(signer, params, service="iam", target=None, expect=200):
    status, body = sign.send(signer.port, signer.raw(service, params, target), timeout=120)
    if status != expect:
        raise SystemExit(f"scale: {params.get('Action', target)}: HTTP {status}: {body[:400]!r}")
    return body.decode(errors="replace")


def timed(fn):
    start = time.monotonic()
    out = fn()
    return time.monotonic() - start, out


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def write_requests(path, raws):
    with open(path, "wb") as out:
        for raw in raws:
            out.write(f"{len(raw)}\n".encode())
            out.write(raw)


def wrk(args, port, path, duration):
    """Replays the request file (bench/replay.lua); requests/s and p99 (ms)."""
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s",
         "--latency", "-s", os.path.join(BENCH, "replay.lua"), f"http://127.0.0.1:{port}/", "--",
         path, str(args.threads), "0"],
        capture_output=True, text=True, timeout=duration + 120,
    ).stdout
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"scale: wrk gave no result:\n{out}")
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    errors = sum(int(f[k]) for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts"))
    if errors:
        raise SystemExit(f"scale: {errors} errors during the run: {line}")
    seconds = int(f["elapsed_us"] or f["duration_us"]) / 1e6 or int(f["duration_us"]) / 1e6
    return {"rps": int(f["requests"]) / seconds, "p99_ms": int(f["p99_us"]) / 1000,
            "requests": int(f["requests"])}


def pages(signer, params, key_marker="Marker"):
    """Pages through a list call; the time of each page (ms) and the items' count."""
    times, marker, items = [], None, 0
    while True:
        p = dict(params, MaxItems=str(PAGE))
        if marker:
            p[key_marker] = marker
        seconds, body = timed(lambda: call(signer, p))
        times.append(seconds * 1000)
        items += body.count("<member>")
        m = re.search(r"<Marker>([^<]+)</Marker>", body)
        if "<IsTruncated>true</IsTruncated>" not in body or not m:
            return times, items
        marker = m.group(1)


def page_summary(times):
    return {"pages": len(times), "total_s": sum(times) / 1000, "first_ms": times[0],
            "median_ms": statistics.median(times), "last_ms": times[-1], "max_ms": max(times)}


def measure(args, users, work):
    data = os.path.join(work, f"data-{users}")
    log(f"{users} users: writing the fixture")
    seconds, out = timed(lambda: subprocess.run([args.fixture, data, str(users)], check=True,
                                                capture_output=True, text=True))
    probe = dict(l.split("=", 1) for l in out.stdout.splitlines() if "=" in l)
    r = {"users": users, "fixture_s": seconds, "fixture": out.stderr.strip()}
    log(out.stderr.strip())
    port = int(subprocess.check_output([sys.executable, "-c",
        "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]))
    create_n, attach_n = args.writes, args.writes
    quotas = [f"UsersPerAccount={users + create_n + 1000}", "PoliciesPerUser=1000",
              f"PoliciesPerAccount={users + 1000}", f"GroupsPerAccount={users + 1000}",
              f"RolesPerAccount={users + 1000}"]
    cmd = [args.iamd, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}",
           "--log-level", "warn"] + [a for q in quotas for a in ("--quota", q)]
    started = time.monotonic()
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(work, f"iamd-{users}.log"), "w"))
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"scale: iamd exited at start (see {work}/iamd-{users}.log)")
            try:
                status, _ = sign.send(port, f"GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(), timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        r["cold_start_s"] = time.monotonic() - started
        r["rss_ready_mb"] = rss_mb(server.pid)
        root = sign.Signer(port)
        prober = sign.Signer(port, Credentials(probe["PROBE_KEY_ID"], probe["PROBE_SECRET"]))
        target = f"user-{users // 2:06d}"
        req = os.path.join(work, "req")
        # Reads under load.
        write_requests(req, [root.raw("iam", {"Action": "GetUser", "Version": IAM_VERSION, "UserName": target})])
        call(root, {"Action": "GetUser", "Version": IAM_VERSION, "UserName": target})
        r["GetUser"] = wrk(args, port, req, args.duration)
        authorized = {"Action": "ListAttachedUserPolicies", "Version": IAM_VERSION, "UserName": probe["PROBE_USER"]}
        call(prober, authorized)
        write_requests(req, [prober.raw("iam", authorized)])
        r["authorized_call"] = wrk(args, port, req, args.duration)
        # Writes: distinct requests, the run stops after them or the duration.
        r["rss_mb"] = {"ready": r["rss_ready_mb"], "after reads": rss_mb(server.pid)}
        tag = str(int(time.time()) % 100000)
        write_requests(req, [root.raw("iam", {"Action": "CreateUser", "Version": IAM_VERSION,
                                              "UserName": f"new-{tag}-{i:07d}"}) for i in range(create_n)])
        r["CreateUser"] = wrk(args, port, req, args.duration)
        created = max(1, min(create_n, r["CreateUser"]["requests"]))
        r["rss_mb"]["after CreateUser"] = rss_mb(server.pid)
        acct = re.search(r"<Arn>arn:aws:iam::(\d+):", call(root, {"Action": "GetUser", "Version": IAM_VERSION,
                                                                   "UserName": target})).group(1)
        # Each request attaches a fixture policy to a user CreateUser just made (one policy a
        # user while there are as many users as requests): the same write at every size. The
        # fixture's users would give a 10-user account either re-attachments (no-ops) or
        # users holding hundreds of policies.
        policies = max(20, users // 10)
        write_requests(req, [root.raw("iam", {
            "Action": "AttachUserPolicy", "Version": IAM_VERSION,
            "UserName": f"new-{tag}-{i % created:07d}",
            "PolicyArn": f"arn:aws:iam::{acct}:policy/policy-{(i // created) % policies:05d}"})
            for i in range(attach_n)])
        r["AttachUserPolicy"] = wrk(args, port, req, args.duration)
        r["rss_after_load_mb"] = rss_mb(server.pid)
        r["rss_mb"]["after AttachUserPolicy"] = r["rss_after_load_mb"]
        # Paging and reports.
        times, listed = pages(root, {"Action": "ListUsers", "Version": IAM_VERSION})
        r["ListUsers"] = dict(page_summary(times), users=listed)
        def report():
            while "<State>COMPLETE</State>" not in call(root, {"Action": "GenerateCredentialReport", "Version": IAM_VERSION}):
                time.sleep(0.05)
            return call(root, {"Action": "GetCredentialReport", "Version": IAM_VERSION})
        seconds, _ = timed(report)
        r["credential_report_s"] = seconds
        times, _ = pages(root, {"Action": "GetAccountAuthorizationDetails", "Version": IAM_VERSION})
        r["GetAccountAuthorizationDetails"] = page_summary(times)
        lookups = []
        for i in range(args.lookups):
            user = f"user-{(i * 7919) % users:06d}"
            body = {"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": user}], "MaxResults": 50}
            seconds, _ = timed(lambda: call(root, body, "cloudtrail", LOOKUP_TARGET))
            lookups.append(seconds * 1000)
        lookups.sort()
        r["LookupEvents"] = {"p50_ms": lookups[len(lookups) // 2],
                             "p99_ms": lookups[min(len(lookups) - 1, int(len(lookups) * 0.99))]}
        r["rss_mb"]["after reports and lookups"] = rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    subprocess.run(["rm", "-rf", data])
    return r


FIGURES = [
    ("cold start (s)", lambda r: r["cold_start_s"]),
    ("RSS after load (MB)", lambda r: r["rss_after_load_mb"]),
    ("GetUser req/s", lambda r: r["GetUser"]["rps"]),
    ("GetUser p99 (ms)", lambda r: r["GetUser"]["p99_ms"]),
    ("authorized call req/s", lambda r: r["authorized_call"]["rps"]),
    ("authorized call p99 (ms)", lambda r: r["authorized_call"]["p99_ms"]),
    ("CreateUser req/s", lambda r: r["CreateUser"]["rps"]),
    ("CreateUser p99 (ms)", lambda r: r["CreateUser"]["p99_ms"]),
    ("AttachUserPolicy req/s", lambda r: r["AttachUserPolicy"]["rps"]),
    ("AttachUserPolicy p99 (ms)", lambda r: r["AttachUserPolicy"]["p99_ms"]),
    ("ListUsers median page (ms)", lambda r: r["ListUsers"]["median_ms"]),
    ("credential report (s)", lambda r: r["credential_report_s"]),
    ("GetAccountAuthorizationDetails median page (ms)", lambda r: r["GetAccountAuthorizationDetails"]["median_ms"]),
    ("LookupEvents by user p99 (ms)", lambda r: r["LookupEvents"]["p99_ms"]),
]


def table(results):
    head = ["figure"] + [f"{r['users']:,} users" for r in results]
    rows = [[name] + [f"{fn(r):,.2f}" for r in results] for name, fn in FIGURES]
    rows.append(["ListUsers pages (first / last ms)"] + [
        f"{r['ListUsers']['pages']} ({r['ListUsers']['first_ms']:.1f} / {r['ListUsers']['last_ms']:.1f})" for r in results])
    for phase in results[0].get("rss_mb", {}):
        rows.append([f"RSS {phase} (MB)"] + [f"{r['rss_mb'][phase]:,.0f}" for r in results])
    rows.append(["fixture written in (s)"] + [f"{r['fixture_s']:,.0f}" for r in results])
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [fmt(r) for r in rows])


def plot(results, path, note):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sized = [r for r in results if r["users"] >= 1000] or results
    xs = [r["users"] for r in sized]
    cols = 4
    rows = (len(FIGURES) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows))
    for ax, (name, fn) in zip(axes.flat, FIGURES):
        ax.plot(xs, [fn(r) for r in sized], marker="o")
        base = [r for r in results if r["users"] < 1000]
        if base:
            ax.axhline(fn(base[0]), color="grey", linestyle="--", linewidth=1,
                       label=f"{base[0]['users']} users")
            ax.legend(fontsize=7)
        ax.set_xscale("log")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("users", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(FIGURES):]:
        ax.axis("off")
    fig.suptitle(f"iamd at scale ({note})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iamd", required=True)
    p.add_argument("--fixture", required=True)
    p.add_argument("--sizes", default="10,1000,10000,100000")
    p.add_argument("--duration", type=int, default=5)
    p.add_argument("--writes", type=int, default=20000, help="distinct CreateUser / AttachUserPolicy requests")
    p.add_argument("--lookups", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--out", required=True)
    p.add_argument("--note", default="")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="iamd-scale.") as work:
        for users in [int(s) for s in args.sizes.split(",")]:
            results.append(measure(args, users, work))
            with open(os.path.join(args.out, "results.json"), "w") as f:
                json.dump({"note": args.note, "results": results}, f, indent=1)
    print(table(results))
    try:
        plot(results, os.path.join(args.out, "scale.png"), args.note)
        log(f"plot in {args.out}/scale.png")
    except ImportError:
        log("no matplotlib: no plot")


if __name__ == "__main__":
    main()
