//! Admins managing users from the browser: list, create, change role, disable and enable.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;
use super::grants::GrantForm;
use crate::core::access::User;

/// Every user of the tenant, by name.
#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<User>, FnError> {
    use super::server_context::{actor, fail, store};

    store()?.list_users(&actor().await?).await.map_err(fail)
}

/// A user just made, with the password when the server chose it (shown this once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    pub user: User,
    pub password: Option<String>,
}

/// Creates a user; an empty `password` makes the server choose a strong one.
#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(
    username: String,
    password: String,
    grant: GrantForm,
    csrf: String,
) -> Result<NewUser, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::access::Username;
    use crate::core::random;

    let actor = actor_for_change(&csrf).await?;
    let username = Username::parse(username.trim());
    let grant = grant.grant();
    let chosen = password.is_empty().then(random::password);
    let password = chosen.as_deref().unwrap_or(&password);
    let user = store()?
        .create_user(
            &actor,
            username,
            password,
            grant,
            crate::core::random::id_bits(),
        )
        .await
        .map_err(fail)?;
    Ok(NewUser {
        user,
        password: chosen,
    })
}

/// Changes what a user may do.
#[server(prefix = "/rpc", endpoint = "set_user_grant")]
pub async fn set_user_grant(id: String, grant: GrantForm, csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};

    let actor = actor_for_change(&csrf).await?;
    let grant = grant.grant();
    store()?
        .set_user_grant(&actor, &id, grant)
        .await
        .map_err(fail)
}

/// Disables a user (they are signed out everywhere) or enables them again.
#[server(prefix = "/rpc", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(id: String, disabled: bool, csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};

    let actor = actor_for_change(&csrf).await?;
    store()?
        .set_user_disabled(&actor, &id, disabled)
        .await
        .map_err(fail)
}
