"""Makes what the runs against the faces' documents (tests/conformance/faces/) need, and prints
it as JSON: records for the operations on existing records to find, and the token each face's
clients would hold, obtained as those clients obtain it. The tenant's settings are put back to
a new tenant's first (the run against Sitebook's own document changes them).

  nova      a server (an `openstack.server` resource made through /api/v1 POST /metadata, with
            metadata items and a tag) and a host aggregate (Nova's POST /os-aggregates, with a
            zone and an item); the token is the X-Subject-Token of a Keystone password login
            (the identity face) as USER/PASSWORD, as `openstack` and openstacksdk log in.
            Prints {"server", "aggregate", "token"}.
  datahub   a type and a stream (Data Hub's POST Types/{id} and POST Streams/{id}) with
            metadata and tags; the token is an access token from the face's token endpoint for
            the API token's client credentials, as the Data Hub library gets one.
            Prints {"stream", "token"}.

Usage: face_fixtures.py BASE_URL API_TOKEN FACE LABEL [USER PASSWORD | CLIENT_ID]
  (BASE_URL is the server's root; API_TOKEN an admin's Sitebook API token; LABEL tells one
  run's records apart.)
"""

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid


def call(method, url, body=None, headers=None, form=False):
    headers = dict(headers or {})
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.headers, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        sys.exit(f"face_fixtures: {method} {url}: {error.code} {error.read().decode(errors='replace')}")


def default_settings(base, api_token):
    """The tenant's settings as a new tenant has them: the run against Sitebook's own document
    writes them (PUT /settings), and the faces read them (Nova's metadata_items quota, defining
    tags on first use)."""
    call(
        "PUT",
        f"{base}/api/v1/settings",
        {"datahub_auto_define_tags": True, "nova_metadata_items": 128},
        {"Authorization": f"Bearer {api_token}"},
    )


def keystone_token(base, user, password):
    headers, _ = call(
        "POST",
        f"{base}/openstack/identity/v3/auth/tokens",
        {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": user, "domain": {"id": "default"}, "password": password}
                    },
                },
                "scope": {"project": {"name": "Default", "domain": {"id": "default"}}},
            }
        },
    )
    return headers["X-Subject-Token"]


def nova(base, api_token, label, user, password):
    native = {"Authorization": f"Bearer {api_token}"}
    server = str(uuid.uuid4())
    call(
        "POST",
        f"{base}/api/v1/metadata",
        {
            "resource_id": server,
            "type": "openstack.server",
            "metadata": {"name": f"conformance-{label}", "rack": "A7", "role": "web"},
        },
        native,
    )
    token = keystone_token(base, user, password)
    compute = f"{base}/openstack/compute/v2.1"
    nova_headers = {"X-Auth-Token": token}
    call(
        "PUT",
        f"{compute}/servers/{server}/tags/rack-a7",
        headers={**nova_headers, "X-OpenStack-Nova-API-Version": "2.26"},
    )
    _, made = call(
        "POST",
        f"{compute}/os-aggregates",
        {"aggregate": {"name": f"conformance-{label}", "availability_zone": f"zone-{label}"}},
        nova_headers,
    )
    aggregate = made["aggregate"]["id"]
    call(
        "POST",
        f"{compute}/os-aggregates/{aggregate}/action",
        {"set_metadata": {"metadata": {"ssd": "true"}}},
        nova_headers,
    )
    return {"server": server, "aggregate": aggregate, "token": token}


def datahub(base, api_token, label, client_id):
    # The library's login: client credentials in the form body, at the discovered endpoint.
    _, discovery = call("GET", f"{base}/datahub/identity/.well-known/openid-configuration")
    basic = base64.b64encode(f"{client_id}:{api_token}".encode()).decode()
    _, granted = call(
        "POST",
        discovery["token_endpoint"],
        {"grant_type": "client_credentials"},
        {"Authorization": f"Basic {basic}"},
        form=True,
    )
    token = granted["access_token"]
    sds = f"{base}/datahub/api/v1/Tenants/default/Namespaces/default"
    auth = {"Authorization": f"Bearer {token}"}
    type_id = f"Conformance{label.capitalize()}"
    call(
        "POST",
        f"{sds}/Types/{type_id}",
        {
            "Id": type_id,
            "SdsTypeCode": "Object",
            "Properties": [
                {"Id": "Time", "IsKey": True, "SdsType": {"Id": "dt", "SdsTypeCode": "DateTime"}}
            ],
        },
        auth,
    )
    stream = f"Conformance.{label}"
    call("POST", f"{sds}/Streams/{stream}", {"Id": stream, "TypeId": type_id}, auth)
    call("PUT", f"{sds}/Streams/{stream}/Metadata", {"City": "Toronto", "Unit": "m"}, auth)
    call("PUT", f"{sds}/Streams/{stream}/Tags", ["conformance", "tank"], auth)
    return {"stream": stream, "token": token}


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    base, api_token, face, label, *rest = sys.argv[1:]
    base = base.rstrip("/")
    default_settings(base, api_token)
    if face == "nova":
        made = nova(base, api_token, label, *rest)
    elif face == "datahub":
        made = datahub(base, api_token, label, *rest)
    else:
        sys.exit(f"face_fixtures: no fixtures for {face!r}")
    print(json.dumps(made))


if __name__ == "__main__":
    main()
