//! Seeds the web UI benchmark: one heavy site (200 keys, 50 tags, 500 files) among the sites
//! `seed` made, and a signed-in session whose cookie the script sends with wrk.

use std::path::Path;

use serde_json::{Map, Value};
use sitebook::core::access::{Actor, Role, Username};
use sitebook::core::metadata::{MetadataLimits, Precondition};
use sitebook::core::resources::ResourceId;
use sitebook::core::tags::{CorrelationType, TagDraft};
use sitebook::core::tenancy::TenantId;
use sitebook::store::blobs::{BlobStore, BlobUpload};
use sitebook::store::{Grant, MetadataTarget, NewFile};

const PASSWORD: &str = "bench-password-not-secret";

pub async fn run(data_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let store = super::open(data_dir).await?;
    let tenant = TenantId::default_tenant();
    let operator = Actor::operator(tenant.clone());
    let site = ResourceId::parse(&super::resource_id(1))?;

    let mut keys = Map::new();
    for k in 0..200 {
        let value = match k % 3 {
            0 => Value::from(format!("value {k} of the heavy site")),
            1 => Value::from(k as i64 * 7),
            _ => Value::from(k % 2 == 0),
        };
        keys.insert(format!("key_{k:03}"), value);
    }
    let keys = Value::Object(keys);
    let limits = MetadataLimits::default();
    store
        .change_metadata(
            &operator,
            MetadataTarget::Existing(&site),
            &Precondition::Any,
            move |current| Ok(current.cloned().unwrap_or_default().merge(&keys, limits)?),
        )
        .await?;

    // The site already carries the 3 tags `seed` defines; 47 more make 50.
    for t in 0..47u128 {
        let draft = TagDraft::new(
            &format!("Page tag {t:02}"),
            "",
            "#2457c5",
            &["site".into()],
            None,
        )?;
        let tag = store.create_tag(&operator, &draft, 1_000 + t).await?;
        store
            .set_tag_value(
                &operator,
                &tag.id,
                &site,
                CorrelationType::Site,
                &format!("v{t}"),
                None,
            )
            .await?;
    }

    for f in 0..500u128 {
        let mut upload = store.blobs().begin_upload(1 << 20).await?;
        upload
            .write(format!("Note {f}: patch panel B, ports 1-24.").as_bytes())
            .await
            .map_err(|e| format!("{e:?}"))?;
        let new = NewFile {
            name: format!("note-{f:03}.txt"),
            kind: None,
            description: String::new(),
        };
        store
            .add_file(&operator, &site, new, upload, 10_000 + f)
            .await?;
    }

    let username = Username::parse("bench-staff")?;
    let grant = Grant {
        role: Role::Staff,
        sites: None,
    };
    store
        .create_user(&operator, &username, PASSWORD, &grant, 77)
        .await?;
    let (secret, _) = store
        .sign_in(&tenant, "bench-staff", PASSWORD, None, [7; 32], [9; 32])
        .await?;
    std::fs::write(
        data_dir.join("bench-cookie"),
        format!("sitebook_session={secret}"),
    )?;
    println!("PAGE_SEED site={site} keys=200 tags=50 files=500");
    Ok(())
}
