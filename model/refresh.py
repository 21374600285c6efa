"""Copy the IAM, STS and CloudTrail service models from an installed botocore, without docs."""
import gzip, json, os

import botocore

BASE = os.path.join(os.path.dirname(botocore.__file__), "data")
HERE = os.path.dirname(os.path.abspath(__file__))


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items()
                if k not in ("documentation", "documentationUrl", "deprecatedMessage")}
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o


for svc, ver in [("iam", "2010-05-08"), ("sts", "2011-06-15"), ("cloudtrail", "2013-11-01")]:
    path = os.path.join(BASE, svc, ver, "service-2.json")
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + (".gz" if opener is gzip.open else "")) as f:
        model = json.load(f)
    os.makedirs(os.path.join(HERE, svc), exist_ok=True)
    with open(os.path.join(HERE, svc, "service-2.json"), "w") as out:
        json.dump(strip(model), out, indent=1)
