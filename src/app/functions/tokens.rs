//! Admins managing API tokens from the browser: list, create (the secret shown once), change
//! role, revoke.

use std::collections::HashMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::FnError;
use super::grants::GrantForm;
use crate::core::access::ApiToken;

/// The tenant's tokens, newest first, with the names of the people who made them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenListing {
    pub tokens: Vec<ApiToken>,
    pub names: HashMap<String, String>,
    /// The server's clock when listed: which tokens have expired is decided by it, so the
    /// page and its hydration agree.
    pub now: chrono::DateTime<chrono::Utc>,
}

#[server(prefix = "/rpc", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<TokenListing, FnError> {
    use super::server_context::{actor, fail, store};

    let actor = actor().await?;
    let store = store()?;
    let tokens = store.list_tokens(&actor).await.map_err(fail)?;
    let names = store.principal_names(&actor).await.map_err(fail)?;
    Ok(TokenListing {
        tokens,
        names,
        now: chrono::Utc::now(),
    })
}

/// A token just made, with its secret: the only time anyone sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Creates a token. `expires_in_days` is the form's text: empty, or whole days.
#[server(prefix = "/rpc", endpoint = "create_token")]
pub async fn create_token(
    name: String,
    grant: GrantForm,
    expires_in_days: String,
    csrf: String,
) -> Result<NewToken, FnError> {
    use super::server_context::{actor_for_change, fail, store};
    use crate::core::access::TokenLifetime;
    use crate::core::random;

    let actor = actor_for_change(&csrf).await?;
    let grant = grant.grant();
    let lifetime = TokenLifetime::parse(&expires_in_days);
    let (token, secret) = store()?
        .create_token(
            &actor,
            &name,
            grant,
            lifetime,
            crate::core::random::id_bits(),
            random::secret(),
        )
        .await
        .map_err(fail)?;
    Ok(NewToken { token, secret })
}

/// Changes what a token may do, at once.
#[server(prefix = "/rpc", endpoint = "set_token_grant")]
pub async fn set_token_grant(id: String, grant: GrantForm, csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};

    let actor = actor_for_change(&csrf).await?;
    let grant = grant.grant();
    store()?
        .set_token_grant(&actor, &id, grant)
        .await
        .map_err(fail)
}

/// Revokes a token: it stops working at once.
#[server(prefix = "/rpc", endpoint = "revoke_token")]
pub async fn revoke_token(id: String, csrf: String) -> Result<(), FnError> {
    use super::server_context::{actor_for_change, fail, store};

    let actor = actor_for_change(&csrf).await?;
    store()?.revoke_token(&actor, &id).await.map_err(fail)
}
