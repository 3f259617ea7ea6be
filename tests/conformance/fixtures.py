"""Makes the records the conformance runs need to exist, and prints their ids as JSON.

Without them every operation on an existing record answers 404 and schemathesis never reaches
its rules: a site (with a metadata key and a tag value), and a tag that applies to every
correlation type, so any `correlation_type` the Altostrat document allows is a valid one.

Usage: fixtures.py API_BASE_URL TOKEN LABEL (LABEL tells the names of one run's records apart)
"""

import json
import sys
import urllib.request


def call(base, token, method, path, body):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main():
    base, token, label = sys.argv[1:]
    site = call(base, token, "POST", "/sites", {"name": f"Conformance site ({label})"})
    tag = call(
        base,
        token,
        "POST",
        "/tags",
        {
            "name": f"Conformance ({label})",
            "color": "#1e90ff",
            "applies_to": ["site", "user", "wan", "account"],
        },
    )
    call(base, token, "PUT", f"/metadata/{site['id']}/circuit_id", {"value": "AS12345-XYZ"})
    call(
        base,
        token,
        "PUT",
        f"/tags/{tag['id']}/values/{site['id']}",
        {"correlation_type": "site", "value": "APAC"},
    )
    print(json.dumps({"site": site["id"], "tag": tag["id"]}))


if __name__ == "__main__":
    main()
