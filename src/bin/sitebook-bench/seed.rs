use std::path::Path;
use std::time::Instant;

use serde_json::json;
use sitebook::core::access::{Actor, Role, TokenLifetime};
use sitebook::core::metadata::{Metadata, MetadataLimits};
use sitebook::core::resources::{ResourceId, ResourceType};
use sitebook::core::tags::{TagDraft, TagId};
use sitebook::core::tenancy::TenantId;
use sitebook::store::{Grant, ImportItem, Store};

const BATCH: usize = 5_000;
const REGIONS: [&str; 4] = ["APAC", "EMEA", "AMER", "LATAM"];
const TIERS: [&str; 3] = ["Gold", "Silver", "Bronze"];

async fn tag(
    store: &Store,
    actor: &Actor,
    name: &str,
    allowed: Option<&[&str]>,
    n: u128,
) -> Result<TagId, Box<dyn std::error::Error>> {
    let allowed: Option<Vec<String>> = allowed.map(|a| a.iter().map(|s| s.to_string()).collect());
    let draft = TagDraft::new(name, "", "#336699", &["site".into()], allowed.as_deref())?;
    Ok(store.create_tag(actor, &draft, n).await?.id)
}

/// The nth resource: the full shape (10 keys, 3 tag values) or the light one (3 keys, 1 tag).
fn item(n: usize, full: bool, tags: &[TagId; 3]) -> ImportItem {
    let critical = n.is_multiple_of(4);
    let region = REGIONS[n % REGIONS.len()];
    let metadata = if full {
        json!({
            "name": format!("Site {n:07}"),
            "circuit_id": format!("AS{}-{:05}", 64512 + n % 1000, n),
            "install_date": format!("20{:02}-{:02}-15", 15 + n % 10, 1 + n % 12),
            "is_critical": critical,
            "rack_units": (n % 42) as i64 + 1,
            "contact_person": format!("ops{}@example.net", n % 97),
            "vlan": 100 + (n % 3900) as i64,
            "latitude": -33.8 + (n % 1000) as f64 / 1000.0,
            "location": format!("Level {}, Room {}", n % 20, n % 7),
            "notes": "Patch panel B, ports 1-24; spare optics in cabinet 3.",
        })
    } else {
        json!({
            "name": format!("Site {n:07}"),
            "is_critical": critical,
            "rack_units": (n % 42) as i64 + 1,
        })
    };
    let mut values = vec![(tags[0].clone(), region.to_owned())];
    if full {
        values.push((tags[1].clone(), TIERS[n % TIERS.len()].to_owned()));
        values.push((tags[2].clone(), format!("team-{}", n % 12)));
    }
    ImportItem {
        id: ResourceId::parse(&super::resource_id(n)).expect("bench ids are valid"),
        kind: ResourceType::site(),
        metadata: Metadata::from_json(&metadata).expect("bench metadata is valid"),
        tags: values,
    }
}

pub async fn run(
    data_dir: &Path,
    resources: usize,
    full: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = super::open(data_dir).await?;
    let operator = Actor::operator(TenantId::default_tenant());
    let tags = [
        tag(&store, &operator, "Region", Some(&REGIONS), 1).await?,
        tag(&store, &operator, "Tier", Some(&TIERS), 2).await?,
        tag(&store, &operator, "Owner", None, 3).await?,
    ];
    let started = Instant::now();
    let mut keys = 0usize;
    let mut tag_values = 0usize;
    let mut reported_full = false;
    let mut n = 1;
    while n <= resources {
        let end = (n + BATCH - 1).min(resources);
        let batch: Vec<ImportItem> = (n..=end).map(|i| item(i, i <= full, &tags)).collect();
        keys += batch.iter().map(|i| i.metadata.len()).sum::<usize>();
        tag_values += batch.iter().map(|i| i.tags.len()).sum::<usize>();
        store
            .import_resources(&operator, &batch, MetadataLimits::default())
            .await?;
        n = end + 1;
        if !reported_full && end >= full.min(resources) {
            reported_full = true;
            println!(
                "SEED full resources={} keys={keys} tag_values={tag_values} seconds={:.2}",
                end,
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "SEED all resources={resources} keys={keys} tag_values={tag_values} seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
    let admin = Grant {
        role: Role::Admin,
        sites: None,
    };
    let (_, secret) = store
        .create_token(
            &operator,
            "bench",
            &admin,
            TokenLifetime::UNLIMITED,
            42,
            rand_secret(),
        )
        .await?;
    std::fs::write(data_dir.join("bench-token"), &secret)?;
    store.close().await;
    Ok(())
}

fn rand_secret() -> [u8; 32] {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the OS random source works");
    secret
}
