//! `/servers`, `/servers/detail` and `/servers/{server_id}`: Nova's server reads over the
//! catalogue's resources of type `openstack.server`. Sitebook is not a cloud, so servers are
//! made through the native API or the web UI, and every server is ACTIVE, on no host, with no
//! image, ports or volumes: the fields Nova's 2.1 schema requires, with their empty values.
//!
//! Lists are newest first (Nova's default order) unless `sort_key`/`sort_dir` ask otherwise
//! (`sorting`), page by `limit` (at most 1000) and `marker` (the last id seen), and filter by
//! `name` with the core's rule (`NameFilter`: a regular
//! expression found anywhere in the name, ignoring case, as Nova's) and by `changes-since`.
//! Nova's filters on what Sitebook's servers never have (a status other than ACTIVE, a host,
//! an address, an image, another flavor) answer none, never all; unknown ones are ignored, as
//! Nova ignores them at 2.1.

use crate::web::edge::Authenticated;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fault::Fault;
use super::microversion::{Microversion, Version};
use super::server_metadata::server;
use super::{ComputeState, PREFIX, Project};
use crate::api::openstack::auth::{Caller, Writer};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::listing::PageOrder;
use crate::core::metadata::MetaValue;
use crate::core::metadata::MetadataRecord;
use crate::core::metadata::untyped::UntypedChange;
use crate::core::openstack::{
    DESCRIPTION_KEY, NAME_KEY, NameFilter, SERVER_STATUS, SERVER_STATUSES, SERVER_TYPE,
    ServerFilter, TagFilter, hostname_of, items_of, principal_of, user_id_of,
};
use crate::core::resources::{Resource, ResourceId, ResourceType};

/// Nova's `[api] max_limit`: the largest page, and the page size when none is asked for.
const MAX_LIMIT: u32 = 1000;

/// What a query value keeps unescaped in a `next` link.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

#[derive(Deserialize)]
pub struct ServerPath {
    server_id: String,
}

type Params = Vec<(String, String)>;

/// The bases of a server's links: the versioned API and the unversioned bookmark, each with
/// the project id when the request's URL had one.
struct Bases {
    api: String,
    bookmark: String,
}

impl Bases {
    fn of(state: &ComputeState, project: &Project) -> Self {
        let root = format!(
            "{}{PREFIX}",
            state.settings.public_url.trim_end_matches('/')
        );
        let project = project
            .segment()
            .map(|p| format!("/{p}"))
            .unwrap_or_default();
        Self {
            api: format!("{root}/v2.1{project}"),
            bookmark: format!("{root}{project}"),
        }
    }

    fn links(&self, id: &str) -> Value {
        json!([
            {"rel": "self", "href": format!("{}/servers/{id}", self.api)},
            {"rel": "bookmark", "href": format!("{}/servers/{id}", self.bookmark)},
        ])
    }
}

/// Nova's `isotime`: seconds, UTC, `Z`.
fn isotime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn summary(bases: &Bases, resource: &Resource) -> Value {
    json!({
        "id": resource.id.as_str(),
        "name": resource.name,
        "links": bases.links(resource.id.as_str()),
    })
}

/// Where a server's full body is shown: Nova's schemas differ a little between them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// `GET /servers/detail`.
    InList,
    /// `GET /servers/{id}` and the answer to `PUT /servers/{id}`.
    Alone,
}

fn detail(
    bases: &Bases,
    actor: &Actor,
    record: &MetadataRecord,
    version: Version,
    shown: Shown,
    tags: &[String],
) -> Value {
    let resource = &record.resource;
    let id = resource.id.as_str();
    // Who named the server: its creator, unless someone renamed it since.
    let user_id = record
        .entry(NAME_KEY)
        .map(|e| e.changed_by.as_str())
        .unwrap_or_default();
    let mut body = json!({
        "id": id,
        "name": resource.name,
        "status": "ACTIVE",
        // The project id a Keystone token names, so "servers of my project" finds these.
        "tenant_id": actor.tenant.project_id(),
        "user_id": user_id_of(user_id),
        "metadata": items_of(&record.metadata()),
        "created": isotime(resource.created_at),
        "updated": isotime(resource.updated_at),
        "hostId": "",
        "addresses": {},
        "accessIPv4": "",
        "accessIPv6": "",
        "image": "",
        // The one flavor, which `/flavors/sitebook` answers: the openstack CLI's server list
        // reads `flavor.id`, openstacksdk's detailed lists look it up.
        "flavor": {
            "id": super::flavors::FLAVOR_ID,
            "links": [{"rel": "bookmark", "href": format!("{}/flavors/{}", bases.bookmark, super::flavors::FLAVOR_ID)}],
        },
        "key_name": null,
        "config_drive": "",
        "progress": 0,
        "security_groups": [],
        "links": bases.links(id),
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": "",
        "OS-EXT-STS:power_state": 1,
        "OS-EXT-STS:task_state": null,
        "OS-EXT-STS:vm_state": "active",
        "OS-SRV-USG:launched_at": null,
        "OS-SRV-USG:terminated_at": null,
        "os-extended-volumes:volumes_attached": [],
    });
    let fields = body.as_object_mut().expect("a server body is an object");
    // Each field from the version Nova's schema requires it (views/servers.py).
    if version.at_least(2, 9) {
        fields.insert("locked".into(), json!(false));
    }
    if version.at_least(2, 16) && actor.require_admin().is_ok() {
        // Nova's HostStatus.NONE: the server is on no host.
        fields.insert("host_status".into(), json!(""));
    }
    if version.at_least(2, 19) {
        fields.insert("description".into(), json!(description_of(record)));
    }
    if version.at_least(2, 26) {
        fields.insert("tags".into(), json!(tags));
    }
    if version.at_least(2, 47) {
        fields.insert("flavor".into(), super::flavors::embedded());
    }
    if version.at_least(2, 63) {
        fields.insert("trusted_image_certificates".into(), Value::Null);
    }
    if version.at_least(2, 71) && shown == Shown::Alone {
        fields.insert("server_groups".into(), json!([]));
    }
    if version.at_least(2, 73) {
        fields.insert("locked_reason".into(), Value::Null);
    }
    if version.at_least(2, 90) {
        fields.insert(
            "OS-EXT-SRV-ATTR:hostname".into(),
            json!(hostname_of(&resource.name, id)),
        );
    }
    body
}

/// A server's tags where its body shows them (2.26), else none read.
async fn tags_at(
    state: &ComputeState,
    actor: &Actor,
    id: &ResourceId,
    version: Version,
) -> Result<Vec<String>, CoreError> {
    if version.at_least(2, 26) {
        state.store.server_tags(actor, id).await
    } else {
        Ok(Vec::new())
    }
}

/// A server's description (2.19): its `description` metadata item, the one place a Sitebook
/// resource keeps one, so the two never disagree; `null` without it.
fn description_of(record: &MetadataRecord) -> Option<String> {
    record
        .metadata()
        .get(DESCRIPTION_KEY)
        .map(MetaValue::to_untyped)
}

/// A list request's paging and filters, read as Nova reads them.
struct Paging {
    params: Params,
    filter: ServerFilter,
    /// A filter no Sitebook server can meet (a status other than ACTIVE, a host, an address,
    /// an image, another flavor): the list is empty, whatever else it asks.
    matches_none: bool,
    marker: Option<String>,
    limit: u32,
    order: PageOrder,
}

/// `changes-since` as Nova takes it: an ISO 8601 time, with or without an offset (UTC then).
fn iso_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .map(|naive| naive.and_utc())
}

/// A boolean as Nova's `bool_from_string(strict=True)` reads it.
fn nova_bool(text: &str) -> Result<bool, Fault> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Ok(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Ok(false),
        _ => Err(Fault::bad_request(format!(
            "Unrecognized value '{text}', acceptable values are: '0', '1', 'f', 'false', 'n', \
             'no', 'off', 'on', 't', 'true', 'y', 'yes'"
        ))),
    }
}

/// The query parameters Nova's server list schema names at `version` (schemas/servers.py
/// `index_query` and its later forms).
fn known_filter(name: &str, version: Version) -> bool {
    #[rustfmt::skip]
    const AT_2_1: [&str; 51] = [
        "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "kernel_id",
        "ramdisk_id", "hostname", "key_name", "power_state", "vm_state", "task_state", "host",
        "node", "flavor", "reservation_id", "launched_at", "terminated_at", "availability_zone",
        "name", "display_name", "description", "display_description", "locked_by", "uuid",
        "root_device_name", "config_drive", "access_ip_v4", "access_ip_v6", "auto_disk_config",
        "progress", "sort_key", "sort_dir", "all_tenants", "soft_deleted", "deleted", "status",
        "changes-since", "ip", "ip6", "created_at", "block_device_mapping", "services",
        "metadata", "system_metadata", "info_cache", "security_groups", "pci_devices", "limit",
        "marker",
    ];
    AT_2_1.contains(&name)
        || (version.at_least(2, 26)
            && matches!(name, "tags" | "tags-any" | "not-tags" | "not-tags-any"))
        || (version.at_least(2, 66) && name == "changes-before")
        || (version.at_least(2, 73) && name == "locked")
}

impl Paging {
    fn read(
        query: Result<Query<Params>, QueryRejection>,
        actor: &Actor,
        version: Version,
    ) -> Result<Self, Fault> {
        let Query(params) = query.map_err(|_| Fault::bad_request("Malformed query string"))?;
        // From 2.75 Nova refuses what its schema does not name; before, it ignores it.
        if version.at_least(2, 75)
            && let Some((unknown, _)) = params.iter().find(|(k, _)| !known_filter(k, version))
        {
            return Err(Fault::bad_request(format!(
                "Invalid input for query parameters {unknown}. Additional properties are not \
                 allowed ('{unknown}' was unexpected)"
            )));
        }
        let last = |name: &str| {
            params
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let limit = match last("limit") {
            None => MAX_LIMIT,
            Some(text) => {
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Fault::bad_request(format!(
                        "Invalid input for query parameters limit. Value: {text}. '{text}' does \
                         not match '^[0-9]*$'"
                    )));
                }
                text.parse::<u64>()
                    .map_or(MAX_LIMIT, |n| n.min(u64::from(MAX_LIMIT)) as u32)
            }
        };
        let name = last("name")
            .or_else(|| last("display_name"))
            .map(|name| NameFilter::parse(&name))
            .transpose()?;
        let time = |name: &str| {
            last(name)
                .map(|text| {
                    iso_time(&text).ok_or_else(|| {
                        Fault::bad_request(format!(
                            "Invalid input for query parameters {name}. Value: {text}. \
                             '{text}' is not a 'date-time'"
                        ))
                    })
                })
                .transpose()
        };
        let changed_since = time("changes-since")?;
        let changed_before = if version.at_least(2, 66) {
            time("changes-before")?
        } else {
            None
        };
        let hostname = last("hostname")
            .map(|pattern| NameFilter::parse(&pattern))
            .transpose()?;
        // Every Sitebook server is ACTIVE, on no host, with no address or image, of the one
        // flavor: such filters keep all of them or none, and never go unheeded.
        let mut matches_none = false;
        if let Some(status) = last("status") {
            let status = status.to_ascii_uppercase();
            // An unknown status lists nothing until 2.38, and is refused from then on.
            if !SERVER_STATUSES.contains(&status.as_str()) && version.at_least(2, 38) {
                return Err(Fault::bad_request(format!(
                    "Invalid input for query parameters status. Value: {status}. It is not one \
                     of Nova's server statuses."
                )));
            }
            matches_none |= status != SERVER_STATUS;
        }
        // Nova heeds `user_id` from admins, and from everyone from 2.83; `project_id` (and its
        // alias `tenant_id`) from admins, others seeing their own project whatever they ask.
        let admin = actor.require_admin().is_ok();
        let named_by = last("user_id")
            .filter(|id| !id.is_empty() && (admin || version.at_least(2, 83)))
            .map(|id| principal_of(&id));
        if admin {
            for name in ["project_id", "tenant_id"] {
                matches_none |=
                    last(name).is_some_and(|p| !p.is_empty() && !actor.tenant.is_named_by(&p));
            }
        }
        // Tags from 2.26; no Sitebook server is locked (2.73).
        let tags = if version.at_least(2, 26) {
            let list = |name: &str| last(name).map(|v| TagFilter::list(&v)).unwrap_or_default();
            TagFilter {
                all: list("tags"),
                any: list("tags-any"),
                not_all: list("not-tags"),
                not_any: list("not-tags-any"),
            }
        } else {
            TagFilter::default()
        };
        if version.at_least(2, 73)
            && let Some(locked) = last("locked")
        {
            matches_none |= nova_bool(&locked)?;
        }
        // Nova heeds `host` and `node` from admins only, and ignores them from anyone else.
        let heeded = |name: &str| actor.require_admin().is_ok() || !matches!(name, "host" | "node");
        for name in ["host", "node", "ip", "ip6", "image"] {
            matches_none |= heeded(name) && last(name).is_some_and(|v| !v.is_empty());
        }
        if let Some(flavor) = last("flavor") {
            matches_none |= flavor != super::flavors::FLAVOR_ID;
        }
        let all = |name: &str| {
            params
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        let order = super::sorting::order(&all("sort_key"), &all("sort_dir"), actor, version)?;
        Ok(Self {
            filter: ServerFilter {
                name,
                hostname,
                changed_since,
                changed_before,
                named_by,
                tags,
            },
            order,
            matches_none,
            marker: last("marker"),
            limit,
            params,
        })
    }

    /// Nova's `servers_links`: a `next` link whenever the page is full, with the request's
    /// parameters sorted by name and the marker moved to the page's last server.
    fn links(&self, bases: &Bases, path: &str, page: &[Resource]) -> Option<Value> {
        let last = page.last()?;
        if self.limit == 0 || page.len() < self.limit as usize {
            return None;
        }
        let mut params: Params = self
            .params
            .iter()
            .filter(|(k, _)| k != "marker")
            .cloned()
            .collect();
        params.push(("marker".to_owned(), last.id.as_str().to_owned()));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        let query = params
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY_VALUE),
                    utf8_percent_encode(v, QUERY_VALUE)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        Some(json!([{"rel": "next", "href": format!("{}/{path}?{query}", bases.api)}]))
    }

    async fn page(&self, state: &ComputeState, actor: &Actor) -> Result<Vec<Resource>, Fault> {
        if self.limit == 0 || self.matches_none {
            return Ok(Vec::new());
        }
        let kind = ResourceType::parse(SERVER_TYPE).expect("the server type is a valid type");
        let marker = self.marker.as_deref().map(ResourceId::from_path);
        state
            .store
            .page_of_type(
                actor,
                &kind,
                Some(&self.filter),
                self.order,
                marker.as_ref(),
                self.limit,
            )
            .await
            .map_err(|e| match e {
                CoreError::NotFound { what: "marker", id } => {
                    Fault::bad_request(format!("marker [{id}] not found"))
                }
                other => other.into(),
            })
    }
}

fn listing(servers: Vec<Value>, links: Option<Value>) -> Json<Value> {
    let mut body = json!({ "servers": servers });
    if let Some(links) = links {
        body["servers_links"] = links;
    }
    Json(body)
}

/// `GET /servers`: ids, names and links.
pub async fn index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let paging = Paging::read(query, &actor, version)?;
    let page = paging.page(&state, &actor).await?;
    let bases = Bases::of(&state, &project);
    let servers = page.iter().map(|r| summary(&bases, r)).collect();
    Ok(listing(servers, paging.links(&bases, "servers", &page)))
}

/// `GET /servers/detail`: every field of each server.
pub async fn detail_index(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let paging = Paging::read(query, &actor, version)?;
    let page = paging.page(&state, &actor).await?;
    let bases = Bases::of(&state, &project);
    // The page's tags in one read, not one a server.
    let mut tags = if version.at_least(2, 26) {
        let ids: Vec<ResourceId> = page.iter().map(|r| r.id.clone()).collect();
        state.store.tags_of_servers(&actor, &ids).await?
    } else {
        Default::default()
    };
    let mut servers = Vec::with_capacity(page.len());
    for resource in &page {
        // A server deleted since the page was read is left out, as if read a moment later.
        match state.store.read_metadata_shared(&actor, &resource.id).await {
            Ok(record) => {
                let tags = tags.remove(resource.id.as_str()).unwrap_or_default();
                servers.push(detail(
                    &bases,
                    &actor,
                    &record,
                    version,
                    Shown::InList,
                    &tags,
                ));
            }
            Err(CoreError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(listing(
        servers,
        paging.links(&bases, "servers/detail", &page),
    ))
}

/// `GET /servers/{server_id}`
pub async fn show(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Microversion(version): Microversion,
    Path(ServerPath { server_id }): Path<ServerPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let record = server(&state, &actor, &server_id).await?;
    let tags = tags_at(&state, &actor, &record.resource.id, version).await?;
    let bases = Bases::of(&state, &project);
    Ok(Json(
        json!({"server": detail(&bases, &actor, &record, version, Shown::Alone, &tags)}),
    ))
}

/// Nova's 403 for making, renaming or deleting a server, saying where that is done.
fn servers_are_records() -> Fault {
    Fault::new(
        axum::http::StatusCode::FORBIDDEN,
        "Servers are records in Sitebook, not instances it runs: make, rename and delete them \
         through Sitebook's own API (/api/v1, type openstack.server) or its web UI; this API \
         reads them and writes their metadata.",
    )
}

/// `POST /servers`: refused, saying why, before any body is read.
pub async fn refuse_create(
    Authenticated(actor, ..): Caller,
    project: Project,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    Err(servers_are_records())
}

/// `PUT /servers/{server_id}`: from 2.19 a server's `description`, which is its
/// `description` metadata item (`null` removes it). A new name, hostname, address or disk
/// setting is refused as a rename is: servers are records made elsewhere.
pub async fn update(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Writer,
    project: Project,
    Microversion(version): Microversion,
    Path(ServerPath { server_id }): Path<ServerPath>,
    super::Body(body): super::Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    let change = server_update(&body, version)?;
    let record = match change {
        None => server(&state, &actor, &server_id).await?,
        Some(description) => {
            let change = UntypedChange::Merge(vec![(DESCRIPTION_KEY.to_owned(), description)]);
            std::sync::Arc::new(
                super::server_metadata::write(&state, &actor, &server_id, change).await?,
            )
        }
    };
    let tags = tags_at(&state, &actor, &record.resource.id, version).await?;
    let bases = Bases::of(&state, &project);
    Ok(Json(
        json!({"server": detail(&bases, &actor, &record, version, Shown::Alone, &tags)}),
    ))
}

/// What a `PUT /servers/{id}` body asks, read as Nova's schema at `version` does: `None` for
/// nothing, else the description to set (`None` inside: remove it).
fn server_update(body: &Value, version: Version) -> Result<Option<Option<String>>, Fault> {
    let invalid = |why: String| {
        Fault::bad_request(format!("Invalid input for field/attribute server. {why}"))
    };
    let Some(outer) = body.as_object() else {
        return Err(invalid(format!(
            "Value: {body}. {body} is not of type 'object'"
        )));
    };
    if let Some(extra) = outer.keys().find(|k| *k != "server") {
        return Err(Fault::bad_request(format!(
            "Invalid input for field/attribute. Additional properties are not allowed \
             ('{extra}' was unexpected)"
        )));
    }
    let Some(fields) = outer.get("server").and_then(Value::as_object) else {
        return Err(Fault::bad_request(
            "Invalid input for field/attribute server. 'server' is a required property and an \
             object",
        ));
    };
    let mut description = None;
    for (field, value) in fields {
        match field.as_str() {
            "description" if version.at_least(2, 19) => {
                description = Some(match value {
                    Value::Null => None,
                    Value::String(text) if nova_printable(text) => Some(text.clone()),
                    other => {
                        return Err(Fault::bad_request(format!(
                            "Invalid input for field/attribute description. Value: {other}. \
                             A description is null or at most 255 printable characters"
                        )));
                    }
                });
            }
            "name" | "hostname" | "accessIPv4" | "accessIPv6" | "OS-DCF:diskConfig"
                if field != "hostname" || version.at_least(2, 90) =>
            {
                return Err(servers_are_records());
            }
            _ => {
                return Err(invalid(format!(
                    "Additional properties are not allowed ('{field}' was unexpected)"
                )));
            }
        }
    }
    Ok(description)
}

/// Nova's "printable" for a description: at most 255 characters of the Basic Multilingual
/// Plane, no control, format or private-use characters, and of the separators only spaces.
fn nova_printable(text: &str) -> bool {
    text.chars().count() <= 255
        && text.chars().all(|c| {
            let code = u32::from(c);
            code <= 0xFFFF
                && !c.is_control()
                && !matches!(code, 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF)
                && !(0xE000..=0xF8FF).contains(&code)
        })
}

/// `DELETE /servers/{server_id}`: refused, saying why (after a 404 for a server that is not
/// there).
pub async fn refuse_change(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(ServerPath { server_id }): Path<ServerPath>,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    server(&state, &actor, &server_id).await?;
    Err(servers_are_records())
}

/// `POST /servers/{server_id}/action` (`reboot`, `os-stop`, `lock`, `os-getConsoleOutput`,
/// `os-resetState`, …): the server is there, but Sitebook runs nothing, so every action is
/// Nova's 501 naming it (after a 404 for a server that is not there).
pub async fn action(
    State(state): State<ComputeState>,
    Authenticated(actor, ..): Caller,
    project: Project,
    Path(ServerPath { server_id }): Path<ServerPath>,
    super::Body(body): super::Body,
) -> Result<Json<Value>, Fault> {
    project.check(&actor)?;
    server(&state, &actor, &server_id).await?;
    let action = body
        .as_object()
        .and_then(|object| object.keys().next())
        .map_or("(none)", String::as_str);
    Err(Fault::new(
        axum::http::StatusCode::NOT_IMPLEMENTED,
        format!(
            "The server action '{action}' is not implemented: Sitebook keeps records of \
             servers and runs none of them."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_nova_isotime() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T10:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(isotime(at), "2026-03-01T10:00:00Z");
    }
}
