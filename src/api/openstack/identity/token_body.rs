//! The token body Keystone answers a login and a validation with, built from an issued token:
//! what keystoneauth reads (user, project, roles, catalog, expiry) and nothing Sitebook lacks.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::login::{DOMAIN_ID, DOMAIN_NAME, Method};
use crate::core::access::{AccessPrincipal, AccessToken, Role};

/// The Keystone roles a Sitebook role is reported as. Keystone's default roles imply one
/// another (admin → member → reader) and tokens list the implied ones too, so policy written
/// for any of them reads the same: staff read (`reader`), managers also write (`member`),
/// admins also administer (`admin`). Sitebook's own rules decide every call regardless.
pub fn keystone_roles(role: Role) -> &'static [&'static str] {
    match role {
        Role::Staff => &["reader"],
        Role::Manager => &["member", "reader"],
        Role::Admin => &["admin", "member", "reader"],
    }
}

/// A stable id for a fixed name (a role, a catalog entry): its bytes in hex, as Keystone's
/// ids are hex.
fn hex_id(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Keystone's timestamps: microseconds and a `Z`.
fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// One catalog service with the same URL at each interface (clients pick `public` by
/// default; some ask for `internal`).
fn service(kind: &str, name: &str, url: &str) -> Value {
    let endpoints: Vec<Value> = ["public", "internal", "admin"]
        .iter()
        .map(|interface| {
            json!({
                "id": hex_id(&format!("{name}-{interface}")),
                "interface": interface,
                "region": "RegionOne",
                "region_id": "RegionOne",
                "url": url,
            })
        })
        .collect();
    json!({"type": kind, "name": name, "id": hex_id(name), "endpoints": endpoints})
}

/// `{"token": …}` for `token`. `base_url` is the server's public URL; `catalog` is false for
/// `?nocatalog`.
pub fn token_body(token: &AccessToken, base_url: &str, catalog: bool) -> Value {
    let domain = json!({"id": DOMAIN_ID, "name": DOMAIN_NAME});
    let method = match token.principal {
        AccessPrincipal::User { .. } => Method::Password,
        AccessPrincipal::ApiToken { .. } => Method::ApplicationCredential,
    };
    let roles: Vec<Value> = keystone_roles(token.actor.role)
        .iter()
        .map(|name| json!({"id": hex_id(name), "name": name}))
        .collect();
    let mut body = json!({
        "methods": [method.as_str()],
        "user": {
            "id": token.principal.id(),
            "name": token.principal.name(),
            "domain": domain,
            "password_expires_at": null,
        },
        "project": {
            "id": token.actor.tenant.project_id(),
            "name": token.tenant_name,
            "domain": domain,
        },
        "is_domain": false,
        "roles": roles,
        "issued_at": timestamp(token.issued_at),
        "expires_at": timestamp(token.expires_at),
        "audit_ids": [token.audit_id],
    });
    if let AccessPrincipal::ApiToken { id, name } = &token.principal {
        body["application_credential"] = json!({"id": id, "name": name, "restricted": true});
    }
    if catalog {
        body["catalog"] = json!([
            service(
                "compute",
                "nova",
                &format!("{base_url}/openstack/compute/v2.1")
            ),
            service(
                "identity",
                "keystone",
                &format!("{base_url}/openstack/identity")
            ),
        ]);
    }
    json!({ "token": body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{Actor, CreatorType, SiteScope};
    use crate::core::tenancy::TenantId;

    fn token(role: Role, principal: AccessPrincipal) -> AccessToken {
        AccessToken {
            actor: Actor {
                tenant: TenantId::default_tenant(),
                id: principal.id().to_owned(),
                creator_type: CreatorType::User,
                role,
                sites: SiteScope::All,
                request_id: None,
            },
            principal,
            tenant_name: "Default".into(),
            issued_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            expires_at: DateTime::from_timestamp(1_800_003_600, 0).unwrap(),
            audit_id: "abc".into(),
        }
    }

    #[test]
    fn each_role_reports_the_keystone_roles_it_implies() {
        assert_eq!(keystone_roles(Role::Staff), ["reader"]);
        assert_eq!(keystone_roles(Role::Manager), ["member", "reader"]);
        assert_eq!(keystone_roles(Role::Admin), ["admin", "member", "reader"]);
    }

    #[test]
    fn a_password_token_has_what_keystoneauth_reads() {
        let alice = AccessPrincipal::User {
            id: "usr_1".into(),
            username: "alice".into(),
        };
        let body = token_body(&token(Role::Manager, alice), "http://h", true)["token"].clone();
        assert_eq!(body["methods"], json!(["password"]));
        assert_eq!(body["user"]["name"], "alice");
        assert_eq!(body["user"]["domain"]["id"], "default");
        assert_eq!(body["project"]["id"], "64656661756c74");
        assert_eq!(body["project"]["domain"]["name"], "Default");
        assert_eq!(body["expires_at"], "2027-01-15T09:00:00.000000Z");
        assert_eq!(body["roles"][0]["name"], "member");
        assert_eq!(body["catalog"][0]["type"], "compute");
        assert_eq!(
            body["catalog"][0]["endpoints"][0]["url"],
            "http://h/openstack/compute/v2.1"
        );
        assert!(body.get("application_credential").is_none());
    }

    #[test]
    fn an_api_token_login_reports_its_application_credential_and_nocatalog_drops_the_catalog() {
        let ci = AccessPrincipal::ApiToken {
            id: "tok_1".into(),
            name: "ci".into(),
        };
        let body = token_body(&token(Role::Staff, ci), "http://h", false)["token"].clone();
        assert_eq!(body["methods"], json!(["application_credential"]));
        assert_eq!(body["application_credential"]["id"], "tok_1");
        assert!(body.get("catalog").is_none());
    }
}
