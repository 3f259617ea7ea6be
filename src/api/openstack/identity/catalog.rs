//! The service catalog: what a token lists and what `/v3/services`, `/v3/endpoints` and
//! `/v3/regions` show, made by one function so the ids a client reads in one place find the
//! same entries in the other.

use serde_json::{Value, json};

use super::roles::hex_id;

/// Sitebook's one region.
pub const REGION: &str = "RegionOne";

/// Each service answers at the same URL on every interface (clients pick `public` by
/// default; some ask for `internal`).
const INTERFACES: [&str; 3] = ["public", "internal", "admin"];

pub struct Service {
    pub id: String,
    pub kind: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub endpoints: Vec<Endpoint>,
}

pub struct Endpoint {
    pub id: String,
    pub interface: &'static str,
    pub url: String,
}

fn service(
    kind: &'static str,
    name: &'static str,
    description: &'static str,
    url: String,
) -> Service {
    Service {
        id: hex_id(name),
        kind,
        name,
        description,
        endpoints: INTERFACES
            .iter()
            .map(|interface| Endpoint {
                id: hex_id(&format!("{name}-{interface}")),
                interface,
                url: url.clone(),
            })
            .collect(),
    }
}

/// The catalog for a server whose public URL is `public_url`. Ids are derived from names, so
/// they stay the same across restarts and servers.
pub fn services(public_url: &str) -> Vec<Service> {
    vec![
        service(
            "compute",
            "nova",
            "Sitebook's servers and host aggregates, in Nova's v2.1 API.",
            format!("{public_url}/openstack/compute/v2.1"),
        ),
        service(
            "identity",
            "keystone",
            "Sitebook's logins and directory, in Keystone's v3 API.",
            format!("{public_url}/openstack/identity"),
        ),
    ]
}

/// The catalog as a token lists it.
pub fn token_catalog(public_url: &str) -> Value {
    services(public_url)
        .iter()
        .map(|service| {
            let endpoints: Vec<Value> = service
                .endpoints
                .iter()
                .map(|endpoint| {
                    json!({
                        "id": endpoint.id,
                        "interface": endpoint.interface,
                        "region": REGION,
                        "region_id": REGION,
                        "url": endpoint.url,
                    })
                })
                .collect();
            json!({"type": service.kind, "name": service.name, "id": service.id,
                   "endpoints": endpoints})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_unique() {
        let catalog = services("http://h");
        assert_eq!(catalog[0].id, "6e6f7661");
        let mut ids: Vec<&str> = catalog
            .iter()
            .flat_map(|s| {
                std::iter::once(s.id.as_str()).chain(s.endpoints.iter().map(|e| e.id.as_str()))
            })
            .collect();
        let all = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all);
    }
}
