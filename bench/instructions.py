#!/usr/bin/env python3
"""Instructions per request of `iamd serve`, counted by valgrind's callgrind (a figure that a
busy machine does not disturb, unlike requests/s). See bench/README.md.

  bench/instructions.py [--iamd target/release/iamd] [--requests 2000]
      [--scenario GetUser|GetCallerIdentity|CreateUser] [--connections 1] [--keep DIR]
      [--audit-reads both|true|false] [--log-level warn] [--bare target/release/examples/bare_http]

CreateUser sends a distinct user name in each request (the server runs with its
UsersPerAccount quota raised); with --connections N the requests are spread over N keep-alive
connections sending at once, so that writes can share a commit (group commit) as at saturation.
--keep DIR keeps the long run's callgrind output (for callgrind_annotate). --audit-reads
measures with `iamd serve --audit-reads=true|false` (both by default: the cost of recording reads).
--log-level LEVEL runs iamd with that log level (warn by default; bench/run.sh's iamd runs at
`info`, which writes one request log line per request). --bare BIN also measures the HTTP floor, the bare_http example of iamd-server (cargo build
--release -p iamd-server --example bare_http), answering the same requests with a fixed body of
the size iamd answered (as bench/run.sh's `bare` rows), and prints iamd's figure as a multiple
of it.

Runs the server under callgrind twice on a fresh SQLite data directory, once answering a few
requests and once REQUESTS more (the same signed GetUser request over one keep-alive
connection), stops it with SIGINT (its shutdown flushes the audit records kept in memory),
and prints (instructions of the long run - of the short run) / REQUESTS: the cost of one
request, everything included (HTTP, SigV4, policy, XML, its audit record and its share of
writing the records to the database). Needs valgrind and botocore (or the AWS CLI's vendored
copy).
"""

import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    from awscli.botocore.auth import SigV4Auth
    from awscli.botocore.awsrequest import AWSRequest
    from awscli.botocore.credentials import Credentials

KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed(port, body, service="iam"):
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{port}/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(KEY, SECRET), service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def call(conn, port, body, headers=None):
    conn.request("POST", "/", body=body, headers=headers or signed(port, body))
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"bench: {body} answered {response.status}: {data[:300]!r}")
    return len(data)


def bodies(scenario, requests, tag):
    """(body, signing service) of each request of the scenario."""
    if scenario == "GetUser":
        return [("Action=GetUser&Version=2010-05-08&UserName=bench-user", "iam")] * requests
    if scenario == "GetCallerIdentity":
        return [("Action=GetCallerIdentity&Version=2011-06-15", "sts")] * requests
    return [(f"Action=CreateUser&Version=2010-05-08&UserName=new-{tag}-{i}", "iam")
            for i in range(requests)]


def send_all(port, requests, connections):
    """Sends the (body, headers) pairs over `connections` connections at once."""
    import threading

    sizes = []

    def worker(share):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for body, headers in share:
            sizes.append(call(conn, port, body, headers))
        conn.close()

    threads = [threading.Thread(target=worker, args=(requests[i::connections],))
               for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sizes[-1] if sizes else 0


def run(iamd, scenario, requests, connections=1, keep=None, audit_reads="true", bare_size=None,
        log_level="warn"):
    """(Total instructions, size of the last response) of a server that answered `requests`
    requests of the scenario: `iamd serve`, or with `bare_size` the bare_http server `iamd`
    answering bodies of that size."""
    data = tempfile.mkdtemp(prefix="iamd-instructions-")
    out = os.path.join(data, "callgrind.out")
    port = free_port()
    env = dict(os.environ, IAMD_ROOT_ACCESS_KEY_ID=KEY, IAMD_ROOT_SECRET_ACCESS_KEY=SECRET)
    if bare_size is None:
        command = [iamd, "serve", "--data-dir", os.path.join(data, "d"), "--listen",
                   f"127.0.0.1:{port}", "--quota", "UsersPerAccount=1000000", "--log-level",
                   log_level, f"--audit-reads={audit_reads}"]
    else:
        command = [iamd, f"127.0.0.1:{port}", str(bare_size)]
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + command,
        # stderr to a file: a pipe read only at the end can fill up and stop the server.
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "stderr"), "wb"))
    deadline = time.time() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                sys.exit("bench: iamd did not start under valgrind")
            time.sleep(0.2)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    call(conn, port, "Action=CreateUser&Version=2010-05-08&UserName=bench-user")
    conn.close()
    signed_once = {}
    prepared = []
    for body, service in bodies(scenario, requests, f"{requests}x{connections}"):
        if body not in signed_once:
            signed_once[body] = signed(port, body, service)
        prepared.append((body, signed_once[body]))
    size = send_all(port, prepared, connections)
    server.send_signal(signal.SIGINT)
    server.wait(timeout=300)
    with open(os.path.join(data, "stderr"), "rb") as f:
        err = f.read()
    match = re.search(rb"Collected : (\d+)", err)
    if not match:
        sys.exit(f"bench: no callgrind total in: {err[-2000:]!r}")
    if keep:
        os.makedirs(keep, exist_ok=True)
        name = "bare" if bare_size is not None else f"audit-{audit_reads}.log-{log_level}"
        os.replace(out, os.path.join(keep, f"callgrind.{scenario}.{name}.out"))
    return int(match.group(1)), size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iamd", default="target/release/iamd")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--scenario", default="GetUser",
                        choices=["GetUser", "GetCallerIdentity", "CreateUser"])
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--keep", default=None)
    parser.add_argument("--audit-reads", choices=["both", "true", "false"], default="both")
    parser.add_argument("--log-level", default="warn")
    parser.add_argument("--bare", default=None,
                        help="bare_http binary: measure the HTTP floor too")
    args = parser.parse_args()
    modes = ["true", "false"] if args.audit_reads == "both" else [args.audit_reads]
    figures = {}
    size = 0
    for mode in modes:
        base, _ = run(args.iamd, args.scenario, 10, args.connections, None, mode,
                      log_level=args.log_level)
        total, size = run(args.iamd, args.scenario, 10 + args.requests, args.connections,
                          args.keep, mode, log_level=args.log_level)
        figures[mode] = (total - base) / args.requests
        print(f"{args.scenario} --audit-reads={mode} --log-level={args.log_level}: "
              f"{figures[mode]:,.0f} instructions per "
              f"request ({args.requests} requests over {args.connections} connection(s); runs "
              f"of {base:,} and {total:,} instructions)")
    if len(figures) == 2:
        print(f"read auditing costs {figures['true'] / figures['false'] - 1:.1%} more "
              f"instructions per {args.scenario}")
    if args.bare:
        base, _ = run(args.bare, args.scenario, 10, args.connections, None, bare_size=size)
        total, _ = run(args.bare, args.scenario, 10 + args.requests, args.connections,
                       args.keep, bare_size=size)
        floor = (total - base) / args.requests
        print(f"{args.scenario} bare_http ({size}-byte body): {floor:,.0f} instructions per "
              f"request (runs of {base:,} and {total:,} instructions)")
        for mode, figure in figures.items():
            print(f"iamd --audit-reads={mode} / bare_http: {figure / floor:.2f}x")


if __name__ == "__main__":
    main()
