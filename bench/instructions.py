#!/usr/bin/env python3
"""Instructions per GetUser request of `iamd serve`, counted by valgrind's callgrind (a figure
that a busy machine does not disturb, unlike requests/s). See bench/README.md.

  bench/instructions.py [--iamd target/release/iamd] [--requests 2000] [--audit-reads both|true|false]

For each read-auditing mode (`iamd serve --audit-reads=true|false`; both by default) runs the
server under callgrind twice on a fresh SQLite data directory, once answering a few
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


def signed(port, body):
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:{port}/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(KEY, SECRET), "iam", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def call(conn, port, body, headers=None):
    conn.request("POST", "/", body=body, headers=headers or signed(port, body))
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"bench: {body} answered {response.status}: {data[:300]!r}")


def run(iamd, requests, audit_reads):
    """Total instructions of a server that answered `requests` GetUser requests."""
    data = tempfile.mkdtemp(prefix="iamd-instructions-")
    out = os.path.join(data, "callgrind.out")
    port = free_port()
    env = dict(os.environ, IAMD_ROOT_ACCESS_KEY_ID=KEY, IAMD_ROOT_SECRET_ACCESS_KEY=SECRET)
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", iamd, "serve",
         "--data-dir", os.path.join(data, "d"), "--listen", f"127.0.0.1:{port}",
         f"--audit-reads={audit_reads}"],
        # stderr to a file: a pipe read only at the end fills up with request log lines and
        # stops the server.
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
    body = "Action=GetUser&Version=2010-05-08&UserName=bench-user"
    headers = signed(port, body)
    for _ in range(requests):
        call(conn, port, body, headers)
    conn.close()
    server.send_signal(signal.SIGINT)
    server.wait(timeout=300)
    with open(os.path.join(data, "stderr"), "rb") as f:
        err = f.read()
    match = re.search(rb"Collected : (\d+)", err)
    if not match:
        sys.exit(f"bench: no callgrind total in: {err[-2000:]!r}")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iamd", default="target/release/iamd")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--audit-reads", choices=["both", "true", "false"], default="both")
    args = parser.parse_args()
    modes = ["true", "false"] if args.audit_reads == "both" else [args.audit_reads]
    figures = {}
    for mode in modes:
        base = run(args.iamd, 10, mode)
        total = run(args.iamd, 10 + args.requests, mode)
        figures[mode] = (total - base) / args.requests
        print(f"GetUser --audit-reads={mode}: {figures[mode]:,.0f} instructions per request "
              f"({args.requests} requests; runs of {base:,} and {total:,} instructions)")
    if len(figures) == 2:
        print(f"read auditing costs {figures['true'] / figures['false'] - 1:.1%} more "
              f"instructions per GetUser")


if __name__ == "__main__":
    main()
