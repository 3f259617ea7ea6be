//! Sitebook's roles in Keystone's names, for every answer that shows a role: the token body,
//! role assignments. One mapping, so a token and the assignments never disagree.

use serde_json::{Value, json};

use crate::core::access::Role;

/// The Keystone roles a Sitebook role is reported as. Keystone's default roles imply one
/// another (admin → member → reader) and tokens list the implied ones too, so policy written
/// for any of them reads the same: staff read (`reader`), managers also write (`member`),
/// admins also administer (`admin`). Sitebook's own rules decide every call regardless.
/// The first is the role assigned; the rest are what it implies.
pub fn keystone_roles(role: Role) -> &'static [&'static str] {
    match role {
        Role::Staff => &["reader"],
        Role::Manager => &["member", "reader"],
        Role::Admin => &["admin", "member", "reader"],
    }
}

/// A stable id for a fixed name (a role, a catalog entry): its bytes in hex, as Keystone's
/// ids are hex.
pub fn hex_id(name: &str) -> String {
    name.bytes().map(|b| format!("{b:02x}")).collect()
}

/// `{"id", "name"}` of a Keystone role.
pub fn reference(name: &str) -> Value {
    json!({"id": hex_id(name), "name": name})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_reports_the_keystone_roles_it_implies() {
        assert_eq!(keystone_roles(Role::Staff), ["reader"]);
        assert_eq!(keystone_roles(Role::Manager), ["member", "reader"]);
        assert_eq!(keystone_roles(Role::Admin), ["admin", "member", "reader"]);
    }

    #[test]
    fn a_role_s_id_is_its_name_in_hex() {
        assert_eq!(
            reference("admin"),
            json!({"id": "61646d696e", "name": "admin"})
        );
    }
}
