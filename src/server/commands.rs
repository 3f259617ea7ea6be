//! The `sitebook user …`, `sitebook token …` and `sitebook settings …` commands: thin adapters
//! over the core, run as the operator (see `Actor::operator`); and `sitebook backup` and
//! `sitebook restore`, over the installation's files.

use std::io::BufRead;

use super::config::{SettingsCommand, StorageArgs, TokenCommand, UserCommand};
use crate::core::CoreError;
use crate::core::access::{Actor, Role, TokenLifetime, Username};
use crate::core::random;
use crate::core::resources::ResourceId;
use crate::core::tenancy::{TenantId, TenantSettings};
use crate::store::sqlite::backup;
use crate::store::{Grant, Store};

/// Copies the installation into an archive at `to`, saying on standard error how far it got.
pub async fn backup(
    storage: &StorageArgs,
    to: std::path::PathBuf,
) -> Result<String, Box<dyn std::error::Error>> {
    let from = storage.installation()?;
    let target = to.clone();
    let manifest = tokio::task::spawn_blocking(move || {
        let mut shown = 0;
        backup::make(&from, &target, &mut |done, all| {
            // About every 2 % (and the last), so a large installation does not flood.
            if done == all || done * 50 / all.max(1) > shown {
                shown = done * 50 / all.max(1);
                eprint!("\rfiles copied: {done}/{all}");
                if done == all {
                    eprintln!();
                }
            }
        })
    })
    .await??;
    Ok(format!(
        "Backed up to {}: the database ({} bytes; {} resources, {} change records) and {} \
         stored files ({} bytes).",
        to.display(),
        manifest.database_bytes,
        manifest.rows.get("resources").unwrap_or(&0),
        manifest.rows.get("changes").unwrap_or(&0),
        manifest.files,
        manifest.file_bytes,
    ))
}

/// Brings back the archive at `from`, the server being stopped.
pub async fn restore(
    storage: &StorageArgs,
    from: std::path::PathBuf,
    replace: bool,
) -> Result<String, Box<dyn std::error::Error>> {
    let into = storage.installation()?;
    let archive = from.clone();
    let restored =
        tokio::task::spawn_blocking(move || backup::restore(&archive, &into, replace)).await??;
    let manifest = &restored.manifest;
    let mut said = format!(
        "Restored {} (made {} by {}): {} resources, {} change records, {} stored files ({} \
         bytes); every checksum and row count checked.",
        from.display(),
        manifest.made_at,
        manifest.made_by,
        manifest.rows.get("resources").unwrap_or(&0),
        manifest.rows.get("changes").unwrap_or(&0),
        manifest.files,
        manifest.file_bytes,
    );
    if let Some(replaced) = restored.replaced {
        said.push_str(&format!(
            " The database that was there is kept as {}.",
            replaced.display()
        ));
    }
    Ok(said)
}

fn grant(role: &str, sites: &[String]) -> Result<Grant, CoreError> {
    Ok(Grant {
        role: Role::parse(role)?,
        sites: (!sites.is_empty()).then(|| sites.iter().map(ResourceId::from_path).collect()),
    })
}

/// Runs a user command; what it prints is for the operator's terminal.
pub async fn user(store: &Store, command: UserCommand) -> Result<String, CoreError> {
    match command {
        UserCommand::Create {
            username,
            role,
            sites,
            password_stdin,
            tenant,
        } => {
            let actor = Actor::operator(TenantId::new(tenant));
            let username = Username::parse(&username)?;
            let grant = grant(&role, &sites)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| CoreError::Storage(format!("cannot read standard input: {e}")))?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (random::password(), true)
            };
            let user = store
                .create_user(&actor, &username, &password, &grant, random::id_bits())
                .await?;
            let mut out = format!(
                "Created user {} ({}) with role {}.",
                user.username,
                user.id,
                user.role.as_str()
            );
            if generated {
                out.push_str(&format!("\nPassword (shown only now): {password}"));
            }
            Ok(out)
        }
    }
}

pub async fn token(store: &Store, command: TokenCommand) -> Result<String, CoreError> {
    match command {
        TokenCommand::Create {
            name,
            role,
            sites,
            expires_in_days,
            tenant,
        } => {
            let actor = Actor::operator(TenantId::new(tenant));
            let grant = grant(&role, &sites)?;
            let lifetime = TokenLifetime::days(expires_in_days)?;
            let (token, secret) = store
                .create_token(
                    &actor,
                    &name,
                    &grant,
                    lifetime,
                    random::id_bits(),
                    random::secret(),
                )
                .await?;
            Ok(format!(
                "Created token {} ({}) with role {}{}.\n\
                 Secret (shown only now; send it as 'Authorization: Bearer <secret>'):\n{secret}",
                token.name,
                token.id,
                token.role.as_str(),
                token
                    .expires_at
                    .map(|at| format!(", expiring {}", at.to_rfc3339()))
                    .unwrap_or_default()
            ))
        }
        TokenCommand::Revoke { id, tenant } => {
            store
                .revoke_token(&Actor::operator(TenantId::new(tenant)), &id)
                .await?;
            Ok(format!("Revoked token {id}."))
        }
    }
}

fn describe(settings: &TenantSettings) -> String {
    format!(
        "datahub-auto-define-tags: {}\nnova-metadata-items: {}",
        if settings.datahub_auto_define_tags {
            "on"
        } else {
            "off"
        },
        settings.nova_metadata_items
    )
}

pub async fn settings(store: &Store, command: SettingsCommand) -> Result<String, CoreError> {
    match command {
        SettingsCommand::Show { tenant } => {
            let actor = Actor::operator(TenantId::new(tenant));
            Ok(describe(&store.tenant_settings(&actor).await?))
        }
        SettingsCommand::Set {
            datahub_auto_define_tags,
            nova_metadata_items,
            tenant,
        } => {
            let actor = Actor::operator(TenantId::new(tenant));
            let mut settings = store.tenant_settings(&actor).await?;
            if let Some(auto) = datahub_auto_define_tags {
                settings.datahub_auto_define_tags = auto;
            }
            if let Some(items) = nova_metadata_items {
                settings.nova_metadata_items = items;
            }
            Ok(describe(
                &store.set_tenant_settings(&actor, settings).await?,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ValidationError;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("cli.db")).await.unwrap();
        (dir, store)
    }

    fn create_token(role: &str, sites: &[&str]) -> TokenCommand {
        create_token_for(role, sites, Some(30))
    }

    fn create_token_for(role: &str, sites: &[&str], days: Option<u32>) -> TokenCommand {
        TokenCommand::Create {
            name: "inventory sync".into(),
            role: role.into(),
            sites: sites.iter().map(|s| s.to_string()).collect(),
            expires_in_days: days,
            tenant: "default".into(),
        }
    }

    #[tokio::test]
    async fn a_token_lifetime_outside_one_to_3650_days_is_refused_and_nothing_is_made() {
        let (_dir, store) = store().await;
        for days in [0, 3651] {
            assert!(
                matches!(
                    token(&store, create_token_for("staff", &[], Some(days))).await,
                    Err(CoreError::Invalid(
                        ValidationError::TokenLifetimeInvalid { .. }
                    ))
                ),
                "{days} days"
            );
        }
        let operator = Actor::operator(TenantId::default_tenant());
        assert!(store.list_tokens(&operator).await.unwrap().is_empty());

        let printed = token(&store, create_token_for("staff", &[], Some(3650)))
            .await
            .unwrap();
        assert!(printed.contains("expiring"), "{printed}");
        let unlimited = token(&store, create_token_for("staff", &[], None))
            .await
            .unwrap();
        assert!(!unlimited.contains("expiring"), "{unlimited}");
    }

    #[tokio::test]
    async fn a_created_token_authenticates_until_it_is_revoked() {
        let (_dir, store) = store().await;
        let printed = token(&store, create_token("manager", &[])).await.unwrap();
        let secret = printed.lines().last().unwrap();
        assert!(secret.starts_with("sbk_"), "{printed}");
        assert!(printed.contains("expiring"), "{printed}");
        let actor = store.authenticate_token(secret, None).await.unwrap();
        assert_eq!(actor.role, Role::Manager);

        let revoked = token(
            &store,
            TokenCommand::Revoke {
                id: actor.id.clone(),
                tenant: "default".into(),
            },
        )
        .await
        .unwrap();
        assert!(revoked.contains(&actor.id));
        assert!(store.authenticate_token(secret, None).await.is_err());
    }

    #[tokio::test]
    async fn bad_roles_and_site_limits_are_refused() {
        let (_dir, store) = store().await;
        assert!(matches!(
            token(&store, create_token("root", &[])).await,
            Err(CoreError::Invalid(_))
        ));
        assert!(matches!(
            token(&store, create_token("staff", &["site_a"])).await,
            Err(CoreError::Invalid(_))
        ));
        assert!(matches!(
            token(&store, create_token("manager", &["site_missing"])).await,
            Err(CoreError::NotFound { .. })
        ));
    }

    #[tokio::test]
    async fn the_operator_changes_the_settings_named_and_the_others_stay() {
        let (_dir, store) = store().await;
        let show = || SettingsCommand::Show {
            tenant: "default".into(),
        };
        let set = |auto, items| SettingsCommand::Set {
            datahub_auto_define_tags: auto,
            nova_metadata_items: items,
            tenant: "default".into(),
        };
        let says = |auto: &str, items: u32| {
            format!("datahub-auto-define-tags: {auto}\nnova-metadata-items: {items}")
        };
        assert_eq!(settings(&store, show()).await.unwrap(), says("on", 128));
        assert_eq!(
            settings(&store, set(Some(false), None)).await.unwrap(),
            says("off", 128)
        );
        assert_eq!(
            settings(&store, set(None, Some(64))).await.unwrap(),
            says("off", 64)
        );
        assert!(matches!(
            settings(&store, set(None, Some(0))).await,
            Err(CoreError::Invalid(
                ValidationError::SettingOutOfRange { .. }
            ))
        ));
        assert_eq!(
            settings(&store, set(Some(true), None)).await.unwrap(),
            says("on", 64)
        );
    }

    #[tokio::test]
    async fn a_user_gets_a_generated_password_shown_once() {
        let (_dir, store) = store().await;
        let create = || UserCommand::Create {
            username: "alice".into(),
            role: "admin".into(),
            sites: vec![],
            password_stdin: false,
            tenant: "default".into(),
        };
        let printed = user(&store, create()).await.unwrap();
        let password = printed.rsplit(' ').next().unwrap();
        assert_eq!(password.len(), 40, "{printed}");
        assert!(matches!(
            user(&store, create()).await,
            Err(CoreError::Conflict(..))
        ));
    }
}
