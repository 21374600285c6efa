#!/usr/bin/env python3
"""Writes the committed seed corpus (one folder per fuzz target) from the repository's
fixtures and the AWS service models in model/ (one minimal request per operation, its
required members filled with plausible values). Run from anywhere; rewrites the folders."""
import glob
import hashlib
import json
import os
import shutil
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def model(name):
    with open(os.path.join(ROOT, "model", name, "service-2.json")) as f:
        return json.load(f)


def sample(m, shape_name, depth=0):
    shape = m["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        return {k: sample(m, shape["members"][k]["shape"], depth + 1)
                for k in shape.get("required", [])} if depth < 4 else {}
    if kind == "list":
        return [sample(m, shape["member"]["shape"], depth + 1)]
    if kind == "map":
        return {"key": sample(m, shape["value"]["shape"], depth + 1)}
    if kind in ("integer", "long"):
        return max(shape.get("min", 1), 1)
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return "2026-11-23T08:44:41Z"
    if "enum" in shape:
        return shape["enum"][0]
    if shape_name.lower().endswith("arntype") or "arn" in shape_name.lower():
        return "arn:aws:iam::111122223333:role/app"
    if "policy" in shape_name.lower() and "document" in shape_name.lower():
        return json.dumps({"Version": "2012-10-17", "Statement": {
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    return "alice-" + "x" * max(0, shape.get("min", 1) - 6)


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value, 1):
            flatten(f"{prefix}.member.{i}", v, out)
    else:
        out.append((prefix, str(value).lower() if isinstance(value, bool) else str(value)))


def write(target, name, data):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    for target in os.listdir(HERE):
        if os.path.isdir(os.path.join(HERE, target)):
            shutil.rmtree(os.path.join(HERE, target))
    # Query bodies: every STS operation and one IAM operation in four.
    for service, step in (("sts", 1), ("iam", 4)):
        m = model(service)
        version = m["metadata"]["apiVersion"]
        for op in sorted(m["operations"])[::step]:
            params = [("Action", op), ("Version", version)]
            shape = m["operations"][op].get("input", {}).get("shape")
            if shape:
                flatten("", sample(m, shape), params)
            write("query_form", f"{service}-{op}", urllib.parse.urlencode(params))
    # CloudTrail JSON 1.1: target line, then the body.
    m = model("cloudtrail")
    prefix = m["metadata"]["targetPrefix"]
    for op in sorted(m["operations"]):
        shape = m["operations"][op].get("input", {}).get("shape")
        body = sample(m, shape) if shape else {}
        write("cloudtrail_json", op, f"{prefix}.{op}\n{json.dumps(body)}")
    write("cloudtrail_json", "LookupEvents-times",
          f"{prefix}.LookupEvents\n" + json.dumps({"StartTime": 1700000000, "EndTime": "2026-11-23T08:44:41Z",
                                                 "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "alice"}],
                                                 "MaxResults": 5}))
    # Policies: the fixtures, as documents.
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "policies", "*.json"))
                       + glob.glob(os.path.join(ROOT, "fixtures", "lint", "*.json"))):
        with open(path, "rb") as f:
            write("parse_policy", os.path.basename(path), f.read())
    # Patterns: `pattern\nsubject`.
    for i, pair in enumerate([
        "arn:aws:s3:::bucket/*\narn:aws:s3:::bucket/key",
        "arn:aws:iam::*:user/${aws:username}\narn:aws:iam::111122223333:user/alice",
        "arn:aws:s3:::bucket/home/${aws:username}/*\narn:aws:s3:::bucket/home/alice/x",
        "arn:aws:iam::111122223333:user/${aws:nope, 'x'}\narn:aws:iam::111122223333:user/x",
        "arn:aws:s3:::*/k?y\narn:aws:s3:::b/kéy",
        "arn:aws:ec2:*:*:instance/*\narn:aws:ec2:us-east-1:111122223333:instance/i-1:2",
        "arn:${*}:s3:::a${$}b\narn:*:s3:::a$b",
    ]):
        write("arn_pattern", f"seed{i}", pair)
    for i, pair in enumerate(["iam:Get*\niam:GetUser", "iam:*User*\nIAM:listusers",
                              "s3:?etObject\ns3:GetObject", "*\nec2:RunInstances",
                              "iam:*ccess*ey\niam:CreateAccessKey"]):
        write("action_pattern", f"seed{i}", pair)
    # SigV4: header-signed and presigned requests (AWS's documentation examples' shape).
    date = "20150830T123600Z"
    cred = "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"
    body = "Action=ListUsers&Version=2010-05-08"
    write("sigv4", "header-post",
          "POST\n/\n\nHost: iam.amazonaws.com\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\n"
          f"X-Amz-Date: {date}\nAuthorization: AWS4-HMAC-SHA256 Credential={cred}, "
          "SignedHeaders=content-type;host;x-amz-date, Signature=" + "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
          f"\n\n{body}")
    write("sigv4", "header-get-token",
          "GET\n/a/../b/%7Ec\nAction=GetUser&Version=2010-05-08&b=2&a=1\nhost: iam.amazonaws.com\n"
          f"x-amz-date: {date}\nx-amz-security-token: FQoGZXIvYXdzEXAMPLE\nx-amz-content-sha256: UNSIGNED-PAYLOAD\n"
          f"authorization: AWS4-HMAC-SHA256 Credential={cred},SignedHeaders=host;x-amz-date;x-amz-security-token,"
          "Signature=" + "00" * 32 + "\n\n")
    query = urllib.parse.urlencode([("Action", "GetCallerIdentity"), ("Version", "2011-06-15"),
                                    ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                                    ("X-Amz-Credential", cred.replace("/iam/", "/sts/")),
                                    ("X-Amz-Date", date), ("X-Amz-Expires", "60"),
                                    ("X-Amz-SignedHeaders", "host"), ("X-Amz-Signature", "ab" * 32)])
    write("sigv4", "presigned-get", f"GET\n/\n{query}\nHost: sts.amazonaws.com\n\n")
    # Token files.
    seed_b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    write("token_files", "csv", f"Serial,Seed\n# spare\nGAHT00000001, {seed_b32}\n"
          "GAHT00000002,hex:3132333435363738393031323334353637383930\n")
    write("token_files", "pskc",
          '<?xml version="1.0" encoding="UTF-8"?>\n<KeyContainer Version="1.0" '
          'xmlns="urn:ietf:params:xml:ns:keyprov:pskc"><KeyPackage><DeviceInfo><Manufacturer>Acme'
          '</Manufacturer><SerialNo>GAHT00000001</SerialNo></DeviceInfo><Key Id="1" '
          'Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><AlgorithmParameters>'
          '<ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters><Data><Secret>'
          '<PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret><TimeInterval>'
          '<PlainValue>30</PlainValue></TimeInterval></Data></Key></KeyPackage></KeyContainer>')
    write("token_files", "pskc-comment-cdata",
          '<KeyContainer><!-- a > b --><![CDATA[<x>]]><KeyPackage a="/>"/></KeyContainer>')
    for i, text in enumerate(["a&b<c>\"d'\r\n\tz", "\x01\x1f\ufffe\uffff é ☃", "]]>&amp;&#xD;"]):
        write("xml_escape", f"seed{i}", text)


if __name__ == "__main__":
    main()
