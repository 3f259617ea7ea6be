//! Nova's `sort_key` and `sort_dir` on server lists, read as Nova reads them, to the order a
//! Sitebook page takes. Of Nova's sort keys, four tell Sitebook's servers apart (the name,
//! creation, last update and id); every other one is the same for all of them (no host, no
//! power state, one flavor), so it ties and the next key decides, which is what Nova's sort
//! over such columns gives. Keys Nova ignores are dropped with their direction; `host` and
//! `node` are for admins only.

use super::fault::Fault;
use super::microversion::Version;
use crate::core::access::Actor;
use crate::core::listing::{PageKey, PageOrder};

/// Nova's `VALID_SORT_KEYS` (schemas/servers.py) that it sorts by.
const SORTED_BY: [&str; 29] = [
    "access_ip_v4",
    "access_ip_v6",
    "auto_disk_config",
    "availability_zone",
    "config_drive",
    "created_at",
    "display_description",
    "display_name",
    "host",
    "hostname",
    "image_ref",
    "instance_type_id",
    "kernel_id",
    "key_name",
    "launch_index",
    "launched_at",
    "locked_by",
    "node",
    "power_state",
    "progress",
    "project_id",
    "ramdisk_id",
    "root_device_name",
    "task_state",
    "terminated_at",
    "updated_at",
    "user_id",
    "uuid",
    "vm_state",
];

/// Nova's `SERVER_LIST_IGNORE_SORT_KEY`: valid, and dropped before sorting.
const IGNORED: [&str; 22] = [
    "architecture",
    "cell_name",
    "cleaned",
    "default_ephemeral_device",
    "default_swap_device",
    "deleted",
    "deleted_at",
    "disable_terminate",
    "ephemeral_gb",
    "ephemeral_key_uuid",
    "id",
    "key_data",
    "launched_on",
    "locked",
    "memory_mb",
    "os_type",
    "reservation_id",
    "root_gb",
    "shutdown_terminate",
    "user_data",
    "vcpus",
    "vm_mode",
];

/// The Sitebook order a Nova sort key gives, when it tells servers apart.
fn page_key(key: &str) -> Option<PageKey> {
    match key {
        "display_name" | "hostname" => Some(PageKey::Name),
        // A record is "launched" when it is made.
        "created_at" | "launched_at" => Some(PageKey::Created),
        "updated_at" => Some(PageKey::Updated),
        "uuid" => Some(PageKey::Id),
        _ => None,
    }
}

/// The order of a list asking `keys` and `dirs` (each as often as given, in order).
pub fn order(
    keys: &[String],
    dirs: &[String],
    actor: &Actor,
    version: Version,
) -> Result<PageOrder, Fault> {
    let mut keys: Vec<&str> = keys.iter().map(|k| k.trim()).collect();
    let mut dirs: Vec<&str> = dirs.iter().map(|d| d.trim()).collect();
    // `locked` sorts from 2.73 (the same for every server); from 2.75 the ignored keys are
    // no longer accepted at all.
    let ignored = |key: &str| key != "locked" || !version.at_least(2, 73);
    let is_ignored = |key: &str| IGNORED.contains(&key) && ignored(key);
    for key in &keys {
        let valid = SORTED_BY.contains(key)
            || (key == &"locked" && version.at_least(2, 73))
            || (IGNORED.contains(key) && !version.at_least(2, 75));
        if !valid {
            return Err(Fault::bad_request(format!(
                "Invalid input for query parameters sort_key. Value: {key}. '{key}' is not one \
                 of Nova's sort keys"
            )));
        }
    }
    // Nova drops an ignored key with the direction in its place, when there is one.
    let mut index = 0;
    while index < keys.len() {
        let key = keys[index];
        if is_ignored(key) {
            keys.remove(index);
            if dirs.len() > index {
                dirs.remove(index);
            }
            continue;
        }
        if matches!(key, "host" | "node") && actor.require_admin().is_err() {
            return Err(Fault::new(
                axum::http::StatusCode::FORBIDDEN,
                format!("Only administrators can sort servers by {key}"),
            ));
        }
        index += 1;
    }
    if let Some(wrong) = dirs.iter().find(|d| !matches!(**d, "asc" | "desc")) {
        return Err(Fault::bad_request(format!(
            "Invalid input received: Unknown sort direction, must be 'desc' or 'asc' (not \
             '{wrong}')"
        )));
    }
    if dirs.len() > keys.len().max(1) {
        return Err(Fault::bad_request(
            "Invalid input received: Sort direction size exceeds sort key size",
        ));
    }
    // Keys without a direction take the first one given (Nova's `process_sort_params`), and so
    // does the creation order Nova sorts by last.
    let default_descending = dirs.first().is_none_or(|d| *d == "desc");
    let chosen = keys.iter().enumerate().find_map(|(i, key)| {
        page_key(key).map(|page_key| PageOrder {
            key: page_key,
            descending: dirs.get(i).map_or(default_descending, |d| *d == "desc"),
        })
    });
    Ok(chosen.unwrap_or(PageOrder {
        key: PageKey::Created,
        descending: default_descending,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{admin, staff};

    fn sorted(keys: &[&str], dirs: &[&str]) -> Result<PageOrder, Fault> {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        order(&own(keys), &own(dirs), &staff(), Version(2, 1))
    }

    #[test]
    fn nothing_asked_is_newest_first() {
        assert_eq!(sorted(&[], &[]).unwrap(), PageOrder::NEWEST_FIRST);
        assert_eq!(
            sorted(&[], &["asc"]).unwrap(),
            PageOrder {
                key: PageKey::Created,
                descending: false
            }
        );
    }

    #[test]
    fn the_first_key_that_tells_servers_apart_decides_with_its_direction() {
        assert_eq!(
            sorted(&["display_name"], &["asc"]).unwrap(),
            PageOrder {
                key: PageKey::Name,
                descending: false
            }
        );
        // The same for every server: the name decides, in the first direction given.
        assert_eq!(
            sorted(&["vm_state", "display_name"], &["asc"]).unwrap(),
            PageOrder {
                key: PageKey::Name,
                descending: false
            }
        );
        // An ignored key goes with its direction.
        assert_eq!(
            sorted(&["locked", "updated_at"], &["asc", "desc"]).unwrap(),
            PageOrder {
                key: PageKey::Updated,
                descending: true
            }
        );
    }

    #[test]
    fn unknown_keys_and_directions_are_refused_and_host_is_for_admins() {
        assert!(sorted(&["colour"], &[]).is_err());
        assert!(sorted(&["display_name"], &["up"]).is_err());
        assert!(sorted(&["display_name"], &["asc", "desc"]).is_err());
        let staff = sorted(&["host"], &[]).unwrap_err();
        assert_eq!(staff.status, axum::http::StatusCode::FORBIDDEN);
        let admin = order(&["host".to_owned()], &[], &admin(), Version(2, 1)).unwrap();
        assert_eq!(admin, PageOrder::NEWEST_FIRST);
    }

    #[test]
    fn ignored_keys_are_refused_from_2_75_and_locked_sorts_from_2_73() {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let at = |key: &str, version| order(&own(&[key]), &[], &staff(), version);
        assert!(at("vcpus", Version(2, 74)).is_ok());
        assert!(at("vcpus", Version(2, 75)).is_err());
        assert!(at("locked", Version(2, 90)).is_ok());
    }
}
