//! OpenStack's rules, kept once for every face that speaks them: Nova's metadata keys and
//! values, the server name filter, and host aggregates (their names, availability zones,
//! hosts and metadata). A Nova server and a host aggregate are Sitebook resources of the types
//! below; the `name` key of their metadata is their name.

use serde_json::{Map, Value};

use super::CoreError;
use super::error::{Clash, ValidationError};
use super::metadata::{MetaValue, Metadata, MetadataLimits, MetadataRecord, Outcome};

/// The resource type a Nova server is.
pub const SERVER_TYPE: &str = "openstack.server";

/// The resource type a Nova host aggregate is.
pub const AGGREGATE_TYPE: &str = "openstack.aggregate";

/// Nova's default `metadata_items` quota: the most items a server's metadata may hold.
pub const DEFAULT_METADATA_ITEMS: u32 = 128;

/// Nova's longest metadata key and value, aggregate name, availability zone and host, in
/// characters.
pub const MAX_CHARS: usize = 255;

/// The key Sitebook names a resource by; to Nova it is the server's or aggregate's name, not a
/// metadata item.
pub const NAME_KEY: &str = "name";

/// The metadata item a server's Nova `description` (2.19) is.
pub const DESCRIPTION_KEY: &str = "description";

/// The aggregate metadata key that is its availability zone.
pub const AZ_KEY: &str = "availability_zone";

/// A Nova metadata key: 1 to 255 ASCII letters, digits, `-`, `_`, `:`, `.` or spaces (Nova's
/// pattern `^[a-zA-Z0-9-_:. ]{1,255}$`, without its quirk of accepting a final line break).
pub fn check_key(key: &str) -> Result<(), ValidationError> {
    let ok = (1..=MAX_CHARS).contains(&key.chars().count())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | ' '));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::NovaKeyInvalid(key.to_owned()))
    }
}

/// A Nova metadata value: a string of at most 255 characters.
pub fn check_value(key: &str, value: &str) -> Result<(), ValidationError> {
    let actual = value.chars().count();
    if actual > MAX_CHARS {
        return Err(ValidationError::NovaValueTooLong {
            key: key.to_owned(),
            max: MAX_CHARS,
            actual,
        });
    }
    Ok(())
}

/// The metadata items Nova shows: every key but `name`, each value read as a string through
/// the untyped rule ([`MetaValue::to_untyped`]).
pub fn items_of(metadata: &Metadata) -> Map<String, Value> {
    crate::core::metadata::untyped::items(metadata)
        .into_iter()
        .map(|(key, value)| (key, Value::String(value)))
        .collect()
}

/// The `name` filter of a server list: a regular expression found anywhere in the name,
/// ignoring case, as Nova evaluates it (`REGEXP` on its database). Run by the `regex` crate,
/// whose matching is linear in the name and whose compiled size is bounded, so no pattern can
/// make a list slow; what it does not support (look-around, back-references) is refused.
#[derive(Debug, Clone)]
pub struct NameFilter(regex::Regex);

impl NameFilter {
    /// The longest pattern taken, in characters.
    pub const MAX_CHARS: usize = 1000;
    /// The most memory one compiled pattern may take.
    const SIZE_LIMIT: usize = 1 << 20;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let refuse = |reason: String| ValidationError::NovaNameFilterInvalid {
            pattern: raw.chars().take(80).collect(),
            reason,
        };
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(refuse(format!(
                "it is longer than {} characters",
                Self::MAX_CHARS
            )));
        }
        regex::RegexBuilder::new(raw)
            .case_insensitive(true)
            .size_limit(Self::SIZE_LIMIT)
            .dfa_size_limit(Self::SIZE_LIMIT)
            .build()
            .map(Self)
            .map_err(|e| refuse(e.to_string()))
    }

    pub fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// A server list's filters that Sitebook evaluates row by row: the name pattern and
/// `changes-since` (servers changed at or after it, by the resource's `updated`).
#[derive(Debug, Clone, Default)]
pub struct ServerFilter {
    pub name: Option<NameFilter>,
    /// Nova's `hostname` (a pattern as `name` is), over the hostname derived from the name.
    pub hostname: Option<NameFilter>,
    pub changed_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Nova's `changes-before` (2.66): updated at or before it.
    pub changed_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Nova's `user_id`: servers this principal named (the server's user), by Sitebook id.
    pub named_by: Option<String>,
    /// Nova's tag filters (2.26).
    pub tags: TagFilter,
}

/// Nova's `tags`, `tags-any`, `not-tags` and `not-tags-any`: each a list of tag names,
/// compared ignoring case as Sitebook's tag names are.
#[derive(Debug, Clone, Default)]
pub struct TagFilter {
    /// Servers with every one of these.
    pub all: Vec<String>,
    /// Servers with at least one of these.
    pub any: Vec<String>,
    /// Servers without at least one of these.
    pub not_all: Vec<String>,
    /// Servers with none of these.
    pub not_any: Vec<String>,
}

impl TagFilter {
    /// Reads Nova's comma-separated list.
    pub fn list(text: &str) -> Vec<String> {
        text.split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
            && self.any.is_empty()
            && self.not_all.is_empty()
            && self.not_any.is_empty()
    }

    /// Whether a server carrying `names` (any case) passes.
    pub fn matches(&self, names: &[String]) -> bool {
        let has = |tag: &String| names.iter().any(|n| n.to_lowercase() == *tag);
        self.all.iter().all(has)
            && (self.any.is_empty() || self.any.iter().any(has))
            && (self.not_all.is_empty() || !self.not_all.iter().all(has))
            && !self.not_any.iter().any(has)
    }
}

impl ServerFilter {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.hostname.is_none()
            && self.changed_since.is_none()
            && self.changed_before.is_none()
            && self.named_by.is_none()
            && self.tags.is_empty()
    }

    pub fn matches(&self, name: &str, updated_at: chrono::DateTime<chrono::Utc>) -> bool {
        self.name.as_ref().is_none_or(|f| f.matches(name))
            && self
                .hostname
                .as_ref()
                .is_none_or(|f| f.matches(&hostname_of(name, "")))
            && self.changed_since.is_none_or(|since| updated_at >= since)
            && self
                .changed_before
                .is_none_or(|before| updated_at <= before)
    }
}

/// Nova's server statuses, as its list filter validates them.
pub const SERVER_STATUSES: [&str; 20] = [
    "ACTIVE",
    "BUILD",
    "DELETED",
    "ERROR",
    "HARD_REBOOT",
    "MIGRATING",
    "PASSWORD",
    "PAUSED",
    "REBOOT",
    "REBUILD",
    "RESCUE",
    "RESIZE",
    "REVERT_RESIZE",
    "SHELVED",
    "SHELVED_OFFLOADED",
    "SHUTOFF",
    "SOFT_DELETED",
    "SUSPENDED",
    "UNKNOWN",
    "VERIFY_RESIZE",
];

/// The status every Sitebook server has: it is a record, always there as it was written.
pub const SERVER_STATUS: &str = "ACTIVE";

/// Text Nova takes for an aggregate's name or availability zone: 1 to 255 printable
/// characters that neither start nor end with whitespace.
fn printable(text: &str) -> bool {
    (1..=MAX_CHARS).contains(&text.chars().count())
        && !text.chars().any(char::is_control)
        && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
}

/// An aggregate's name. A rename may come with spaces around it, which Nova strips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateName(String);

impl AggregateName {
    /// A new aggregate's name: as given, no whitespace around it.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        // The name is the resource's name too, which for OpenStack's types is Nova's 255.
        let fits = raw.chars().count() <= super::resources::ResourceName::MAX_OPENSTACK_CHARS;
        if printable(raw) && fits {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::AggregateNameInvalid(raw.to_owned()))
        }
    }

    /// A new name for an aggregate: spaces around it are dropped first.
    pub fn parse_rename(raw: &str) -> Result<Self, ValidationError> {
        Self::parse(raw.trim()).map_err(|_| ValidationError::AggregateNameInvalid(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An availability zone: printable, no whitespace around it, and no `:` (Nova's `az_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityZone(String);

impl AvailabilityZone {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if printable(raw) && !raw.contains(':') {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::AvailabilityZoneInvalid(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A host name as Nova takes it: 1 to 255 ASCII letters, digits, `-`, `.` or `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostName(String);

impl HostName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok = (1..=MAX_CHARS).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::HostNameInvalid(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An aggregate's id in Nova's URLs: an integer, as Python's `int()` reads one (spaces
/// around it and a sign allowed).
pub fn parse_aggregate_number(raw: &str) -> Result<i64, ValidationError> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| ValidationError::AggregateIdInvalid(raw.to_owned()))
}

/// A server's hostname as Nova derives it from the name it is made with (its
/// `sanitize_hostname`): Latin-1 only, spaces, `_` and `.` as `-`, other non-word characters
/// dropped, lower case, no `.` or `-` at either end, at most 63 characters; `Server-<id>` when
/// nothing is left.
pub fn hostname_of(name: &str, id: &str) -> String {
    fn truncate(text: &str) -> String {
        text.chars().take(63).collect()
    }
    let latin: String = name.chars().filter(|c| u32::from(*c) <= 0xFF).collect();
    let dashed: String = truncate(&latin)
        .chars()
        .map(|c| if matches!(c, ' ' | '_' | '.') { '-' } else { c })
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    let hostname = truncate(dashed.trim_matches(|c| c == '.' || c == '-'));
    if hostname.is_empty() {
        truncate(&format!("Server-{id}"))
    } else {
        hostname
    }
}

/// The UUID Nova shows for a resource (an aggregate's `uuid`, from 2.41): the id itself when it
/// is one, the 32 hex digits of a Sitebook id (`aggregate_…`) hyphenated, or else a UUID
/// derived from the id (version 5), so it is the same on every read.
#[cfg(feature = "ssr")]
pub fn uuid_of(id: &str) -> String {
    if let Ok(uuid) = uuid::Uuid::try_parse(id) {
        return uuid.hyphenated().to_string();
    }
    let hex = id.rsplit('_').next().unwrap_or_default();
    if hex.len() == 32
        && let Ok(uuid) = uuid::Uuid::try_parse(hex)
    {
        return uuid.hyphenated().to_string();
    }
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.as_bytes())
        .hyphenated()
        .to_string()
}

/// A principal's id (`usr_…`, `tok_…`) as the OpenStack faces show it: Nova's schemas take
/// user ids of letters, digits and `-` only, so both faces show `usr-…`/`tok-…`, the same id
/// in a Keystone token, its user lookups and a server's `user_id`.
pub fn user_id_of(principal: &str) -> String {
    match principal.split_once('_') {
        Some((prefix @ ("usr" | "tok"), rest)) => format!("{prefix}-{rest}"),
        _ => principal.to_owned(),
    }
}

/// The principal an OpenStack user id names, in either form.
pub fn principal_of(user_id: &str) -> String {
    match user_id.split_once('-') {
        Some((prefix @ ("usr" | "tok"), rest)) => format!("{prefix}_{rest}"),
        _ => user_id.to_owned(),
    }
}

/// Nova's most tags on one server (`objects/instance.py` `MAX_TAG_COUNT`).
pub const MAX_SERVER_TAGS: usize = 50;

/// A change to a server's tags through Nova's `/servers/{id}/tags`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTagChange {
    /// `PUT …/tags`: exactly these.
    Replace(Vec<String>),
    /// `PUT …/tags/{tag}`.
    Add(String),
    /// `DELETE …/tags/{tag}`.
    Remove(String),
    /// `DELETE …/tags`.
    Clear,
}

/// Whether two tag names are the same tag: names compare ignoring case, as Sitebook's tag
/// definitions do.
pub fn same_tag(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl ServerTagChange {
    /// The tags after this change to `current` (names compare ignoring case, as Sitebook's
    /// definitions do). As in Nova, a server at the limit takes no tag, not even one it has.
    pub fn apply(self, current: &[String]) -> Result<Vec<String>, CoreError> {
        match self {
            Self::Replace(tags) => Ok(tags),
            Self::Clear => Ok(Vec::new()),
            Self::Add(tag) => {
                if current.len() >= MAX_SERVER_TAGS {
                    return Err(ValidationError::TooManyTags {
                        max: MAX_SERVER_TAGS,
                        actual: current.len() + 1,
                    }
                    .into());
                }
                let mut tags = current.to_vec();
                if !tags.iter().any(|t| same_tag(t, &tag)) {
                    tags.push(tag);
                }
                Ok(tags)
            }
            Self::Remove(tag) => {
                if !current.iter().any(|t| same_tag(t, &tag)) {
                    return Err(CoreError::NotFound {
                        what: "server tag",
                        id: tag,
                    });
                }
                Ok(current
                    .iter()
                    .filter(|t| !same_tag(t, &tag))
                    .cloned()
                    .collect())
            }
        }
    }
}

/// Nova's `default_availability_zone`: where a host in no zoned aggregate is.
pub const DEFAULT_ZONE: &str = "nova";

/// An availability zone and the hosts in it, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneHosts {
    pub name: String,
    pub hosts: Vec<String>,
}

impl ZoneHosts {
    /// The zones of hosts, from each (host, zone of one aggregate holding it) pair: a host is
    /// in the zone an aggregate of its gives it (Nova refuses a second, different one), else
    /// in the default zone. A zone without hosts is no zone, as in Nova.
    pub fn of_hosts(pairs: Vec<(String, Option<String>)>) -> Vec<Self> {
        let mut zone_of: std::collections::BTreeMap<String, Option<String>> = Default::default();
        for (host, zone) in pairs {
            let known = zone_of.entry(host).or_default();
            if known.is_none() {
                *known = zone.filter(|z| !z.is_empty());
            }
        }
        let mut zones: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (host, zone) in zone_of {
            zones
                .entry(zone.unwrap_or_else(|| DEFAULT_ZONE.to_owned()))
                .or_default()
                .push(host);
        }
        zones
            .into_iter()
            .map(|(name, hosts)| Self { name, hosts })
            .collect()
    }
}

/// A host aggregate: its resource with the metadata, the integer id Nova knows it by (never
/// reused), and its hosts in the order they were added.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub number: i64,
    pub record: MetadataRecord,
    pub hosts: Vec<String>,
}

impl Aggregate {
    pub fn name(&self) -> &str {
        &self.record.resource.name
    }

    /// The availability zone is the metadata key of that name, so the two never disagree.
    pub fn availability_zone(&self) -> Option<String> {
        self.record
            .metadata()
            .get(AZ_KEY)
            .map(MetaValue::to_untyped)
    }
}

/// Adding `host` to an aggregate that has `hosts`: a host is in an aggregate once.
pub fn check_host_addition(
    number: i64,
    hosts: &[String],
    host: &HostName,
) -> Result<(), CoreError> {
    if hosts.iter().any(|h| h == host.as_str()) {
        return Err(CoreError::Conflict(
            Clash::Other,
            format!("Aggregate {number} already has host {}.", host.as_str()),
        ));
    }
    Ok(())
}

/// Adding `host` to an aggregate in `zone`: a host is in one availability zone, so one already
/// in aggregates of other zones (`host_zones`) cannot join. An aggregate without a zone takes
/// any host, as Nova's does.
pub fn check_host_zone(
    number: i64,
    zone: Option<&str>,
    host_zones: &[String],
) -> Result<(), CoreError> {
    let Some(zone) = zone else { return Ok(()) };
    let mut others: Vec<&str> = host_zones
        .iter()
        .map(String::as_str)
        .filter(|z| *z != zone)
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    others.sort_unstable();
    others.dedup();
    Err(CoreError::Conflict(
        Clash::Other,
        format!(
            "Cannot add host to aggregate {number}. Reason: One or more hosts already in \
             availability zone(s) {others:?}."
        ),
    ))
}

/// Removing `host` from an aggregate that has `hosts`: it must be there.
pub fn check_host_removal(number: i64, hosts: &[String], host: &HostName) -> Result<(), CoreError> {
    if hosts.iter().any(|h| h == host.as_str()) {
        Ok(())
    } else {
        Err(CoreError::NotFound {
            what: "host",
            id: format!("{} in aggregate {number}", host.as_str()),
        })
    }
}

/// Deleting an aggregate: Nova refuses while it has hosts.
pub fn check_deletion(hosts: &[String]) -> Result<(), ValidationError> {
    if hosts.is_empty() {
        Ok(())
    } else {
        Err(ValidationError::AggregateNotEmpty)
    }
}

/// A change to an aggregate's metadata: each key to a string, or to `None` to remove it.
pub type MetadataUpdate = Vec<(String, Option<String>)>;

/// The metadata a new aggregate starts with: its name and, when given, its zone.
pub fn new_aggregate_metadata(name: &AggregateName, zone: Option<&AvailabilityZone>) -> Value {
    let mut document = Map::new();
    document.insert(NAME_KEY.to_owned(), Value::from(name.as_str()));
    if let Some(zone) = zone {
        document.insert(AZ_KEY.to_owned(), Value::from(zone.as_str()));
    }
    Value::Object(document)
}

/// Applies Nova's `set_metadata` (and an update's name and zone) to an aggregate's metadata:
/// a string sets its key (keeping the type a typed key has, as every untyped write does), `None`
/// removes it and is nothing for a key that is absent. The zone cannot be blanked, and `name`
/// is the aggregate's name (only `rename` changes it).
pub fn update_aggregate_metadata(
    current: &Metadata,
    update: &MetadataUpdate,
    rename: Option<&AggregateName>,
    limits: MetadataLimits,
) -> Result<Outcome, ValidationError> {
    for (key, value) in update {
        check_key(key)?;
        if key == NAME_KEY {
            return Err(ValidationError::NovaKeyInvalid(key.clone()));
        }
        match value {
            None if key == AZ_KEY => return Err(ValidationError::AvailabilityZoneRequired),
            None => {}
            Some(text) => {
                check_value(key, text)?;
                // Nova's set_metadata refuses only an empty zone: its name rule is for the
                // create and update of an aggregate (`AvailabilityZone::parse`, in the face).
                if key == AZ_KEY && text.is_empty() {
                    return Err(ValidationError::AvailabilityZoneRequired);
                }
            }
        }
    }
    // The items by the untyped rule every dialect's writes follow (types kept, `null` removes).
    crate::core::metadata::untyped::merge(
        current,
        update,
        rename.map(AggregateName::as_str),
        limits,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn novas_four_tag_filters_read_as_nova_documents_them() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let server = names(&["Gold", "web"]);
        let filter = |all: &str, any: &str, not_all: &str, not_any: &str| TagFilter {
            all: TagFilter::list(all),
            any: TagFilter::list(any),
            not_all: TagFilter::list(not_all),
            not_any: TagFilter::list(not_any),
        };
        assert!(filter("gold,web", "", "", "").matches(&server));
        assert!(!filter("gold,db", "", "", "").matches(&server));
        assert!(filter("", "db,gold", "", "").matches(&server));
        assert!(filter("", "", "gold,db", "").matches(&server));
        assert!(!filter("", "", "gold,web", "").matches(&server));
        assert!(!filter("", "", "", "db,web").matches(&server));
        assert!(filter("", "", "", "db").matches(&server));
    }

    #[test]
    fn server_tags_are_added_once_removed_when_there_and_capped_at_fifty() {
        let current = vec!["web".to_owned(), "Gold".to_owned()];
        let add = |t: &str| ServerTagChange::Add(t.to_owned()).apply(&current);
        assert_eq!(add("gold").unwrap(), ["web", "Gold"]);
        assert_eq!(add("db").unwrap(), ["web", "Gold", "db"]);
        let removed = ServerTagChange::Remove("GOLD".to_owned()).apply(&current);
        assert_eq!(removed.unwrap(), ["web"]);
        assert!(matches!(
            ServerTagChange::Remove("x".to_owned()).apply(&current),
            Err(CoreError::NotFound { .. })
        ));
        let full: Vec<String> = (0..MAX_SERVER_TAGS).map(|i| format!("t{i}")).collect();
        assert!(ServerTagChange::Add("t0".to_owned()).apply(&full).is_err());
        assert!(ServerTagChange::Clear.apply(&full).unwrap().is_empty());
    }

    #[test]
    fn principals_show_nova_a_user_id_of_letters_digits_and_hyphens_and_read_back() {
        let hex = "0123456789abcdef0123456789abcdef";
        for principal in [format!("usr_{hex}"), format!("tok_{hex}")] {
            let shown = user_id_of(&principal);
            assert!(shown.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            assert_eq!(principal_of(&shown), principal);
            assert_eq!(principal_of(&principal), principal);
        }
        assert_eq!(user_id_of("operator"), "operator");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_resource_shows_nova_one_uuid_on_every_read() {
        assert_eq!(
            uuid_of("aggregate_0123456789abcdef0123456789abcdef"),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        let given = "9e0f7c8e-3c55-4f1c-9a51-0a5c3e2b7d00";
        assert_eq!(uuid_of(given), given);
        assert_eq!(uuid_of("rack-7"), uuid_of("rack-7"));
        assert!(uuid::Uuid::try_parse(&uuid_of("rack-7")).is_ok());
    }

    #[test]
    fn hostnames_are_derived_as_novas_sanitize_hostname_does() {
        assert_eq!(hostname_of("Web 01.example_a", "x"), "web-01-example-a");
        assert_eq!(hostname_of("--db!!--", "x"), "db");
        assert_eq!(hostname_of("Café", "x"), "café");
        assert_eq!(hostname_of("日本", "abc"), "Server-abc");
        assert_eq!(hostname_of(&"a".repeat(80), "x").len(), 63);
    }

    #[test]
    fn hosts_are_in_their_aggregates_zone_or_the_default_one() {
        let pair = |h: &str, z: Option<&str>| (h.to_owned(), z.map(str::to_owned));
        let zones = ZoneHosts::of_hosts(vec![
            pair("c1", Some("east")),
            pair("c2", None),
            pair("c1", None),
            pair("c3", Some("east")),
            pair("c2", Some("west")),
        ]);
        let shown: Vec<(&str, Vec<&str>)> = zones
            .iter()
            .map(|z| {
                (
                    z.name.as_str(),
                    z.hosts.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(shown, [("east", vec!["c1", "c3"]), ("west", vec!["c2"])]);
        assert_eq!(
            ZoneHosts::of_hosts(vec![pair("c9", None)])[0].name,
            DEFAULT_ZONE
        );
    }

    use super::*;
    use serde_json::json;

    fn metadata(value: Value) -> Metadata {
        Metadata::from_json(&value).unwrap()
    }

    #[test]
    fn nova_keys_are_letters_digits_and_five_marks() {
        for good in ["a", "rack unit", "os:type", "a-b_c.d", &"k".repeat(255)] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "a/b", "é", "a@b", "a,b", "a+b", "a\n", &"k".repeat(256)] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_nova_value_is_at_most_255_characters() {
        assert!(check_value("k", &"é".repeat(255)).is_ok());
        assert!(matches!(
            check_value("k", &"v".repeat(256)),
            Err(ValidationError::NovaValueTooLong { actual: 256, .. })
        ));
    }

    #[test]
    fn the_name_filter_is_a_regular_expression_found_anywhere_ignoring_case() {
        let matches = |filter: &str, name: &str| NameFilter::parse(filter).unwrap().matches(name);
        assert!(matches("web", "MyWeb-01"));
        assert!(!matches("db", "web-01"));
        assert!(matches("^web", "Web-01") && !matches("^web", "myweb"));
        assert!(matches("01$", "web-01") && !matches("01$", "web-012"));
        assert!(matches("^web-01$", "WEB-01") && !matches("^web-01$", "web-011"));
        // What the openstack CLI's users type: it sends `--name` as it is and filters nothing.
        assert!(matches("web-0[0-1]", "web-01") && !matches("web-0[0-1]", "web-02"));
        assert!(matches("web.*1$", "web-east-1") && !matches("web.*1$", "web-12"));
        assert!(matches("^db-0[1-3]$", "DB-03") && !matches("^db-0[1-3]$", "db-04"));
        assert!(matches("", "anything"));
    }

    #[test]
    fn a_pattern_the_linear_engine_cannot_run_or_too_large_is_refused() {
        for bad in ["web(", "(?=web)", "(a)\\1", "[z-a]"] {
            assert!(
                matches!(
                    NameFilter::parse(bad),
                    Err(ValidationError::NovaNameFilterInvalid { .. })
                ),
                "{bad}"
            );
        }
        assert!(NameFilter::parse(&"a".repeat(NameFilter::MAX_CHARS + 1)).is_err());
        // Small to write, huge to compile: over the size limit.
        assert!(NameFilter::parse("\\w{1000}\\w{1000}\\w{1000}").is_err());
    }

    #[test]
    fn aggregate_names_and_zones_are_printable_without_spaces_around() {
        assert!(AggregateName::parse("rack-a").is_ok());
        for bad in ["", " a", "a ", "a\tb", &"a".repeat(256)] {
            assert!(AggregateName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(AggregateName::parse_rename("  b ").unwrap().as_str(), "b");
        assert!(AggregateName::parse_rename("   ").is_err());
        assert!(AvailabilityZone::parse("london").is_ok());
        for bad in ["", "a:b", " london"] {
            assert!(AvailabilityZone::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn host_names_are_fqdn_characters() {
        assert!(HostName::parse("compute-1.example_x").is_ok());
        for bad in ["", "a b", "a/b", "é"] {
            assert!(HostName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn aggregate_ids_are_integers_as_python_reads_them() {
        assert_eq!(parse_aggregate_number(" 7 "), Ok(7));
        assert_eq!(parse_aggregate_number("-1"), Ok(-1));
        assert_eq!(parse_aggregate_number("+1"), Ok(1));
        assert!(parse_aggregate_number("rack-a").is_err());
    }

    #[test]
    fn a_host_is_added_once_and_removed_only_when_there() {
        let hosts = vec!["h1".to_owned()];
        let h1 = HostName::parse("h1").unwrap();
        let h2 = HostName::parse("h2").unwrap();
        assert!(matches!(
            check_host_addition(3, &hosts, &h1),
            Err(CoreError::Conflict(_, m)) if m == "Aggregate 3 already has host h1."
        ));
        assert!(check_host_addition(3, &hosts, &h2).is_ok());
        assert!(check_host_removal(3, &hosts, &h1).is_ok());
        assert!(matches!(
            check_host_removal(3, &hosts, &h2),
            Err(CoreError::NotFound { .. })
        ));
        assert_eq!(
            check_deletion(&hosts),
            Err(ValidationError::AggregateNotEmpty)
        );
        assert!(check_deletion(&[]).is_ok());
    }

    #[test]
    fn a_host_stays_in_one_availability_zone() {
        let zones = vec!["london".to_owned()];
        assert!(check_host_zone(2, None, &zones).is_ok());
        assert!(check_host_zone(2, Some("london"), &zones).is_ok());
        assert!(check_host_zone(2, Some("paris"), &[]).is_ok());
        assert!(matches!(
            check_host_zone(2, Some("paris"), &zones),
            Err(CoreError::Conflict(_, m)) if m.contains("[\"london\"]")
        ));
    }

    #[test]
    fn set_metadata_merges_removes_with_null_and_ignores_an_absent_null() {
        let current = metadata(json!({"name": "agg", "a": "1", "ssd": "true"}));
        let update = vec![
            ("a".to_owned(), None),
            ("missing".to_owned(), None),
            ("b".to_owned(), Some("2".to_owned())),
        ];
        let outcome =
            update_aggregate_metadata(&current, &update, None, MetadataLimits::default()).unwrap();
        assert_eq!(
            outcome.metadata.to_json(),
            json!({"name": "agg", "b": "2", "ssd": "true"})
        );
        assert_eq!(outcome.changes.len(), 2);
    }

    #[test]
    fn the_zone_cannot_be_blanked_and_the_name_is_not_an_item() {
        let current = metadata(json!({"name": "agg", "availability_zone": "london"}));
        let limits = MetadataLimits::default();
        let blank = vec![(AZ_KEY.to_owned(), None)];
        assert_eq!(
            update_aggregate_metadata(&current, &blank, None, limits),
            Err(ValidationError::AvailabilityZoneRequired)
        );
        let empty = vec![(AZ_KEY.to_owned(), Some(String::new()))];
        assert_eq!(
            update_aggregate_metadata(&current, &empty, None, limits),
            Err(ValidationError::AvailabilityZoneRequired)
        );
        // As Nova's set_metadata: any other zone, even one its create would refuse.
        let odd_zone = vec![(AZ_KEY.to_owned(), Some("a:b".to_owned()))];
        assert!(update_aggregate_metadata(&current, &odd_zone, None, limits).is_ok());
        let name = vec![(NAME_KEY.to_owned(), Some("x".to_owned()))];
        assert!(update_aggregate_metadata(&current, &name, None, limits).is_err());
        let rename = AggregateName::parse("agg2").unwrap();
        let zone = vec![(AZ_KEY.to_owned(), Some("paris".to_owned()))];
        let renamed = update_aggregate_metadata(&current, &zone, Some(&rename), limits).unwrap();
        assert_eq!(
            renamed.metadata.to_json(),
            json!({"name": "agg2", "availability_zone": "paris"})
        );
    }

    #[test]
    fn nova_sees_every_item_but_the_name_as_strings() {
        let items = items_of(&metadata(json!({"name": "web", "units": 2, "ok": true})));
        assert_eq!(Value::Object(items), json!({"units": "2", "ok": "true"}));
    }
}
