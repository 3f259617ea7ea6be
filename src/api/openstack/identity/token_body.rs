//! The token body Keystone answers a login and a validation with, built from an issued token:
//! what keystoneauth reads (user, project, roles, catalog, expiry) and nothing Sitebook lacks.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::catalog::token_catalog;
use super::login::{DOMAIN_ID, DOMAIN_NAME, Method};
use super::roles::{keystone_roles, reference};
use crate::core::access::{AccessPrincipal, AccessToken};
use crate::core::openstack::user_id_of;

/// Keystone's timestamps: microseconds and a `Z`.
fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `{"token": …}` for `token`. `base_url` is the server's public URL; `catalog` is false for
/// `?nocatalog`; `rescoped` when it was issued for another token (the `token` method), which
/// Keystone reports before the method the first was issued for.
pub fn token_body(token: &AccessToken, base_url: &str, catalog: bool, rescoped: bool) -> Value {
    let domain = json!({"id": DOMAIN_ID, "name": DOMAIN_NAME});
    let method = match token.principal {
        AccessPrincipal::User { .. } => Method::Password,
        AccessPrincipal::ApiToken { .. } => Method::ApplicationCredential,
    };
    let roles: Vec<Value> = keystone_roles(token.actor.role)
        .iter()
        .map(|name| reference(name))
        .collect();
    let methods = if rescoped {
        vec![Method::Token.as_str(), method.as_str()]
    } else {
        vec![method.as_str()]
    };
    let mut body = json!({
        "methods": methods,
        "user": {
            "id": user_id_of(token.principal.id()),
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
        body["application_credential"] =
            json!({"id": user_id_of(id), "name": name, "restricted": true});
    }
    if catalog {
        body["catalog"] = token_catalog(base_url);
    }
    json!({ "token": body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::access::{Actor, CreatorType, Role, SiteScope};
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
                change: crate::core::change_sets::ChangeOrigin::fresh(
                    crate::core::change_sets::Via::Nova,
                ),
            },
            principal,
            tenant_name: "Default".into(),
            issued_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            expires_at: DateTime::from_timestamp(1_800_003_600, 0).unwrap(),
            audit_id: "abc".into(),
        }
    }

    #[test]
    fn a_password_token_has_what_keystoneauth_reads() {
        let alice = AccessPrincipal::User {
            id: "usr_1".into(),
            username: "alice".into(),
        };
        let body =
            token_body(&token(Role::Manager, alice), "http://h", true, false)["token"].clone();
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
        let body = token_body(&token(Role::Staff, ci), "http://h", false, false)["token"].clone();
        assert_eq!(body["methods"], json!(["application_credential"]));
        assert_eq!(body["application_credential"]["id"], "tok-1");
        assert!(body.get("catalog").is_none());
    }
}
