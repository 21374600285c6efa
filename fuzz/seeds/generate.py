#!/usr/bin/env python3
"""Writes the committed seed corpus (one folder per fuzz target) from the repository's
fixtures and the AWS service models in model/ (one minimal request per operation, its
required members filled with plausible values). Run from anywhere; rewrites the folders."""
import glob
import hashlib
import json
import os
import base64
import shutil
import subprocess
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

    new_targets()


def fixture(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return f.read()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256(claims, kid="rsa-1"):
    """A JWT signed with iamd-core's test RSA key (openssl does the signing)."""
    head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(claims).encode())
    key = os.path.join(ROOT, "crates/iamd-core/testdata/oidc/rsa.pem")
    signed = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                            input=f"{head}.{body}".encode(), capture_output=True, check=True)
    return f"{head}.{body}.{b64url(signed.stdout)}"


def new_targets():
    now = 1_800_000_000
    claims = {"iss": "https://issuer.example.com/ci", "sub": "repo:acme/app:ref:refs/heads/main",
              "aud": "sts.amazonaws.com", "exp": now + 300, "nbf": now - 10, "iat": now - 10}
    tagged = dict(claims, aud=["app", "other"], azp="app", amr=["mfa", "pwd"],
                  **{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["a", "b"], "env": "prod"},
                                                      "transitive_tag_keys": ["team"]}})
    write("web_identity", "raw-valid", b"\0" + rs256(claims).encode())
    write("web_identity", "raw-expired", b"\0" + rs256(dict(claims, exp=now - 1)).encode())
    write("web_identity", "raw-none", b"\0" + (b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims).encode()) + ".").encode())
    for mode, name in [(1, "rs256"), (2, "es256"), (3, "no-kid")]:
        write("web_identity", f"signed-{name}", bytes([mode]) + json.dumps(claims).encode())
    write("web_identity", "signed-tags", b"\1" + json.dumps(tagged).encode())
    write("web_identity", "signed-bare-issuer", b"\2" + json.dumps(dict(claims, iss="issuer.example.com/ci")).encode())
    write("web_identity", "jwks", b"\4" + fixture("crates/iamd-core/testdata/oidc/jwks.json").encode())
    write("web_identity", "jwks-other", b"\4" + json.dumps({"keys": [{"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"},
                                                                        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}]}).encode())

    cert = "\n".join(l for l in fixture("fixtures/credentials/signing-cert1.pem").splitlines()
                     if not l.startswith("-----"))
    doc = ('<?xml version="1.0"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
           'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml" {attrs}>'
           '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
           '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n{cert}\n'
           '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
           '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
           'Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>')
    write("saml_metadata", "valid", b"\0" + doc.format(attrs="", cert=cert).encode())
    write("saml_metadata", "valid-until", b"\0" + doc.format(attrs='validUntil="2030-01-01T00:00:00Z"', cert=cert).encode())
    write("saml_metadata", "doctype", b"\0" + ('<!DOCTYPE x [<!ENTITY e "e">]>' + doc.format(attrs="", cert=cert)).encode())
    write("saml_metadata", "der", b"\1" + base64.b64decode(cert.replace("\n", "")))

    write("lookup_events", "empty", "{}")
    write("lookup_events", "page", json.dumps({"MaxResults": 2}))
    write("lookup_events", "by-name", json.dumps({"LookupAttributes": [
        {"AttributeKey": "EventName", "AttributeValue": "GetUser"}], "MaxResults": 1}))
    write("lookup_events", "times", json.dumps({"StartTime": "2026-11-23T08:44:41Z",
                                                "EndTime": 1795423490, "MaxResults": 3}))
    write("lookup_events", "token", json.dumps({"NextToken": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}))
    write("lookup_events", "insight", json.dumps({"EventCategory": "insight"}))

    write("console", "signin", "iamd-signin=abc; theme=dark\ncsrf=xyz&kind=user&account=111122223333"
          "&username=alice&password=Passw0rd%21")
    write("console", "mfa", "iamd-console=AAAA;iamd-console=BBBB\ncsrf=abc&serial=arn%3Aaws%3Aiam%3A%3A111122223333"
          "%3Amfa%2Falice&code=123456")
    write("console", "bad", " iamd-console = x ;;=;iamd-signin\n%zz&a=%e2%82")

    certs = "fixtures/server-certs"
    write("iam_inputs", "server", "\0" + fixture(certs, "leaf.pem") + "\0" + fixture(certs, "leaf-key.pkcs1.pem")
          + "\0" + fixture(certs, "chain.pem"))
    write("iam_inputs", "server-ec", "\0" + fixture(certs, "ec-leaf.pem") + "\0" + fixture(certs, "ec-key.sec1.pem"))
    write("iam_inputs", "server-mismatch", "\0" + fixture(certs, "leaf.pem") + "\0" + fixture(certs, "other-key.pem"))
    write("iam_inputs", "signing", "\1" + fixture("fixtures/credentials/signing-cert1.pem"))
    write("iam_inputs", "signing-expired", "\1" + fixture("fixtures/credentials/signing-expired.pem"))
    for name in ["ssh-rsa-2048-a.pub", "ssh-rsa-2048-b.pem", "ssh-rsa-2048-b.pkcs1.pem", "ssh-ed25519.pub"]:
        write("iam_inputs", name.replace(".", "-"), "\2" + fixture("fixtures/credentials", name))
    write("iam_inputs", "linked", "\3ecs.amazonaws.com")
    write("iam_inputs", "linked-suffix", "\3autoscaling.amazonaws.com\0web")
    write("iam_inputs", "linked-unknown", "\3example.com\0x")

    saml_assertion()
    webauthn()


def saml_assertion():
    """Mode 2 (a fixture the target signs at start-up, one splice); the signed seeds of modes
    0 and 1 are written by the target itself (IAMD_FUZZ_SAML_SEEDS, see README.md)."""
    for pick in range(6):
        write("saml_assertion", f"fixture-{pick}", bytes([2, pick]))
        # Checked late (expired) and with a byte changed in the middle.
        write("saml_assertion", f"fixture-{pick}-late", bytes([2, pick + 16 * 15]))
        write("saml_assertion", f"fixture-{pick}-splice", bytes([2, pick, 0x00, 0x04, 1]) + b"X")
    write("saml_assertion", "not-base64", b"\0PHNhbWxwOlJlc3BvbnNlLz4=%%")
    write("saml_assertion", "empty-response", b"\1<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>")


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    return bytes([major << 5 | 25]) + n.to_bytes(2, "big")


def cbor(value):
    if isinstance(value, int):
        return cbor_head(0, value) if value >= 0 else cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return cbor_head(2, len(value)) + value
    if isinstance(value, str):
        return cbor_head(3, len(value.encode())) + value.encode()
    return cbor_head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())


def webauthn():
    """The software key's answers, part by part (see the target's modes)."""
    # P-256's generator: a valid public point.
    x = bytes.fromhex("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296")
    y = bytes.fromhex("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")
    cose = cbor({1: 2, 3: -7, -1: 1, -2: x, -3: y})
    cred = b"iamd-fuzz-credential-0001"
    attested = bytes(16) + len(cred).to_bytes(2, "big") + cred + cose
    tail = bytes([0x45]) + bytes(4) + attested
    rp_hash = hashlib.sha256(b"localhost").digest()
    client = '{{"type":"{}","challenge":"CHALLENGE","origin":"http://localhost:8080","crossOrigin":false}}'
    write("webauthn", "registration-json", b"\0" + json.dumps({
        "id": b64url(cred), "rawId": b64url(cred), "type": "public-key",
        "response": {"attestationObject": b64url(cbor({"fmt": "none", "attStmt": {}, "authData": rp_hash + tail})),
                     "clientDataJSON": b64url(client.format("webauthn.create").encode())},
        "extensions": {}}).encode())
    write("webauthn", "registration-client", b"\1" + client.format("webauthn.create").encode())
    write("webauthn", "registration-client-get", b"\1" + client.format("webauthn.get").encode())
    write("webauthn", "registration-auth-data", b"\2" + tail)
    write("webauthn", "registration-auth-data-ext", b"\2" + bytes([0xc5]) + tail[1:] + cbor({"credProtect": 2}))
    write("webauthn", "registration-object", b"\3" + cbor({"fmt": "none", "attStmt": {}, "authData": rp_hash + tail}))
    write("webauthn", "registration-object-packed", b"\3" + cbor({"fmt": "packed", "attStmt": {"alg": -7, "sig": bytes(70)},
                                                                 "authData": rp_hash + tail}))
    for part, data in ((0, client.format("webauthn.get").encode()), (1, bytes([0x05, 0, 0, 0, 1]))):
        write("webauthn", f"sign-in-{part}", bytes([4, part]) + data)
        write("webauthn", f"sign-in-{part}-resigned", bytes([4, part | 0x80]) + data)
    write("webauthn", "sign-in-signature", bytes([4, 2, 0x30, 0x44, 0x02, 0x20]) + bytes(32) + bytes([0x02, 0x20]) + bytes(32))
    write("webauthn", "sign-in-json", b"\5" + json.dumps({
        "id": b64url(cred), "rawId": b64url(cred), "type": "public-key",
        "response": {"authenticatorData": b64url(rp_hash + bytes([5, 0, 0, 0, 1])),
                     "clientDataJSON": b64url(client.format("webauthn.get").encode()),
                     "signature": b64url(bytes(70)), "userHandle": None},
        "extensions": {}}).encode())


if __name__ == "__main__":
    main()
