"""What the client tests share: the server `tests/clients/run` started, its users and API
tokens (from the environment the runner sets), and small helpers over the native API."""

import os
import uuid

import pytest
import requests

URL = os.environ["SITEBOOK_URL"]
IDENTITY_URL = f"{URL}/openstack/identity/v3"
# The Data Hub resource a client is configured with (no trailing slash).
DATAHUB_URL = os.environ.get("SITEBOOK_DATAHUB_URL", f"{URL}/datahub")
PASSWORD = os.environ["SITEBOOK_PASSWORD"]


class Principal:
    """A user with a password, and an API token of the same role."""

    def __init__(self, role):
        upper = role.upper()
        self.role = role
        self.username = os.environ[f"SITEBOOK_{upper}_USER"]
        self.password = PASSWORD
        self.token_id = os.environ[f"SITEBOOK_{upper}_TOKEN_ID"]
        self.token = os.environ[f"SITEBOOK_{upper}_TOKEN"]


@pytest.fixture(scope="session")
def admin():
    return Principal("admin")


@pytest.fixture(scope="session")
def manager():
    return Principal("manager")


@pytest.fixture(scope="session")
def staff():
    return Principal("staff")


def api(method, path, token, **kwargs):
    """A call to the native API `/api/v1{path}` with an API token."""
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{URL}/api/v1{path}", headers=headers, timeout=30, **kwargs)


def native_metadata(resource_id, token):
    """The resource's metadata dictionary as `/api/v1/metadata/{id}` answers it."""
    reply = api("GET", f"/metadata/{resource_id}", token)
    assert reply.status_code == 200, reply.text
    return reply.json()["metadata"]


@pytest.fixture
def server(manager):
    """A new `openstack.server` resource made through the native API; its UUID."""
    server_id = str(uuid.uuid4())
    reply = api(
        "POST",
        "/metadata",
        manager.token,
        json={
            "resource_id": server_id,
            "type": "openstack.server",
            "metadata": {"name": f"web-{server_id[:8]}"},
        },
    )
    assert reply.status_code in (200, 201), reply.text
    return server_id


def site_over(resource_id, principal):
    """A new site (native API) with the resource put under it; the site's id."""
    made = api("POST", "/sites", principal.token, json={"name": f"Site {uuid.uuid4().hex[:12]}"})
    assert made.status_code == 201, made.text
    site_id = made.json()["id"]
    placed = api(
        "PUT", f"/resources/{resource_id}/parent", principal.token, json={"parent_id": site_id}
    )
    assert placed.status_code == 200, placed.text
    return site_id


def site_page(site_id, principal):
    """The site page's HTML as the principal's browser gets it after signing in."""
    browser = requests.Session()
    signed_in = browser.post(
        f"{URL}/rpc/sign_in",
        data={"username": principal.username, "password": principal.password},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    page = browser.get(f"{URL}/sites/{site_id}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200, page.text
    return page.text
