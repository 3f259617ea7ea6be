"""The Data Hub face driven by AVEVA's own Python library, `adh-sample-library-preview`, as a
script written for Data Hub would: it logs in with client credentials (an API token's id and
secret) at the OAuth token endpoint, then calls the SDS API with the bearer it got.

Calls the library has no method for (the whole metadata dictionary, ChangeData, DELETE
Metadata) go through `requests` with a bearer from the same token endpoint.

Skipped, with the reason, while the server answers 404 for the token endpoint
(`/datahub/identity/...`), and the stream tag and `query` search tests while those calls answer
404 or 501: each starts running once its feature is on the branch."""

import json
import uuid

import pytest
import requests
from adh_sample_library_preview import ADHClient, SdsError
from adh_sample_library_preview.SDS.SdsStream import SdsStream
from adh_sample_library_preview.SDS.SdsType import SdsType
from adh_sample_library_preview.SDS.SdsTypeCode import SdsTypeCode
from adh_sample_library_preview.SDS.SdsTypeProperty import SdsTypeProperty

from conftest import DATAHUB_URL, URL, api, native_metadata, site_over, site_page

NS = "default"
TENANT = "default"
WELL_KNOWN = f"{DATAHUB_URL}/identity/.well-known/openid-configuration"
SDS = f"{DATAHUB_URL}/api/v1/Tenants/{TENANT}/Namespaces/{NS}"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module", autouse=True)
def token_endpoint():
    """The OAuth discovery document; every test here needs it (the library logs in at once)."""
    reply = requests.get(WELL_KNOWN, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["token_endpoint"]


def access_token(token_endpoint, principal):
    """A bearer from the token endpoint, as the library gets it (client credentials)."""
    reply = requests.post(
        token_endpoint,
        data={
            "client_id": principal.token_id,
            "client_secret": principal.token,
            "grant_type": "client_credentials",
        },
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


@pytest.fixture(scope="module")
def client(manager):
    return ADHClient(
        api_version="v1",
        tenant=TENANT,
        url=DATAHUB_URL,
        client_id=manager.token_id,
        client_secret=manager.token,
    )


@pytest.fixture(scope="module")
def bearer(token_endpoint, manager):
    return {"Authorization": f"Bearer {access_token(token_endpoint, manager)}"}


@pytest.fixture(scope="module")
def level_type(client):
    """The AVEVA sample's type shape: an object keyed by a double, built from the library's own
    SdsType objects."""
    type_id = unique("clients-type")
    key = SdsTypeProperty("Tan", True, SdsType("doubleType", SdsTypeCode.Double))
    return client.Types.getOrCreateType(NS, SdsType(type_id, SdsTypeCode.Object, [key]))


@pytest.fixture
def stream(client, level_type):
    stream_id = unique("clients-stream")
    made = client.Streams.getOrCreateStream(
        NS, SdsStream(stream_id, level_type.Id, name=stream_id, description="client test stream")
    )
    yield made
    try:
        client.Streams.deleteStream(NS, stream_id)
    except SdsError:
        pass


def test_token_endpoint_answers_the_client_credentials_contract(token_endpoint, manager):
    assert token_endpoint.startswith(f"{DATAHUB_URL}/identity/"), token_endpoint
    reply = requests.post(
        token_endpoint,
        data={
            "client_id": manager.token_id,
            "client_secret": manager.token,
            "grant_type": "client_credentials",
        },
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["token_type"].lower() == "bearer"
    # An hour (less only for an API token that expires sooner; these never do), and well over
    # the five minutes before expiry at which the library logs in again.
    assert 3500 <= int(body["expires_in"]) <= 3600
    tenant = requests.get(
        f"{DATAHUB_URL}/api/v1/Tenants/{TENANT}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=30,
    )
    assert tenant.status_code == 200, tenant.text


def test_a_wrong_secret_fails_when_the_library_logs_in(manager):
    with pytest.raises(SdsError) as failed:
        ADHClient(
            api_version="v1",
            tenant=TENANT,
            url=DATAHUB_URL,
            client_id=manager.token_id,
            client_secret="sbk_" + "0" * 64,
        )
    assert "Failed to get token" in str(failed.value.value)


def test_types_are_got_or_created_from_the_library_s_sds_types(client, level_type):
    assert level_type.Id.startswith("clients-type-")
    assert level_type.SdsTypeCode == SdsTypeCode.Object
    [tan] = level_type.Properties
    assert (tan.Id, tan.IsKey, tan.SdsType.SdsTypeCode) == ("Tan", True, SdsTypeCode.Double)

    # The same definition again is the same type; a different one under that id is refused.
    again = client.Types.getOrCreateType(
        NS,
        SdsType(
            level_type.Id,
            SdsTypeCode.Object,
            [SdsTypeProperty("Tan", True, SdsType("doubleType", SdsTypeCode.Double))],
        ),
    )
    assert again.Id == level_type.Id
    fetched = client.Types.getType(NS, level_type.Id)
    assert fetched.Properties[0].Id == "Tan"
    assert level_type.Id in [t.Id for t in client.Types.getTypes(NS, 0, 1000)]
    other = SdsType(
        level_type.Id,
        SdsTypeCode.Object,
        [SdsTypeProperty("Time", True, SdsType("dateTimeType", SdsTypeCode.DateTime))],
    )
    with pytest.raises(SdsError) as refused:
        client.Types.getOrCreateType(NS, other)
    assert refused.value.StatusCode == 409


def test_streams_are_created_read_listed_updated_and_deleted(client, level_type):
    stream_id = unique("clients-stream")
    made = client.Streams.getOrCreateStream(NS, SdsStream(stream_id, level_type.Id))
    assert (made.Id, made.TypeId) == (stream_id, level_type.Id)
    # Get-or-create of the same stream answers it again.
    assert client.Streams.getOrCreateStream(NS, SdsStream(stream_id, level_type.Id)).Id == stream_id

    fetched = client.Streams.getStream(NS, stream_id)
    assert (fetched.Id, fetched.TypeId) == (stream_id, level_type.Id)
    assert stream_id in [s.Id for s in client.Streams.getStreams(NS, skip=0, count=1000)]

    client.Streams.createOrUpdateStream(
        NS, SdsStream(stream_id, level_type.Id, name="Tank 1 level", description="updated")
    )
    updated = client.Streams.getStream(NS, stream_id)
    assert (updated.Name, updated.Description) == ("Tank 1 level", "updated")
    assert client.Streams.getStreamType(NS, stream_id).Id == level_type.Id

    client.Streams.deleteStream(NS, stream_id)
    with pytest.raises(SdsError) as gone:
        client.Streams.getStream(NS, stream_id)
    assert gone.value.StatusCode == 404


def test_metadata_is_replaced_patched_as_in_aveva_s_sample_and_read_by_key(client, stream, bearer):
    client.Streams.createOrUpdateMetadata(
        NS, stream.Id, {"Region": "North America", "Country": "Canada", "Province": "Quebec"}
    )
    assert client.Streams.getMetadata(NS, stream.Id, "Province") == "Quebec"

    # The AVEVA SDS sample's patch, sent by the library as application/json.
    client.Streams.patchMetadata(
        NS,
        stream.Id,
        [
            {"op": "remove", "path": "/Region"},
            {"op": "replace", "path": "/Province", "value": "Ontario"},
            {"op": "add", "path": "/City", "value": "Toronto"},
        ],
    )
    assert client.Streams.getMetadata(NS, stream.Id, "City") == "Toronto"
    assert client.Streams.getMetadata(NS, stream.Id, "Province") == "Ontario"
    with pytest.raises(SdsError) as removed:
        client.Streams.getMetadata(NS, stream.Id, "Region")
    assert removed.value.StatusCode == 404

    whole = requests.get(f"{SDS}/Streams/{stream.Id}/Metadata", headers=bearer, timeout=30)
    assert whole.status_code == 200, whole.text
    assert whole.json() == {"Country": "Canada", "Province": "Ontario", "City": "Toronto"}


def test_a_patch_whose_test_op_fails_changes_nothing(client, stream, bearer):
    client.Streams.createOrUpdateMetadata(NS, stream.Id, {"Country": "Canada", "City": "Toronto"})
    with pytest.raises(SdsError) as failed:
        client.Streams.patchMetadata(
            NS,
            stream.Id,
            [
                {"op": "replace", "path": "/City", "value": "Calgary"},
                {"op": "test", "path": "/Country", "value": "Mexico"},
                {"op": "add", "path": "/Province", "value": "Alberta"},
            ],
        )
    assert failed.value.StatusCode == 400
    whole = requests.get(f"{SDS}/Streams/{stream.Id}/Metadata", headers=bearer, timeout=30)
    assert whole.json() == {"Country": "Canada", "City": "Toronto"}
    assert client.Streams.getMetadata(NS, stream.Id, "City") == "Toronto"


def test_a_missing_stream_is_an_sds_error_with_data_hub_s_fields(client):
    missing = unique("clients-missing")
    with pytest.raises(SdsError) as failed:
        client.Streams.getStream(NS, missing)
    error = failed.value
    assert error.StatusCode == 404
    # The library reads these only from a body whose Content-Type is exactly application/json.
    assert error.Error, error.value
    assert error.Reason or error.Resolution, error.value
    assert error.OperationId, "no Operation-Id header"
    assert missing in error.Url


def test_change_data_after_two_clients_write_and_delete_over_plain_http(
    client, stream, bearer, admin
):
    client.Streams.createOrUpdateMetadata(NS, stream.Id, {"Site": "Plant North", "Line": "4"})
    changes = requests.get(
        f"{SDS}/Streams/{stream.Id}/ChangeData/Metadata", headers=bearer, timeout=30
    )
    assert changes.status_code == 200, changes.text
    body = changes.json()
    assert set(body) == {"Site", "Line"}
    assert body["Site"]["Value"] == "Plant North"
    change = body["Site"]["ChangeData"]
    assert change["Timestamp"]
    # Written with an API token's login: a client, not a person.
    assert change["CreatorType"] == 2

    # A second client (the admin's API token) changes one key: each key names its own writer.
    admin_client = ADHClient(
        api_version="v1", tenant=TENANT, url=DATAHUB_URL,
        client_id=admin.token_id, client_secret=admin.token,
    )
    admin_client.Streams.patchMetadata(
        NS, stream.Id, [{"op": "replace", "path": "/Line", "value": "5"}]
    )
    after_two = requests.get(
        f"{SDS}/Streams/{stream.Id}/ChangeData/Metadata", headers=bearer, timeout=30
    ).json()
    assert after_two["Line"]["Value"] == "5"
    assert after_two["Site"]["ChangeData"] == change
    assert after_two["Line"]["ChangeData"]["CreatorType"] == 2
    assert after_two["Line"]["ChangeData"]["CreatorId"] != change["CreatorId"]

    deleted = requests.delete(f"{SDS}/Streams/{stream.Id}/Metadata", headers=bearer, timeout=30)
    assert deleted.status_code == 204, deleted.text
    after = requests.get(f"{SDS}/Streams/{stream.Id}/Metadata", headers=bearer, timeout=30)
    assert (after.status_code, after.json()) == (200, {})


def test_a_library_metadata_write_reads_back_through_the_native_api(client, stream, manager):
    client.Streams.createOrUpdateMetadata(NS, stream.Id, {"Tank": "T-101", "Unit": "m"})
    found = api(
        "GET",
        "/resources",
        manager.token,
        params={"q": f'type:datahub.stream name:"{stream.Id}"'},
    )
    assert found.status_code == 200, found.text
    [resource] = found.json()["data"]
    metadata = api("GET", f"/metadata/{resource['id']}", manager.token).json()["metadata"]
    assert (metadata["Tank"], metadata["Unit"]) == ("T-101", "m")

    # And on the page of the site the stream is put under.
    page = site_page(site_over(resource["id"], manager), manager)
    assert resource["id"] in page and 'data-key="Tank"' in page and "T-101" in page

    # And a native write shows through the library.
    patched = api(
        "PATCH",
        f"/metadata/{resource['id']}",
        manager.token,
        data='{"Tank": "T-102"}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert client.Streams.getMetadata(NS, stream.Id, "Tank") == "T-102"


def test_stream_tags_are_replaced_and_read(client, stream, bearer):
    client.Streams.createOrUpdateTags(NS, stream.Id, ["pump", "north"])
    assert client.Streams.getTags(NS, stream.Id) == ["pump", "north"]
    client.Streams.createOrUpdateTags(NS, stream.Id, ["south"])
    assert client.Streams.getTags(NS, stream.Id) == ["south"]
    deleted = requests.delete(f"{SDS}/Streams/{stream.Id}/Tags", headers=bearer, timeout=30)
    assert deleted.status_code == 204, deleted.text
    assert client.Streams.getTags(NS, stream.Id) == []


def test_streams_are_found_by_query_on_metadata_and_tags(client, level_type):
    word = uuid.uuid4().hex[:12]
    hit = unique("clients-query")
    miss = unique("clients-query")
    for stream_id in (hit, miss):
        client.Streams.getOrCreateStream(NS, SdsStream(stream_id, level_type.Id))
    client.Streams.createOrUpdateMetadata(NS, hit, {"Area": f"zone{word}"})
    client.Streams.createOrUpdateMetadata(NS, miss, {"Area": f"other{word}"})
    try:
        found = client.Streams.getStreams(NS, query=f"Area:zone{word}", skip=0, count=100)
        assert [s.Id for s in found] == [hit]
        # Unscoped terms match metadata values too; whitespace between terms is OR.
        assert [s.Id for s in client.Streams.getStreams(NS, query=f"zone{word}")] == [hit]
        either = client.Streams.getStreams(NS, query=f"Area:zone{word} Area:other{word}")
        assert sorted(s.Id for s in either) == sorted([hit, miss])
        # Tags: an unscoped term matches a tag name, and AND/NOT combine it with metadata.
        client.Streams.createOrUpdateTags(NS, miss, [f"pump{word}"])
        tagged = client.Streams.getStreams(NS, query=f"pump{word}")
        assert [s.Id for s in tagged] == [miss]
        both = client.Streams.getStreams(NS, query=f"pump{word} AND Area:other{word}")
        assert [s.Id for s in both] == [miss]
        neither = client.Streams.getStreams(
            NS, query=f"(Area:zone{word} OR Area:other{word}) AND NOT pump{word}"
        )
        assert [s.Id for s in neither] == [hit]
    finally:
        for stream_id in (hit, miss):
            client.Streams.deleteStream(NS, stream_id)


def library(principal, url=DATAHUB_URL, tenant=TENANT):
    """The library as a script builds it; it logs in at once."""
    return ADHClient(
        api_version="v1",
        tenant=tenant,
        url=url,
        client_id=principal.token_id,
        client_secret=principal.token,
    )


def test_a_library_configured_at_the_host_root_logs_in_and_works(manager):
    """Issue 32, item 7: real Data Hub has its resource at the host's root, and the library's
    login read the web UI's HTML there and died in `json.loads`. Data Hub's own paths at the
    root are served as under /datahub."""
    root = requests.get(f"{URL}/identity/.well-known/openid-configuration", timeout=30)
    assert root.headers["Content-Type"].split(";")[0] == "application/json", root.text
    assert root.json()["token_endpoint"].endswith("/identity/connect/token")
    client = library(manager, url=URL)
    assert isinstance(client.Streams.getStreams(NS, skip=0, count=1), list)
    # And as configured for Sitebook's prefix, the same.
    client = library(manager, url=DATAHUB_URL)
    assert isinstance(client.Streams.getStreams(NS, skip=0, count=1), list)


def test_a_guid_tenant_is_refused_with_a_resolution_naming_default(manager):
    guid = str(uuid.uuid4())
    client = library(manager, tenant=guid)
    with pytest.raises(SdsError) as failed:
        client.Streams.getStreams(NS)
    error = failed.value
    assert error.StatusCode == 403, error.value
    assert "'default'" in error.Resolution, error.value
    assert guid in error.Reason, error.value
    # The library prints the three fields, not the raw body.
    assert f"{error.Error}:{error.Reason}:{error.Resolution}" in str(error)


def test_sds_errors_print_reason_and_resolution_for_a_missing_stream_and_a_staff_write(
    client, stream, staff
):
    missing = unique("clients-missing")
    with pytest.raises(SdsError) as failed:
        client.Streams.getStream(NS, missing)
    error = failed.value
    assert error.StatusCode == 404
    assert error.Reason and error.Resolution, error.value
    assert f"{error.Error}:{error.Reason}:{error.Resolution}" in str(error)

    with pytest.raises(SdsError) as failed:
        library(staff).Streams.createOrUpdateMetadata(NS, stream.Id, {"Unit": "m"})
    error = failed.value
    assert error.StatusCode == 403, error.value
    assert error.Reason and error.Resolution, error.value
    assert "manager" in error.Resolution, error.value
    assert f"{error.Error}:{error.Reason}:{error.Resolution}" in str(error)


def test_a_stream_is_found_natively_by_its_data_hub_id_with_its_name_as_the_name_item(
    client, level_type, manager, bearer
):
    """Issue 32, item 11: the stream's native id is its Data Hub id, and `name` is there."""
    stream_id = unique("clients-native")
    client.Streams.getOrCreateStream(NS, SdsStream(stream_id, level_type.Id, name="Tank seven"))
    try:
        client.Streams.createOrUpdateMetadata(NS, stream_id, {"Unit": "m3"})
        assert native_metadata(stream_id, manager.token) == {"name": "Tank seven", "Unit": "m3"}
        # And the name stays out of what the library reads as metadata.
        whole = requests.get(
            f"{SDS}/Streams/{stream_id}/Metadata",
            headers=bearer,
            timeout=30,
        )
        assert whole.json() == {"Unit": "m3"}
    finally:
        client.Streams.deleteStream(NS, stream_id)
