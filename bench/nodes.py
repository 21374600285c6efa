#!/usr/bin/env python3
"""A short load run of iamd on SQLite or PostgreSQL, on one node or several (see bench/README.md,
"PostgreSQL and several nodes").

    bench/nodes.py --iamd target/release/iamd --database sqlite --nodes 1
    bench/nodes.py --iamd target/release/iamd --database postgres://postgres@127.0.0.1:5432/bench --nodes 2

Starts NODES `iamd serve` processes on the database (a fresh SQLite file in a temporary directory
for `sqlite`; the PostgreSQL database must be empty: the script does not create it), all on
127.0.0.1, then measures, each phase for DURATION seconds:

  - writes: THREADS threads send CreateUser (distinct names) round-robin to the nodes; users/s
    (stopping early at 4,000 users, under AWS's quota of 5,000);
  - reads: one thread sends GetUser to node 0, one request at a time; p50/p99 latency;
  - propagation (two nodes or more): CHANGES times, a user created on node 0 is polled for on
    node 1 (GetUser every millisecond) until it answers 200; p50/p99 of the delay from node 0's
    answer to node 1's first 200.

Needs only Python 3 (it signs with SigV4 itself). Loopback only.
"""

import argparse
import hashlib
import hmac
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SEALING_KEY = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk="


def hmac_sha256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(host, body, service="iam", region="us-east-1"):
    """SigV4 headers of a POST of `body` (form-encoded) to `host`."""
    now = time.gmtime()
    stamp, date = time.strftime("%Y%m%dT%H%M%SZ", now), time.strftime("%Y%m%d", now)
    content_type = "application/x-www-form-urlencoded; charset=utf-8"
    payload = hashlib.sha256(body.encode()).hexdigest()
    canonical = (f"POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:{stamp}\n\n"
                 f"content-type;host;x-amz-date\n{payload}")
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("AWS4" + SECRET).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac_sha256(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Amz-Date": stamp,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={KEY}/{scope}, "
                         f"SignedHeaders=content-type;host;x-amz-date, Signature={signature}",
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, binary, database, workdir, index):
        self.port = free_port()
        data = os.path.join(workdir, f"node{index}")
        url = f"sqlite:{workdir}/iamd.db" if database == "sqlite" else database
        env = dict(os.environ, IAMD_ROOT_ACCESS_KEY_ID=KEY, IAMD_ROOT_SECRET_ACCESS_KEY=SECRET,
                   IAMD_SEALING_KEY=SEALING_KEY)
        self.log = open(os.path.join(workdir, f"node{index}.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", data,
             "--database", url], env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"iamd node {index} exited; see {self.log.name}")
                time.sleep(0.05)
        sys.exit(f"iamd node {index} did not listen")

    def stop(self):
        self.process.terminate()
        self.process.wait()


class Client:
    """One keep-alive connection to a node, sending signed IAM Query requests."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, **params):
        body = urllib.parse.urlencode(dict(params, Version="2010-05-08"))
        headers = signed_headers(f"127.0.0.1:{self.port}", body)
        self.conn.request("POST", "/", body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response.status


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def writes(nodes, threads, duration, most=4000):
    """CreateUser/s, and the errors, for `duration` seconds or until `most` users (AWS's
    quota is 5,000 users per account)."""
    counts, errors = [0] * threads, {}
    start = time.time()
    end = start + duration

    def run(i):
        client = Client(nodes[i % len(nodes)].port)
        n = 0
        while time.time() < end and sum(counts) < most:
            status = client.call(Action="CreateUser", UserName=f"w{i}-{n}")
            n += 1
            if status == 200:
                counts[i] += 1
            else:
                errors[status] = errors.get(status, 0) + 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.time() - start), errors


def reads(node, duration):
    client = Client(node.port)
    latencies, end = [], time.time() + duration
    while time.time() < end:
        start = time.perf_counter()
        if client.call(Action="GetUser", UserName="reader") != 200:
            sys.exit("GetUser failed")
        latencies.append(time.perf_counter() - start)
    return len(latencies) / duration, percentile(latencies, 0.5), percentile(latencies, 0.99)


def propagation(first, second, changes):
    writer, reader, delays = Client(first.port), Client(second.port), []
    for i in range(changes):
        if writer.call(Action="CreateUser", UserName=f"p{i}") != 200:
            sys.exit("CreateUser failed")
        start = time.perf_counter()
        while reader.call(Action="GetUser", UserName=f"p{i}") != 200:
            if time.perf_counter() - start > 5:
                sys.exit(f"p{i} not on the second node after 5 s")
            time.sleep(0.001)
        delays.append(time.perf_counter() - start)
    return percentile(delays, 0.5), percentile(delays, 0.99), max(delays)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iamd", default="target/release/iamd")
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        nodes = [Node(args.iamd, args.database, workdir, i) for i in range(args.nodes)]
        try:
            label = "sqlite" if args.database == "sqlite" else "postgres"
            if Client(nodes[0].port).call(Action="CreateUser", UserName="reader") != 200:
                sys.exit("CreateUser failed")
            rate, failed = writes(nodes, args.threads, args.duration)
            print(f"{label} nodes={args.nodes} CreateUser: {rate:.0f}/s (errors by status: {failed or 'none'}, "
                  f"{args.threads} threads, {args.duration:g} s)")
            rate, p50, p99 = reads(nodes[0], args.duration)
            print(f"{label} nodes={args.nodes} GetUser, one at a time: {rate:.0f}/s, "
                  f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")
            if len(nodes) > 1:
                p50, p99, worst = propagation(nodes[0], nodes[1], args.changes)
                print(f"{label} propagation over {args.changes} changes: p50 {p50 * 1000:.1f} ms, "
                      f"p99 {p99 * 1000:.1f} ms, max {worst * 1000:.1f} ms")
        finally:
            for node in nodes:
                node.stop()
            for node in nodes:
                with open(node.log.name) as log:
                    failures = [line for line in log if " failed:" in line]
                for line in failures[:5]:
                    print(f"{node.log.name}: {line}", end="")


if __name__ == "__main__":
    main()
