#!/usr/bin/env python3
"""Signed requests for the iamd-vs-moto load benchmark (see bench/README.md).

Subcommands (all traffic goes to 127.0.0.1 only):

  fixtures --port P --users N
      Creates bench-user-000 .. bench-user-(N-1) with signed CreateUser requests, one at a time,
      and fails unless every one answers 200.

  requests --port P --scenario S --count N --out FILE
      Signs N raw HTTP/1.1 requests for scenario S (GetUser, ListUsers, GetCallerIdentity,
      CreateUser), checks that one sample request of the same shape answers 200, and writes the
      N requests to FILE for bench/replay.lua, each as "<length>\\n<raw request bytes>".
      Reads are one request signed once and replayed (SigV4 signatures are valid for 15 minutes);
      CreateUser is N requests with distinct user names plus a separate sample for the check.

Credentials: IAMD_ROOT_ACCESS_KEY_ID / IAMD_ROOT_SECRET_ACCESS_KEY (moto accepts any keys, so the
same ones are used for both servers).
"""

import argparse
import json
import os
import socket
import sys
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"
HOST = "127.0.0.1"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"


def credentials():
    key = os.environ.get("IAMD_ROOT_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    secret = os.environ.get(
        "IAMD_ROOT_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    )
    return Credentials(key, secret)


def scenario_params(scenario, index, run_tag):
    """(signing service, form parameters) of request number `index` of a scenario."""
    if scenario == "GetUser":
        return "iam", {"Action": "GetUser", "Version": IAM_VERSION, "UserName": "bench-user-042"}
    if scenario == "ListUsers":
        return "iam", {"Action": "ListUsers", "Version": IAM_VERSION, "MaxItems": "100"}
    if scenario == "GetCallerIdentity":
        return "sts", {"Action": "GetCallerIdentity", "Version": STS_VERSION}
    if scenario == "CreateUser":
        name = f"bench-new-{run_tag}-{index:07d}"
        return "iam", {"Action": "CreateUser", "Version": IAM_VERSION, "UserName": name}
    raise SystemExit(f"sign.py: unknown scenario {scenario}")


def fixture_params(i):
    return "iam", {"Action": "CreateUser", "Version": IAM_VERSION, "UserName": f"bench-user-{i:03d}"}


class Signer:
    def __init__(self, port, creds=None):
        self.port = port
        self.host = f"{HOST}:{port}"
        creds = creds or credentials()
        self.auth = {svc: SigV4Auth(creds, svc, REGION) for svc in ("iam", "sts", "cloudtrail")}

    def raw(self, service, params, target=None):
        """One signed POST as raw HTTP/1.1 bytes, exactly as it will be sent. With `target`
        (e.g. CloudTrail's LookupEvents), `params` is the JSON body of an AWS JSON 1.1 call."""
        headers = {"Host": self.host}
        if target:
            body = json.dumps(params)
            headers["Content-Type"] = "application/x-amz-json-1.1"
            headers["X-Amz-Target"] = target
        else:
            body = urllib.parse.urlencode(params)
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        request = AWSRequest(method="POST", url=f"http://{self.host}/", data=body, headers=headers)
        self.auth[service].add_auth(request)
        lines = ["POST / HTTP/1.1", f"Host: {self.host}", f"Content-Type: {request.headers['Content-Type']}"]
        if target:
            lines.append(f"X-Amz-Target: {target}")
        lines += [
            f"X-Amz-Date: {request.headers['X-Amz-Date']}",
            f"Authorization: {request.headers['Authorization']}",
            f"Content-Length: {len(body)}",
            "",
            body,
        ]
        return "\r\n".join(lines).encode()


def send(port, raw, timeout=10.0):
    """Sends one raw request to 127.0.0.1:port; returns (status, body)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in data:
            if time.monotonic() > deadline:
                raise RuntimeError("no response headers in time")
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while length is not None and len(body) < length and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, body


def cmd_fixtures(args):
    signer = Signer(args.port)
    for i in range(args.users):
        status, body = send(args.port, signer.raw(*fixture_params(i)))
        if status == 409 and args.allow_existing:
            continue
        if status != 200:
            raise SystemExit(
                f"sign.py: fixture CreateUser bench-user-{i:03d} on port {args.port}: HTTP {status}\n"
                + body.decode(errors="replace")[:800]
            )
    print(f"sign.py: {args.users} fixture users on port {args.port}", file=sys.stderr)


def cmd_requests(args):
    signer = Signer(args.port)
    run_tag = args.tag or f"{os.getpid()}{int(time.time()) % 100000}"
    count = args.count if args.scenario == "CreateUser" else 1
    # The sample is a request of the same shape that is not in the replay set (for CreateUser a
    # distinct name; for reads the very request that will be replayed, since reads are idempotent).
    if args.scenario == "CreateUser":
        sample = signer.raw(*scenario_params(args.scenario, count, run_tag + "s"))
    else:
        sample = None
    started = time.monotonic()
    with open(args.out, "wb") as out:
        for i in range(count):
            raw = signer.raw(*scenario_params(args.scenario, i, run_tag))
            if sample is None:
                sample = raw
            out.write(f"{len(raw)}\n".encode())
            out.write(raw)
    status, body = send(args.port, sample)
    text = body.decode(errors="replace")
    expected = {
        "GetUser": "<GetUserResponse",
        "ListUsers": "<ListUsersResponse",
        "GetCallerIdentity": "<GetCallerIdentityResponse",
        "CreateUser": "<CreateUserResponse",
    }[args.scenario]
    if status != 200 or expected not in text:
        raise SystemExit(
            f"sign.py: sample {args.scenario} on port {args.port}: HTTP {status}\n{text[:800]}"
        )
    if args.scenario == "ListUsers":
        users = text.count("<UserName>bench-user-")
        if users != 100:
            raise SystemExit(f"sign.py: ListUsers on port {args.port} listed {users} bench users, not 100")
    if args.size_out:
        with open(args.size_out, "w") as f:
            f.write(f"{len(body)}\n")
    print(
        f"sign.py: {args.scenario} port {args.port}: {count} request(s) signed in "
        f"{time.monotonic() - started:.1f}s, sample HTTP {status}, {len(body)} B response",
        file=sys.stderr,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fixtures")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--users", type=int, default=100)
    f.add_argument("--allow-existing", action="store_true")
    r = sub.add_parser("requests")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--scenario", required=True)
    r.add_argument("--count", type=int, default=1)
    r.add_argument("--tag", default="")
    r.add_argument("--out", required=True)
    r.add_argument("--size-out", default="", help="write the sample response's body size here")
    args = parser.parse_args()
    if args.command == "fixtures":
        cmd_fixtures(args)
    else:
        cmd_requests(args)


if __name__ == "__main__":
    main()
