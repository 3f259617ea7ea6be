"""Joins the Altostrat OpenAPI fragments of the seed pages into one document.

Each seed page (Altostrat's published documentation of one operation) carries a whole OpenAPI
document restricted to that operation, inside a ```` yaml fence; tests/conformance/altostrat/
keeps those fragments bare. The union of their paths and
components is what a client generated from Altostrat's spec knows, so that is what Sitebook
must answer by. The server URL is replaced by the Sitebook under test.

Usage: seed_document.py BASE_URL OUT.json FRAGMENT...
"""

import json
import re
import sys

import yaml

METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def fragment(path):
    text = open(path, encoding="utf-8").read()
    # A seed page as published holds its fragment in a ```` yaml fence; a copy may be bare.
    found = re.search(r"^````yaml[^\n]*\n(.*?)^````", text, re.S | re.M)
    return yaml.safe_load(found.group(1) if found else text)


def merge(into, extra, where):
    for name, value in extra.items():
        if name in into and into[name] != value:
            # Two pages describing one name differently would make the union a guess.
            if isinstance(into[name], dict) and isinstance(value, dict):
                merge(into[name], value, f"{where}.{name}")
            else:
                sys.exit(f"seed_document: the fragments disagree on {where}.{name}")
        else:
            into[name] = value


def main():
    base_url, out, *pages = sys.argv[1:]
    if not pages:
        sys.exit(__doc__)
    document = None
    for page in pages:
        part = fragment(page)
        if document is None:
            document = part
            continue
        merge(document["paths"], part.get("paths", {}), "paths")
        merge(document.setdefault("components", {}), part.get("components", {}), "components")
    document["servers"] = [{"url": base_url}]
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            if operation.get("security", document.get("security")):
                operation["responses"].setdefault(
                    "401",
                    {
                        "description": "No valid bearer token (implied by the BearerAuth scheme).",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorResponse"}
                            }
                        },
                    },
                )
    with open(out, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2)
    operations = sum(1 for item in document["paths"].values() for method in item if method in METHODS)
    print(operations)


if __name__ == "__main__":
    main()
