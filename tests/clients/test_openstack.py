"""The OpenStack faces driven by the real client libraries: keystoneauth1 logins (password and
application credential), novaclient, openstacksdk and the `openstack` CLI, against the Keystone
face at /openstack/identity/v3 and the Nova face at /openstack/compute/v2.1."""

import json
import subprocess
import uuid

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

from conftest import IDENTITY_URL, native_metadata, site_over, site_page

# The default tenant as Keystone's project, and its one domain.
PROJECT = "Default"
DOMAIN = "Default"


def password_session(principal, password=None):
    auth = v3.Password(
        auth_url=IDENTITY_URL,
        username=principal.username,
        password=password or principal.password,
        project_name=PROJECT,
        user_domain_name=DOMAIN,
        project_domain_name=DOMAIN,
    )
    return ks_session.Session(auth=auth)


def credential_session(principal):
    auth = v3.ApplicationCredential(
        auth_url=IDENTITY_URL,
        application_credential_id=principal.token_id,
        application_credential_secret=principal.token,
    )
    return ks_session.Session(auth=auth)


def nova(session):
    return nova_client.Client("2.1", session=session)


# One password login per principal for the module: the server counts password attempts per
# account and per address, as it does for the web sign-in.
@pytest.fixture(scope="module")
def manager_session(manager):
    return password_session(manager)


@pytest.fixture(scope="module")
def admin_session(admin):
    return password_session(admin)


def test_novaclient_sets_reads_and_deletes_server_metadata_after_a_password_login(
    manager_session, server, manager
):
    client = nova(manager_session)
    client.servers.set_meta(server, {"rack": "A7", "row": "3"})
    fetched = client.servers.get(server)
    assert fetched.id == server
    assert fetched.metadata == {"rack": "A7", "row": "3"}
    assert fetched.name == f"web-{server[:8]}"

    client.servers.delete_meta(server, ["row"])
    assert client.servers.get(server).metadata == {"rack": "A7"}

    # The write is the resource's metadata, as the native API shows it.
    metadata = native_metadata(server, manager.token)
    assert metadata["rack"] == "A7"
    assert "row" not in metadata


def test_a_nova_write_shows_on_the_page_of_the_site_the_server_is_under(
    manager_session, server, manager
):
    site = site_over(server, manager)
    nova(manager_session).servers.set_meta_item(server, "circuit", "CID-7731")
    assert native_metadata(server, manager.token)["circuit"] == "CID-7731"
    page = site_page(site, manager)
    assert "Under this site" in page
    assert server in page and f"web-{server[:8]}" in page
    assert 'data-key="circuit"' in page and "CID-7731" in page


def test_the_login_is_keystone_s_token_with_a_compute_catalog(manager_session, manager):
    access = manager_session.auth.get_access(manager_session)
    assert access.username == manager.username
    assert access.project_name == PROJECT
    assert "member" in access.role_names
    endpoint = manager_session.get_endpoint(service_type="compute", interface="public")
    assert endpoint.rstrip("/").endswith("/openstack/compute/v2.1"), endpoint


def sdk_connection(principal):
    return openstack.connect(
        load_yaml_config=False,
        load_envvars=False,
        auth_type="password",
        auth={
            "auth_url": IDENTITY_URL,
            "username": principal.username,
            "password": principal.password,
            "project_name": PROJECT,
            "user_domain_name": DOMAIN,
            "project_domain_name": DOMAIN,
        },
        identity_api_version="3",
    )


def test_openstacksdk_sets_gets_and_deletes_server_metadata(manager, server):
    conn = sdk_connection(manager)
    try:
        conn.compute.set_server_metadata(server, building="B2", floor="1")
        assert conn.compute.get_server_metadata(server).metadata == {
            "building": "B2",
            "floor": "1",
        }
        conn.compute.delete_server_metadata(server, ["floor"])
        assert conn.compute.get_server_metadata(server).metadata == {"building": "B2"}
        # The SDK's own server lookup finds it by name too.
        found = conn.compute.find_server(f"web-{server[:8]}", ignore_missing=False)
        assert found.id == server
    finally:
        conn.close()


def test_an_api_token_logs_in_as_an_application_credential_and_writes(manager, server):
    session = credential_session(manager)
    access = session.auth.get_access(session)
    assert access.project_name == PROJECT
    client = nova(session)
    client.servers.set_meta(server, {"owner": "field team"})
    assert client.servers.get(server).metadata == {"owner": "field team"}
    assert native_metadata(server, manager.token)["owner"] == "field team"


def openstack_cli(principal, *args):
    command = [
        "openstack",
        "--os-auth-url",
        IDENTITY_URL,
        "--os-identity-api-version",
        "3",
        "--os-username",
        principal.username,
        "--os-password",
        principal.password,
        "--os-project-name",
        PROJECT,
        "--os-user-domain-name",
        DOMAIN,
        "--os-project-domain-name",
        DOMAIN,
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stderr}\n{done.stdout}"
    return done.stdout


def test_the_openstack_cli_sets_a_property_that_server_show_shows(manager, server):
    openstack_cli(manager, "server", "set", "--property", "rack=B9", server)
    shown = json.loads(openstack_cli(manager, "server", "show", server, "-f", "json"))
    assert shown["id"] == server
    properties = shown["properties"]
    # Newer OSC answers a dictionary, older ones the formatted "rack='B9'".
    if isinstance(properties, dict):
        assert properties == {"rack": "B9"}
    else:
        assert properties == "rack='B9'"
    assert native_metadata(server, manager.token)["rack"] == "B9"


def test_an_admin_manages_host_aggregates_through_novaclient(admin_session, admin):
    client = nova(admin_session)
    name = f"clients-agg-{uuid.uuid4().hex[:8]}"
    aggregate = client.aggregates.create(name, "zone-north")
    assert (aggregate.name, aggregate.availability_zone) == (name, "zone-north")
    assert isinstance(aggregate.id, int)

    updated = client.aggregates.set_metadata(aggregate, {"ssd": "true", "tier": "gold"})
    assert updated.metadata == {"availability_zone": "zone-north", "ssd": "true", "tier": "gold"}
    assert client.aggregates.add_host(aggregate, "compute-1").hosts == ["compute-1"]
    assert name in [a.name for a in client.aggregates.list()]
    shown = client.aggregates.get(aggregate.id)
    assert (shown.hosts, shown.metadata["tier"]) == (["compute-1"], "gold")

    # An aggregate with hosts cannot be deleted (Nova's 400); without them it can.
    with pytest.raises(nova_exceptions.BadRequest):
        client.aggregates.delete(aggregate)
    assert client.aggregates.remove_host(aggregate, "compute-1").hosts == []
    client.aggregates.delete(aggregate)
    with pytest.raises(nova_exceptions.NotFound):
        client.aggregates.get(aggregate.id)


def test_aggregates_are_forbidden_to_others(manager_session, staff):
    for session in (manager_session, credential_session(staff)):
        client = nova(session)
        with pytest.raises(nova_exceptions.Forbidden) as refused:
            client.aggregates.list()
        assert "os_compute_api:os-aggregates" in str(refused.value)
        with pytest.raises(nova_exceptions.Forbidden):
            client.aggregates.create(f"clients-agg-{uuid.uuid4().hex[:8]}", None)


def test_a_wrong_password_is_keystone_s_unauthorized(staff):
    session = password_session(staff, password="not-the-password")
    with pytest.raises(ks_exceptions.Unauthorized):
        session.get_token()
    # And a wrong application-credential secret too.
    staff_bad = type(staff).__new__(type(staff))
    staff_bad.token_id, staff_bad.token = staff.token_id, "sbk_" + "0" * 64
    with pytest.raises(ks_exceptions.Unauthorized):
        credential_session(staff_bad).get_token()


def test_a_staff_login_reads_but_cannot_write_server_metadata(manager_session, staff, server):
    nova(manager_session).servers.set_meta(server, {"rack": "C1"})
    client = nova(credential_session(staff))
    assert client.servers.get(server).metadata == {"rack": "C1"}
    with pytest.raises(nova_exceptions.Forbidden):
        client.servers.set_meta(server, {"rack": "C2"})
    assert native_metadata(server, staff.token)["rack"] == "C1"


COMPUTE = {"service_type": "compute", "interface": "public"}


def test_nova_refusals_reach_novaclient_as_nova_s_exceptions_and_store_nothing(
    manager_session, server
):
    client = nova(manager_session)
    client.servers.set_meta(server, {"rack": "A1"})
    for refused in ({"k" * 256: "v"}, {"k": "v" * 256}, {"bad/key": "v"}):
        with pytest.raises(nova_exceptions.BadRequest):
            client.servers.set_meta(server, refused)
    # Over the 128-item quota: Nova's 403, and nothing of the write is kept.
    with pytest.raises(nova_exceptions.Forbidden):
        client.servers.set_meta(server, {f"k{n}": "v" for n in range(128)})
    assert client.servers.get(server).metadata == {"rack": "A1"}
    missing = str(uuid.uuid4())
    with pytest.raises(nova_exceptions.NotFound):
        client.servers.get(missing)
    with pytest.raises(nova_exceptions.NotFound):
        client.servers.set_meta(missing, {"k": "v"})

    # The calls novaclient has no method for, through the same keystoneauth session.
    unknown_key = manager_session.get(
        f"/servers/{server}/metadata/nope", endpoint_filter=COMPUTE, raise_exc=False
    )
    assert unknown_key.status_code == 404
    assert unknown_key.json()["itemNotFound"]["code"] == 404
    wrong_body = manager_session.put(
        f"/servers/{server}/metadata/a",
        json={"meta": {"b": "1"}},
        endpoint_filter=COMPUTE,
        raise_exc=False,
    )
    assert wrong_body.status_code == 400
    assert wrong_body.json()["badRequest"]["code"] == 400
    replaced = manager_session.put(
        f"/servers/{server}/metadata",
        json={"metadata": {"row": "7"}},
        endpoint_filter=COMPUTE,
    )
    assert replaced.json() == {"metadata": {"row": "7"}}
    assert client.servers.get(server).metadata == {"row": "7"}


def test_microversion_headers_are_answered_and_an_unknown_version_is_refused(
    manager_session, server
):
    asked = manager_session.get(
        f"/servers/{server}/metadata",
        endpoint_filter=COMPUTE,
        headers={"OpenStack-API-Version": "compute 2.1"},
    )
    assert asked.headers["OpenStack-API-Version"] == "compute 2.1"
    assert asked.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert "OpenStack-API-Version" in asked.headers["Vary"]
    assert asked.headers["X-Compute-Request-Id"].startswith("req-")
    too_new = manager_session.get(
        f"/servers/{server}/metadata",
        endpoint_filter=COMPUTE,
        headers={"OpenStack-API-Version": "compute 2.99"},
        raise_exc=False,
    )
    assert too_new.status_code == 406
    assert too_new.json()["computeFault"]["code"] == 406


def test_novaclient_lists_servers_by_name_a_page_at_a_time(manager_session, server):
    client = nova(manager_session)
    name = f"web-{server[:8]}"
    [found] = client.servers.list(search_opts={"name": name}, limit=1)
    assert (found.id, found.name, found.status) == (server, name, "ACTIVE")
    # Paging follows Nova's marker: one page of one, then the next after it.
    first = client.servers.list(limit=1)
    assert len(first) == 1
    after = client.servers.list(limit=1, marker=first[0].id)
    assert all(s.id != first[0].id for s in after)


def test_openstacksdk_lists_servers_in_detail_with_their_flavor(manager, server):
    """Issue 32 item 1: the detailed lists (and Ansible's hostvars, built on them) look the
    flavor up, which was a 404."""
    conn = sdk_connection(manager)
    try:
        servers = conn.list_servers(detailed=True)
        mine = [s for s in servers if s.id == server]
        assert len(mine) == 1
        # openstacksdk negotiates 2.90, where a server embeds its flavor by name (2.47).
        assert mine[0].flavor["original_name"] == "sitebook"
        detailed = conn.get_server(server, detailed=True)
        assert detailed.id == server
        # What Ansible's inventory builds each host's variables with.
        hostvars = openstack.cloud.meta.get_hostvars_from_server(
            conn, conn.compute.get_server(server)
        )
        assert hostvars["id"] == server
        assert hostvars["flavor"]["name"] == "sitebook"
        flavors = list(conn.compute.flavors())
        assert [f.id for f in flavors] == ["sitebook"]
    finally:
        conn.close()


def test_the_cli_s_error_status_pipeline_finds_no_broken_servers(manager, server):
    """Issue 32 item 2: `server list --status ERROR` listed every server."""
    ids = openstack_cli(manager, "server", "list", "--status", "ERROR", "-f", "value", "-c", "ID")
    assert ids.split() == []
    active = openstack_cli(manager, "server", "list", "--status", "ACTIVE", "-f", "value", "-c", "ID")
    assert server in active.split()


def test_the_cli_s_name_filter_is_a_regular_expression(manager, server):
    """Issue 31 fault 7 and issue 32 item 3: `--name` patterns found nothing."""
    prefix = f"web-{server[:8]}"
    pattern = f"^{prefix[:6]}.*{prefix[-2:]}$"
    found = openstack_cli(manager, "server", "list", "--name", pattern, "-f", "value", "-c", "ID")
    assert server in found.split()


def test_servers_belong_to_the_project_the_login_names(manager, server, manager_session):
    """Issue 32 item 4: servers said `default`, the token's project is its hex id."""
    project_id = manager_session.get_project_id()
    server_body = nova(manager_session).servers.get(server)
    assert server_body.tenant_id == project_id


def test_making_a_server_or_rebooting_one_is_refused_saying_why(manager_session, server):
    """Issue 32 item 6: a bare 405, and "could not be found" for an action."""
    client = nova(manager_session)
    with pytest.raises(nova_exceptions.Forbidden) as refused:
        client.servers.create("x", image="none", flavor="sitebook")
    assert "/api/v1" in str(refused.value)
    with pytest.raises(nova_exceptions.ClientException) as refused:
        client.servers.reboot(server)
    assert refused.value.code == 501
    assert "reboot" in str(refused.value)


def test_novaclient_s_sort_keys_order_the_list(manager_session, server):
    """Issue 32 item 2: `sort_key`/`sort_dir` were ignored; lists came newest first."""
    client = nova(manager_session)
    ascending = [s.name for s in client.servers.list(sort_keys=["display_name"], sort_dirs=["asc"])]
    assert ascending == sorted(ascending, key=str.lower)
    descending = [s.name for s in client.servers.list(sort_keys=["display_name"], sort_dirs=["desc"])]
    assert descending == list(reversed(ascending))
    with pytest.raises(nova_exceptions.BadRequest):
        client.servers.list(sort_keys=["colour"])


def test_the_cli_lists_the_availability_zones_aggregates_make(admin_session, admin):
    """Issue 32 item 9: `os-availability-zone` was a bare 404."""
    client = nova(admin_session)
    zone = f"zone-{uuid.uuid4().hex[:8]}"
    aggregate = client.aggregates.create(f"clients-az-{zone}", zone)
    client.aggregates.add_host(aggregate, f"{zone}-host")
    try:
        listed = json.loads(
            openstack_cli(admin, "availability", "zone", "list", "--compute", "--long", "-f", "json")
        )
        rows = [row for row in listed if row["Zone Name"] == zone]
        assert rows and rows[0]["Zone Status"] == "available"
        assert rows[0]["Host Name"] == f"{zone}-host"
    finally:
        client.aggregates.remove_host(aggregate, f"{zone}-host")
        client.aggregates.delete(aggregate)


def test_a_clouds_yaml_pinning_a_microversion_feeds_ansible_s_inventory(manager, server, tmp_path):
    """Issue 32 item 8: clouds.yaml files pin 2.47, 2.53, 2.79 or 2.90, all refused before; the
    inventory Ansible's openstack.cloud plugin builds on lists every server with its hostvars."""
    from openstack.cloud import inventory

    for pinned in ["2.47", "2.53", "2.79", "2.90"]:
        clouds = tmp_path / f"clouds-{pinned}.yaml"
        clouds.write_text(
            json.dumps(
                {
                    "clouds": {
                        "sitebook": {
                            "auth_type": "password",
                            "auth": {
                                "auth_url": IDENTITY_URL,
                                "username": manager.username,
                                "password": manager.password,
                                "project_name": PROJECT,
                                "user_domain_name": DOMAIN,
                                "project_domain_name": DOMAIN,
                            },
                            "compute_api_version": pinned,
                        }
                    }
                }
            )
        )
        hosts = inventory.OpenStackInventory(config_files=[str(clouds)], cloud="sitebook").list_hosts(
            expand=True
        )
        mine = [h for h in hosts if h["id"] == server]
        assert len(mine) == 1, pinned
        assert mine[0]["flavor"]["name"] == "sitebook", pinned
        assert mine[0]["status"] == "ACTIVE"


def test_the_cli_sets_a_description_at_2_19_and_shows_it(manager, server):
    """Issue 32 item 8: `server set --description` needs 2.19, which was refused."""
    openstack_cli(
        manager, "--os-compute-api-version", "2.79", "server", "set", "--description", "Rack B9", server
    )
    shown = json.loads(
        openstack_cli(manager, "--os-compute-api-version", "2.90", "server", "show", "-f", "json", server)
    )
    assert shown["description"] == "Rack B9"
    assert shown["locked"] is False
    client = nova_client.Client("2.47", session=password_session(manager))
    pinned = client.servers.get(server)
    assert pinned.description == "Rack B9"
    assert pinned.flavor["original_name"] == "sitebook"
    openstack_cli(manager, "--os-compute-api-version", "2.79", "server", "unset", "--description", server)


# Keystone's lookups, as the `openstack` CLI makes them to resolve names and show the catalog.


def cli_json(principal, *args):
    return json.loads(openstack_cli(principal, *args, "-f", "json"))


def test_the_cli_lists_servers_by_project_and_by_user_name(admin, manager, server):
    # An admin's names resolve through Keystone; a manager's project lookups are refused, and
    # the CLI then sends the name as typed, which Nova's list takes all the same.
    for principal in (admin, manager):
        listed = openstack_cli(
            principal, "server", "list", "--project", PROJECT, "-f", "value", "-c", "ID"
        )
        assert server in listed.split(), principal.role
    # `--user` is who named the server: here the manager's API token (Keystone lists API
    # tokens as users by their names), not the manager's person, nor the admin.
    listed = openstack_cli(
        admin, "server", "list", "--user", "clients manager", "-f", "value", "-c", "ID"
    )
    assert server in listed.split()
    listed = openstack_cli(
        admin, "server", "list", "--user", admin.username, "-f", "value", "-c", "ID"
    )
    assert server not in listed.split()


def test_the_cli_lists_role_assignments_with_names(admin, manager):
    assignments = cli_json(admin, "role", "assignment", "list", "--names")
    found = {(a["User"], a["Role"], a["Project"]) for a in assignments}
    assert (f"{manager.username}@{DOMAIN}", "member", f"{PROJECT}@{DOMAIN}") in found
    assert (f"{admin.username}@{DOMAIN}", "admin", f"{PROJECT}@{DOMAIN}") in found


def test_the_cli_lists_the_project_for_admins_and_by_the_fallback_for_others(admin, manager):
    for principal in (admin, manager):
        projects = cli_json(principal, "project", "list")
        assert [p["Name"] for p in projects] == [PROJECT], principal.role


def test_the_cli_shows_a_user_by_name_to_an_admin_and_oneself_by_id(
    admin, manager, manager_session
):
    shown = cli_json(admin, "user", "show", manager.username)
    assert (shown["name"], shown["enabled"]) == (manager.username, True)
    own_id = manager_session.get_user_id()
    assert cli_json(manager, "user", "show", own_id)["name"] == manager.username


def test_the_cli_lists_regions_services_and_endpoints_from_the_catalog(admin):
    assert [r["Region"] for r in cli_json(admin, "region", "list")] == ["RegionOne"]
    services = cli_json(admin, "service", "list")
    assert {(s["Name"], s["Type"]) for s in services} == {
        ("nova", "compute"),
        ("keystone", "identity"),
    }
    endpoints = cli_json(admin, "endpoint", "list", "--interface", "public")
    compute = [e for e in endpoints if e["Service Type"] == "compute"]
    assert len(compute) == 1
    assert compute[0]["URL"].rstrip("/").endswith("/openstack/compute/v2.1")


def test_keystoneauth_re_scopes_a_held_token_which_then_writes_through_nova(
    manager_session, manager, server
):
    first = manager_session.auth.get_access(manager_session)
    auth = v3.Token(
        auth_url=IDENTITY_URL,
        token=first.auth_token,
        project_name=PROJECT,
        project_domain_name=DOMAIN,
    )
    session = ks_session.Session(auth=auth)
    access = session.auth.get_access(session)
    assert access.auth_token != first.auth_token
    assert access.user_id == first.user_id
    assert access.expires == first.expires
    nova(session).servers.set_meta(server, {"pipeline": "nightly"})
    assert native_metadata(server, manager.token)["pipeline"] == "nightly"
    # A token that does not work is Keystone's 404.
    broken = ks_session.Session(auth=v3.Token(auth_url=IDENTITY_URL, token="sba_nothing"))
    with pytest.raises(ks_exceptions.NotFound):
        broken.get_token()


def test_the_cli_tags_a_server_and_lists_by_tag(manager, server):
    """Issue 32 item 8: `server set --tag` needs 2.26, which was refused; tags are Sitebook's."""
    tag = f"rack-{uuid.uuid4().hex[:6]}"
    openstack_cli(manager, "--os-compute-api-version", "2.26", "server", "set", "--tag", tag, server)
    shown = json.loads(
        openstack_cli(manager, "--os-compute-api-version", "2.90", "server", "show", "-f", "json", server)
    )
    assert tag in shown["tags"]
    listed = openstack_cli(
        manager, "--os-compute-api-version", "2.26", "server", "list", "--tag", tag, "-f", "value", "-c", "ID"
    )
    assert listed.split() == [server]
    openstack_cli(manager, "--os-compute-api-version", "2.26", "server", "unset", "--tag", tag, server)
    listed = openstack_cli(
        manager, "--os-compute-api-version", "2.26", "server", "list", "--tag", tag, "-f", "value", "-c", "ID"
    )
    assert listed.split() == []
