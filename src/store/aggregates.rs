//! Nova's host aggregates: resources of type `openstack.aggregate` with an integer id (the
//! `aggregates` table) and a list of hosts (`aggregate_hosts`). Their name and metadata are the
//! resource's, written through the metadata writer like any other metadata, so they show in
//! the history and through every face. Every call is an admin's, as in Nova.

use super::db::{Conn, Sql, sql};
use super::{MetadataTarget, Store, changes, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::metadata::{Metadata, MetadataLimits, Precondition};
use crate::core::openstack::{
    AGGREGATE_TYPE, Aggregate, AggregateName, AvailabilityZone, HostName, MetadataUpdate,
    ZoneHosts, check_deletion, check_host_addition, check_host_removal, check_host_zone,
    new_aggregate_metadata, update_aggregate_metadata,
};
use crate::core::resources::{ResourceId, ResourceType};
use crate::store::unchecked::Unchecked;

fn aggregate_type() -> ResourceType {
    ResourceType::parse(AGGREGATE_TYPE).expect("the aggregate type is a valid type")
}

fn missing(number: i64) -> CoreError {
    CoreError::NotFound {
        what: "aggregate",
        id: number.to_string(),
    }
}

/// A new aggregate's resource id: a UUID (version 4 in form) from 128 random bits.
fn uuid_of(random: u128) -> ResourceId {
    let bits = (random & !(0xf000 << 64) | (0x4000 << 64)) & !(0xc << 60) | (0x8 << 60);
    let hex = format!("{bits:032x}");
    ResourceId::from_path(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// The aggregate `number` of the tenant: its id and its resource's id.
async fn find(mut conn: Conn<'_>, actor: &Actor, number: i64) -> Result<(i64, String), CoreError> {
    conn.query(sql!(
        "SELECT a.id, r.id FROM aggregates a JOIN resources r ON r.pk = a.resource_pk \
         WHERE a.id = ? AND r.tenant_id = ? AND r.type = ?"
    ))
    .bind(number)
    .bind(actor.tenant.as_str())
    .bind(AGGREGATE_TYPE)
    .fetch_optional(&mut conn)
    .await
    .map_err(storage)?
    .ok_or_else(|| missing(number))
}

async fn hosts_of(mut conn: Conn<'_>, number: i64) -> Result<Vec<String>, CoreError> {
    conn.query(Sql::each(
        "SELECT host FROM aggregate_hosts WHERE aggregate_id = ? ORDER BY rowid",
        "SELECT host FROM aggregate_hosts WHERE aggregate_id = $1 ORDER BY seq",
    ))
    .bind(number)
    .fetch_column(&mut conn)
    .await
    .map_err(storage)
}

/// The availability zones of the aggregates of `actor`'s tenant that hold `host`, other than
/// `number`, and the zone of `number` itself.
async fn zones(
    mut conn: Conn<'_>,
    actor: &Actor,
    number: i64,
    host: &HostName,
) -> Result<(Option<String>, Vec<String>), CoreError> {
    macro_rules! own_zone {
        ($zone:literal, $param:literal) => {
            concat!(
                "SELECT ",
                $zone,
                " FROM aggregates a JOIN resources r ON r.pk = a.resource_pk \
                 JOIN metadata m ON m.resource_pk = r.pk AND m.key = 'availability_zone' \
                 WHERE a.id = ",
                $param
            )
        };
    }
    let own: Option<(String,)> = conn
        .query(Sql::each(
            own_zone!("CAST(m.value AS TEXT)", "?"),
            own_zone!("m.value #>> '{}'", "$1"),
        ))
        .bind(number)
        .fetch_optional(&mut conn)
        .await
        .map_err(storage)?;
    macro_rules! other_zones {
        ($zone:literal) => {
            concat!(
                "SELECT ",
                $zone,
                " FROM aggregate_hosts h JOIN aggregates a ON a.id = h.aggregate_id \
                 JOIN resources r ON r.pk = a.resource_pk \
                 JOIN metadata m ON m.resource_pk = r.pk AND m.key = 'availability_zone' \
                 WHERE h.host = ? AND r.tenant_id = ? AND a.id != ?"
            )
        };
    }
    let others: Vec<(String,)> = conn
        .query(Sql::each(
            other_zones!("CAST(m.value AS TEXT)"),
            sql!(other_zones!("m.value #>> '{}'")).postgres(),
        ))
        .bind(host.as_str())
        .bind(actor.tenant.as_str())
        .bind(number)
        .fetch_all(&mut conn)
        .await
        .map_err(storage)?;
    Ok((
        own.map(|(zone,)| zone),
        others.into_iter().map(|(zone,)| zone).collect(),
    ))
}

impl Store {
    /// Gives every aggregate of the tenant that has none its integer id (one made through
    /// another face, or whose create stopped between its two steps).
    async fn number_aggregates(&self, actor: &Actor) -> Result<(), CoreError> {
        macro_rules! unnumbered {
            () => {
                "FROM resources r WHERE r.tenant_id = ? AND r.type = ? \
                 AND NOT EXISTS (SELECT 1 FROM aggregates a WHERE a.resource_pk = r.pk)"
            };
        }
        let unnumbered: i64 = self
            .db
            .query(sql!(concat!("SELECT count(*) ", unnumbered!())))
            .bind(actor.tenant.as_str())
            .bind(AGGREGATE_TYPE)
            .fetch_scalar(&self.db)
            .await
            .map_err(storage)?;
        if unnumbered == 0 {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        conn.query(sql!(concat!(
            "INSERT INTO aggregates (resource_pk) SELECT r.pk ",
            unnumbered!(),
            " ORDER BY r.pk"
        )))
        .bind(actor.tenant.as_str())
        .bind(AGGREGATE_TYPE)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        tx.commit().await.map_err(storage)
    }

    async fn load_aggregate(&self, actor: &Actor, number: i64) -> Result<Aggregate, CoreError> {
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let (number, id) = find(pooled.conn(), actor, number).await?;
        let hosts = hosts_of(pooled.conn(), number).await?;
        drop(pooled);
        let record = self
            .read_metadata(actor, &ResourceId::from_path(id))
            .await
            .map_err(|e| match e {
                CoreError::NotFound { .. } => missing(number),
                other => other,
            })?;
        Ok(Aggregate {
            number,
            record,
            hosts,
        })
    }

    /// Every host aggregate of the tenant, by id.
    pub async fn list_aggregates(&self, actor: &Actor) -> Result<Vec<Aggregate>, CoreError> {
        actor.require_admin()?;
        self.number_aggregates(actor).await?;
        let numbers: Vec<i64> = self
            .db
            .query(sql!(
                "SELECT a.id FROM aggregates a JOIN resources r ON r.pk = a.resource_pk \
                 WHERE r.tenant_id = ? AND r.type = ? ORDER BY a.id"
            ))
            .bind(actor.tenant.as_str())
            .bind(AGGREGATE_TYPE)
            .fetch_column(&self.db)
            .await
            .map_err(storage)?;
        let mut aggregates = Vec::with_capacity(numbers.len());
        for number in numbers {
            match self.load_aggregate(actor, number).await {
                Ok(aggregate) => aggregates.push(aggregate),
                // Deleted since the list was read.
                Err(CoreError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(aggregates)
    }

    /// The availability zones the tenant's aggregates make, each with its hosts (Nova's
    /// `os-availability-zone`). Anyone who reads may see them, as in Nova; the aggregates
    /// themselves stay the admins'.
    pub async fn availability_zones(&self, actor: &Actor) -> Result<Vec<ZoneHosts>, CoreError> {
        actor.require_read()?;
        macro_rules! zone_hosts {
            ($zone:literal) => {
                concat!(
                    "SELECT h.host, ",
                    $zone,
                    " FROM aggregate_hosts h \
                     JOIN aggregates a ON a.id = h.aggregate_id \
                     JOIN resources r ON r.pk = a.resource_pk \
                     LEFT JOIN metadata m ON m.resource_pk = r.pk AND m.key = 'availability_zone' \
                     WHERE r.tenant_id = ? AND r.type = ?"
                )
            };
        }
        let rows: Vec<(String, Option<String>)> = self
            .db
            .query(Sql::each(
                zone_hosts!("CAST(m.value AS TEXT)"),
                sql!(zone_hosts!("m.value #>> '{}'")).postgres(),
            ))
            .bind(actor.tenant.as_str())
            .bind(AGGREGATE_TYPE)
            .fetch_all(&self.db)
            .await
            .map_err(storage)?;
        Ok(ZoneHosts::of_hosts(rows))
    }

    /// One host aggregate by its integer id.
    pub async fn get_aggregate(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
    ) -> Result<Aggregate, CoreError> {
        actor.require_admin()?;
        let number = number.check()?;
        self.load_aggregate(actor, number).await
    }

    /// Creates a host aggregate named `name`, in `zone` when one is given; another aggregate
    /// of the same name (ignoring case) is a conflict.
    pub async fn create_aggregate(
        &self,
        actor: &Actor,
        name: Unchecked<AggregateName>,
        zone: Unchecked<Option<AvailabilityZone>>,
        random: u128,
        limits: MetadataLimits,
    ) -> Result<Aggregate, CoreError> {
        actor.require_admin()?;
        let (name, zone) = (name.check()?, zone.check()?);
        let id = uuid_of(random);
        let kind = aggregate_type();
        let document = new_aggregate_metadata(&name, zone.as_ref());
        self.change_metadata(
            actor,
            MetadataTarget::CreateOrExisting {
                id: &id,
                kind: &kind,
            },
            &Precondition::Any,
            move |_| Ok(Metadata::replace(None, &document, limits)?),
        )
        .await?;
        self.number_aggregates(actor).await?;
        let number: i64 = self
            .db
            .query(sql!(
                "SELECT a.id FROM aggregates a JOIN resources r ON r.pk = a.resource_pk \
                 WHERE r.tenant_id = ? AND r.id = ?"
            ))
            .bind(actor.tenant.as_str())
            .bind(id.as_str())
            .fetch_scalar(&self.db)
            .await
            .map_err(storage)?;
        self.load_aggregate(actor, number).await
    }

    /// Renames an aggregate and changes its metadata (its zone among it) by the core's rule
    /// ([`update_aggregate_metadata`]): Nova's update and `set_metadata`.
    pub async fn change_aggregate(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
        rename: Unchecked<Option<AggregateName>>,
        update: MetadataUpdate,
        limits: MetadataLimits,
    ) -> Result<Aggregate, CoreError> {
        actor.require_admin()?;
        let (number, rename) = (number.check()?, rename.check()?);
        let aggregate = self.load_aggregate(actor, number).await?;
        let id = aggregate.record.resource.id;
        self.change_metadata(
            actor,
            MetadataTarget::Existing(&id),
            &Precondition::Any,
            move |current| {
                let current = current.cloned().unwrap_or_default();
                Ok(update_aggregate_metadata(
                    &current,
                    &update,
                    rename.as_ref(),
                    limits,
                )?)
            },
        )
        .await
        .map_err(|e| match e {
            CoreError::NotFound { .. } => missing(number),
            other => other,
        })?;
        self.load_aggregate(actor, number).await
    }

    /// Adds a host to an aggregate (once, and not while it is in another availability zone),
    /// with a change record on the aggregate.
    pub async fn add_aggregate_host(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
        host: Unchecked<HostName>,
    ) -> Result<Aggregate, CoreError> {
        self.change_hosts(actor, number, host, true).await
    }

    /// Removes a host the aggregate has, with a change record on the aggregate.
    pub async fn remove_aggregate_host(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
        host: Unchecked<HostName>,
    ) -> Result<Aggregate, CoreError> {
        self.change_hosts(actor, number, host, false).await
    }

    async fn change_hosts(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
        host: Unchecked<HostName>,
        add: bool,
    ) -> Result<Aggregate, CoreError> {
        actor.require_admin()?;
        let (number, host) = (number.check()?, host.check()?);
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let (number, id) = find(conn.reborrow(), actor, number).await?;
        let hosts = hosts_of(conn.reborrow(), number).await?;
        let value = Some(serde_json::Value::from(host.as_str()));
        let (action, old, new) = if add {
            check_host_addition(number, &hosts, &host)?;
            let (zone, host_zones) = zones(conn.reborrow(), actor, number, &host).await?;
            check_host_zone(number, zone.as_deref(), &host_zones)?;
            conn.query(sql!(
                "INSERT INTO aggregate_hosts (aggregate_id, host, added_at) VALUES (?, ?, ?)"
            ))
            .bind(number)
            .bind(host.as_str())
            .bind(now)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
            (Action::HostAdd, None, value)
        } else {
            check_host_removal(number, &hosts, &host)?;
            conn.query(sql!(
                "DELETE FROM aggregate_hosts WHERE aggregate_id = ? AND host = ?"
            ))
            .bind(number)
            .bind(host.as_str())
            .execute(&mut conn)
            .await
            .map_err(storage)?;
            (Action::HostRemove, value, None)
        };
        changes::append(conn, actor, &id, action, host.as_str(), old, new, now).await?;
        tx.commit().await.map_err(storage)?;
        self.load_aggregate(actor, number).await
    }

    /// Deletes an aggregate without hosts; its id is never given to another.
    pub async fn delete_aggregate(
        &self,
        actor: &Actor,
        number: Unchecked<i64>,
    ) -> Result<(), CoreError> {
        actor.require_admin()?;
        let number = number.check()?;
        let aggregate = self.load_aggregate(actor, number).await?;
        check_deletion(&aggregate.hosts)?;
        self.delete_resource(
            actor,
            &aggregate_type(),
            &aggregate.record.resource.id,
            None,
        )
        .await
        .map_err(|e| match e {
            CoreError::NotFound { .. } => missing(number),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::{Clash, ValidationError};
    use crate::store::testing::{admin, each_engine, manager};

    fn name(s: &str) -> Unchecked<AggregateName> {
        AggregateName::parse(s).into()
    }

    fn zone(s: Option<&str>) -> Unchecked<Option<AvailabilityZone>> {
        s.map(AvailabilityZone::parse).transpose().into()
    }

    fn host(s: &str) -> Unchecked<HostName> {
        HostName::parse(s).into()
    }

    #[test]
    fn new_aggregate_ids_are_uuids() {
        let id = uuid_of(u128::MAX);
        assert_eq!(id.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_of(0).as_str(), "00000000-0000-4000-8000-000000000000");
    }

    #[tokio::test]
    async fn aggregates_get_ids_never_reused_and_only_admins_touch_them() {
        for (_dir, store) in each_engine().await {
            let limits = MetadataLimits::default();
            let first = store
                .create_aggregate(&admin(), name("rack-a"), zone(Some("london")), 1, limits)
                .await
                .unwrap();
            assert_eq!(first.number, 1);
            assert_eq!(first.availability_zone().as_deref(), Some("london"));
            let taken = store
                .create_aggregate(&admin(), name("RACK-A"), zone(None), 2, limits)
                .await
                .unwrap_err();
            assert!(
                matches!(taken, CoreError::Conflict(Clash::NameTaken, _)),
                "{taken:?}"
            );
            store
                .delete_aggregate(&admin(), first.number.into())
                .await
                .unwrap();
            let second = store
                .create_aggregate(&admin(), name("rack-a"), zone(None), 3, limits)
                .await
                .unwrap();
            assert_eq!(second.number, 2, "the deleted aggregate's id is not reused");
            assert!(matches!(
                store.get_aggregate(&admin(), 1.into()).await,
                Err(CoreError::NotFound { .. })
            ));
            for refused in [
                store.list_aggregates(&manager()).await.map(|_| ()),
                store.get_aggregate(&manager(), 2.into()).await.map(|_| ()),
                store
                    .add_aggregate_host(&manager(), 2.into(), host("h1"))
                    .await
                    .map(|_| ()),
            ] {
                assert!(matches!(refused, Err(CoreError::Forbidden(_))));
            }
        }
    }

    #[tokio::test]
    async fn hosts_are_added_once_removed_when_there_and_block_deletion() {
        for (_dir, store) in each_engine().await {
            let limits = MetadataLimits::default();
            let created = store
                .create_aggregate(&admin(), name("agg"), zone(None), 1, limits)
                .await
                .unwrap();
            let n = created.number;
            let with = store
                .add_aggregate_host(&admin(), n.into(), host("h1"))
                .await
                .unwrap();
            assert_eq!(with.hosts, ["h1"]);
            assert!(matches!(
                store
                    .add_aggregate_host(&admin(), n.into(), host("h1"))
                    .await,
                Err(CoreError::Conflict(..))
            ));
            assert!(matches!(
                store.delete_aggregate(&admin(), n.into()).await,
                Err(CoreError::Invalid(ValidationError::AggregateNotEmpty))
            ));
            assert!(matches!(
                store
                    .remove_aggregate_host(&admin(), n.into(), host("h2"))
                    .await,
                Err(CoreError::NotFound { what: "host", .. })
            ));
            let without = store
                .remove_aggregate_host(&admin(), n.into(), host("h1"))
                .await
                .unwrap();
            assert!(without.hosts.is_empty());
            let history = store
                .list_changes(&admin(), &created.record.resource.id, 0, 10)
                .await
                .unwrap();
            assert!(history.iter().any(|c| c.action == Action::HostAdd));
            assert!(history.iter().any(|c| c.action == Action::HostRemove));
            store.delete_aggregate(&admin(), n.into()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_change_renames_and_merges_metadata_keeping_the_zone() {
        for (_dir, store) in each_engine().await {
            let limits = MetadataLimits::default();
            let created = store
                .create_aggregate(&admin(), name("agg"), zone(Some("london")), 1, limits)
                .await
                .unwrap();
            let n = created.number;
            let changed = store
                .change_aggregate(
                    &admin(),
                    n.into(),
                    AggregateName::parse("agg2").map(Some).into(),
                    vec![
                        ("ssd".to_owned(), Some("true".to_owned())),
                        ("availability_zone".to_owned(), Some("paris".to_owned())),
                    ],
                    limits,
                )
                .await
                .unwrap();
            assert_eq!(changed.name(), "agg2");
            assert_eq!(changed.availability_zone().as_deref(), Some("paris"));
            assert!(changed.record.resource.updated_at >= created.record.resource.updated_at);
            let blanked = store
                .change_aggregate(
                    &admin(),
                    n.into(),
                    Ok(None).into(),
                    vec![("availability_zone".to_owned(), None)],
                    limits,
                )
                .await;
            assert!(matches!(
                blanked,
                Err(CoreError::Invalid(
                    ValidationError::AvailabilityZoneRequired
                ))
            ));
        }
    }
}
