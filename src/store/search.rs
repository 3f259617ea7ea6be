//! Compiles a parsed search into one SQL query. Only the query's shape becomes SQL text; every
//! name, key and value is a bound parameter.
//!
//! Searches (this one and Data Hub's, `stream_search`) run on a pool of their own, of
//! [`SEARCH_CONNECTIONS`], each under a deadline that SQLite's progress handler enforces
//! inside the statement: however slow the searches sent, they hold only these connections and
//! each only so long, and sign-ins, token checks and every other read and write keep the main
//! pool to themselves.

use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, AssertSqlSafe, Sqlite};

use super::db::Engine;
use super::rows::{ResourceRow, select_resources};
use super::{Store, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::error::{Later, ValidationError};
use crate::core::resources::Resource;
use crate::core::search::{Comparison, Literal, Pattern, Query, Term};

/// The connections searches run on, apart from the main pool. Four searches at a time keep
/// both cores of a small server busy; a fifth waits for one of them (at most
/// [`SEARCH_WAIT`](crate::core::search::SEARCH_WAIT), then `search_busy`).
pub const SEARCH_CONNECTIONS: u32 = 4;

/// SQLite virtual-machine instructions between two looks at the clock by the progress
/// handler: microseconds of work, so a search overruns its deadline by about one row's
/// matching at most.
const PROGRESS_STEPS: i32 = 1000;

/// SQLite's result code for a statement stopped by its progress handler (`SQLITE_INTERRUPT`).
const INTERRUPTED: &str = "9";

/// PostgreSQL's for a statement stopped by its `statement_timeout` (`query_canceled`).
const CANCELED: &str = "57014";

/// When the search running on a connection must stop.
#[derive(Clone, Copy)]
pub(super) struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    fn too_slow(&self) -> CoreError {
        CoreError::Invalid(ValidationError::SearchTooSlow {
            limit_ms: u64::try_from(self.limit.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Refuses to go on once the deadline has passed: for work between statements (Data
    /// Hub's matching in Rust), which the progress handler does not see.
    pub(super) fn check(&self) -> Result<(), CoreError> {
        if Instant::now() >= self.at {
            return Err(self.too_slow());
        }
        Ok(())
    }

    /// A statement's error: "too slow" when the progress handler stopped it.
    pub(super) fn error(&self, e: sqlx::Error) -> CoreError {
        match &e {
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some(INTERRUPTED | CANCELED)) =>
            {
                self.too_slow()
            }
            _ => storage(e),
        }
    }

    /// An error from a helper that maps its own statements' errors to storage faults: one
    /// after the deadline is the progress handler's doing.
    pub(super) fn explain(&self, e: CoreError) -> CoreError {
        match e {
            CoreError::Storage(_) if Instant::now() >= self.at => self.too_slow(),
            e => e,
        }
    }
}

/// Runs a search's matching in Rust (Data Hub's query, Nova's name filter) on a blocking thread:
/// it is CPU work between statements, which on the async workers would stall every other
/// request for as long as it ran (a Data Hub search stopped "after 2 seconds" once ran 14,
/// `/health` waiting 12). The work checks the deadline itself, item by item; at most one runs
/// per search connection.
pub(super) async fn off_the_workers<T: Send + 'static>(
    deadline: Deadline,
    work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CoreError::Storage(format!("a search's matching failed: {e}")))?
        .map_err(|e| deadline.explain(e))
}

impl Store {
    /// A search's deadline, from now.
    pub(super) fn search_deadline(&self) -> Deadline {
        let limit = self.search_limits().deadline;
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// A connection of the search pool with this search's deadline installed in SQLite, and
    /// the deadline. Waits for a free connection at most the limits' `wait`, then answers
    /// "busy, try again".
    ///
    /// Every use of the search pool goes through here, so the progress handler a previous
    /// search left on the connection is always replaced before a statement runs.
    pub(super) async fn search_connection(
        &self,
    ) -> Result<(PoolConnection<Sqlite>, Deadline), CoreError> {
        let limits = self.search_limits();
        let mut conn = match tokio::time::timeout(limits.wait, self.searches.acquire()).await {
            Ok(acquired) => acquired.map_err(storage)?,
            Err(_) => {
                return Err(CoreError::TryLater {
                    why: Later::SearchesBusy,
                    retry_after: limits.wait.max(Duration::from_secs(1)),
                });
            }
        };
        let deadline = Deadline {
            at: Instant::now() + limits.deadline,
            limit: limits.deadline,
        };
        let at = deadline.at;
        // sqlx's own hook (`sqlite3_progress_handler` underneath): returning false stops
        // the running statement with SQLITE_INTERRUPT. It runs on the connection's thread.
        conn.lock_handle()
            .await
            .map_err(storage)?
            .set_progress_handler(PROGRESS_STEPS, move || Instant::now() < at);
        Ok((conn, deadline))
    }
}

enum Bind {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

/// A search's SQL in one engine's dialect, with its arguments in order.
struct Sql {
    engine: Engine,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(engine: Engine) -> Self {
        Self {
            engine,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn bind(&mut self, value: Bind) {
        self.binds.push(value);
        match self.engine {
            Engine::Sqlite => self.text.push('?'),
            Engine::Postgres => {
                use std::fmt::Write;
                let _ = write!(self.text, "${}", self.binds.len());
            }
        }
    }

    fn postgres(&self) -> bool {
        self.engine == Engine::Postgres
    }

    fn text(&mut self, value: &str) {
        self.bind(Bind::Text(value.to_owned()));
    }
}

/// `*` becomes LIKE's `%`; LIKE's own `%`, `_` and the escape character are escaped.
fn like(pattern: &Pattern) -> String {
    let mut out = String::with_capacity(pattern.0.len());
    for c in pattern.0.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `<column> = ? COLLATE NOCASE`, or a case-insensitive LIKE when the pattern has a `*`
/// (SQLite's LIKE ignores ASCII case, as PostgreSQL's ILIKE does over "C" text). `column` is
/// text on both engines.
fn matches(sql: &mut Sql, column: &str, pattern: &Pattern) {
    match (pattern.has_wildcard(), sql.postgres()) {
        (true, postgres) => {
            sql.push(column);
            sql.push(if postgres { " ILIKE " } else { " LIKE " });
            sql.bind(Bind::Text(like(pattern)));
            sql.push(" ESCAPE '\\'");
        }
        (false, false) => {
            sql.push(column);
            sql.push(" = ");
            sql.text(&pattern.0);
            sql.push(" COLLATE NOCASE");
        }
        (false, true) => {
            sql.push("lower(");
            sql.push(column);
            sql.push(") = lower(");
            sql.text(&pattern.0);
            sql.push(")");
        }
    }
}

/// A metadata value as text, for a comparison with a text: PostgreSQL keeps it as JSON.
fn meta_text(sql: &Sql) -> &'static str {
    if sql.postgres() {
        "(m.value #>> '{}') COLLATE \"C\""
    } else {
        "m.value"
    }
}

/// A metadata value as a number, for a comparison with a number; the caller has checked the
/// type (PostgreSQL would refuse to cast a string, in whatever order it evaluates).
fn meta_number(sql: &Sql) -> &'static str {
    if sql.postgres() {
        "(CASE WHEN m.value_type IN ('integer', 'float') THEN (m.value)::numeric END)"
    } else {
        "m.value"
    }
}

fn operator(op: Comparison) -> &'static str {
    match op {
        Comparison::Eq => " = ",
        Comparison::Ne => " = ", // negated around the whole comparison
        Comparison::Gt => " > ",
        Comparison::Ge => " >= ",
        Comparison::Lt => " < ",
        Comparison::Le => " <= ",
    }
}

fn compile(query: &Query, tenant: &str, sql: &mut Sql) {
    match query {
        Query::All(parts) | Query::Any(parts) => {
            let joiner = if matches!(query, Query::All(_)) {
                " AND "
            } else {
                " OR "
            };
            sql.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    sql.push(joiner);
                }
                compile(part, tenant, sql);
            }
            sql.push(")");
        }
        Query::Not(inner) => {
            sql.push("NOT (");
            compile(inner, tenant, sql);
            sql.push(")");
        }
        Query::Term(term) => compile_term(term, tenant, sql),
    }
}

fn compile_term(term: &Term, tenant: &str, sql: &mut Sql) {
    match term {
        Term::Name(pattern) => matches(sql, "r.name", pattern),
        Term::Type(kind) => matches(sql, "r.type", &Pattern(kind.clone())),
        Term::Tag { name, value } => {
            // The tag's key is looked up once; each resource is then one primary-key probe.
            // `+r.pk`, an expression rather than the column, keeps SQLite (3.51) from carrying
            // the cursor's `r.pk > ?` over to `v.resource_pk > ?` and probing tag values by
            // that range instead of by the one resource: `tag:Region=APAC` took 2 s over
            // 100,000 resources instead of 2 ms.
            sql.push(
                "EXISTS (SELECT 1 FROM tag_values v WHERE v.resource_pk = +r.pk AND v.tag_pk = \
                 (SELECT pk FROM tags WHERE tenant_id = ",
            );
            sql.text(tenant);
            sql.push(" AND ");
            matches(sql, "name", &Pattern(name.clone()));
            sql.push(")");
            if let Some(value) = value {
                sql.push(" AND ");
                matches(sql, "v.value", value);
            }
            sql.push(")");
        }
        Term::HasMeta(key) => {
            sql.push("EXISTS (SELECT 1 FROM metadata m WHERE m.resource_pk = r.pk AND m.key = ");
            sql.text(key);
            sql.push(")");
        }
        Term::Meta { key, op, value } => {
            sql.push("EXISTS (SELECT 1 FROM metadata m WHERE m.resource_pk = r.pk AND m.key = ");
            sql.text(key);
            sql.push(" AND ");
            if *op == Comparison::Ne {
                sql.push("NOT ");
            }
            sql.push("(");
            match value {
                Literal::Bool(b) if sql.postgres() => {
                    sql.push("m.value_type = 'boolean' AND m.value = to_jsonb(");
                    sql.bind(Bind::Bool(*b));
                    sql.push(")");
                }
                Literal::Bool(b) => {
                    sql.push("m.value_type = 'boolean' AND m.value = ");
                    sql.bind(Bind::Integer(i64::from(*b)));
                }
                Literal::Integer(i) => {
                    sql.push("m.value_type IN ('integer', 'float') AND ");
                    sql.push(meta_number(sql));
                    sql.push(operator(*op));
                    sql.bind(Bind::Integer(*i));
                }
                Literal::Float(f) => {
                    sql.push("m.value_type IN ('integer', 'float') AND ");
                    sql.push(meta_number(sql));
                    sql.push(operator(*op));
                    sql.bind(Bind::Float(*f));
                }
                Literal::Text(text) if matches!(op, Comparison::Eq | Comparison::Ne) => {
                    sql.push("m.value_type = 'string' AND ");
                    let column = meta_text(sql);
                    matches(sql, column, &Pattern(text.clone()));
                }
                Literal::Text(text) => {
                    sql.push("m.value_type = 'string' AND ");
                    sql.push(meta_text(sql));
                    sql.push(operator(*op));
                    sql.text(text);
                }
            }
            sql.push("))");
        }
    }
}

impl Store {
    /// Resources of the actor's tenant matching `query` (all of them for `None`), in creation
    /// order, after the cursor `after`, at most `limit`. Returns each with its cursor.
    pub async fn search(
        &self,
        actor: &Actor,
        query: Option<&Query>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Resource)>, CoreError> {
        actor.require_read()?;
        let rows = match self.db.engine() {
            Engine::Sqlite => {
                let (text, arguments) = search_sql(actor.tenant.as_str(), query, after, limit)?;
                let (mut conn, deadline) = self.search_connection().await?;
                // The text holds only fixed SQL and `?` placeholders, as built by `search_sql`.
                sqlx::query_as_with::<_, ResourceRow, _>(AssertSqlSafe(text), arguments)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(|e| deadline.error(e))?
            }
            Engine::Postgres => {
                let compiled = compile_search(
                    Engine::Postgres,
                    select_resources!("WHERE r.tenant_id = "),
                    actor.tenant.as_str(),
                    query,
                    after,
                    limit,
                );
                self.search_on_postgres(compiled).await?
            }
        };
        rows.into_iter()
            .map(|row| {
                let pk = row.pk;
                row.into_resource().map(|r| (pk, r))
            })
            .collect()
    }
}

/// The search as SQL text (fixed SQL and `?` placeholders only) and its arguments.
fn search_sql(
    tenant: &str,
    query: Option<&Query>,
    after: i64,
    limit: u32,
) -> Result<(String, SqliteArguments), CoreError> {
    search_sql_selecting(
        select_resources!("WHERE r.tenant_id = "),
        tenant,
        query,
        after,
        limit,
    )
}

/// The search with `head` as what it selects, on SQLite: fixed SQL over `resources r` (and
/// its parent `p`) that ends in `WHERE r.tenant_id = `, as [`select_resources`] does. Reads
/// that take more than the rows (an export's pages) select it in the same statement.
pub(super) fn search_sql_selecting(
    head: &'static str,
    tenant: &str,
    query: Option<&Query>,
    after: i64,
    limit: u32,
) -> Result<(String, SqliteArguments), CoreError> {
    let sql = compile_search(Engine::Sqlite, head, tenant, query, after, limit);
    Ok((sql.text, arguments::<Sqlite>(sql.binds)?))
}

/// A compiled search's arguments, for the engine it was compiled for.
fn arguments<DB: sqlx::Database>(binds: Vec<Bind>) -> Result<DB::Arguments, CoreError>
where
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    f64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut arguments = DB::Arguments::default();
    for bind in binds {
        let added = match bind {
            Bind::Text(text) => arguments.add(text),
            Bind::Integer(i) => arguments.add(i),
            Bind::Float(f) => arguments.add(f),
            Bind::Bool(b) => arguments.add(b),
        };
        added.map_err(|e| CoreError::Storage(e.to_string()))?;
    }
    Ok(arguments)
}

/// The search in `engine`'s dialect, after `head` (see [`search_sql_selecting`]).
fn compile_search(
    engine: Engine,
    head: &'static str,
    tenant: &str,
    query: Option<&Query>,
    after: i64,
    limit: u32,
) -> Sql {
    let mut sql = Sql::new(engine);
    sql.push(head);
    sql.text(tenant);
    sql.push(" AND r.pk > ");
    sql.bind(Bind::Integer(after));
    if let Some(query) = query {
        sql.push(" AND ");
        compile(query, tenant, &mut sql);
    }
    sql.push(" ORDER BY r.pk LIMIT ");
    sql.bind(Bind::Integer(i64::from(limit)));
    sql
}

impl Store {
    /// Runs a compiled search on PostgreSQL, under the search deadline as the server's own
    /// `statement_timeout`, set for its transaction alone (a connection given back early
    /// rolls it back, so no other statement inherits it).
    async fn search_on_postgres(&self, sql: Sql) -> Result<Vec<ResourceRow>, CoreError> {
        let crate::store::db::Pool::Postgres(pool) = &self.db else {
            unreachable!("a PostgreSQL search runs on a PostgreSQL store")
        };
        let limits = self.search_limits();
        let deadline = self.search_deadline();
        let mut tx = pool.begin().await.map_err(storage)?;
        // A whole number of milliseconds, which the setting's text takes; not user input.
        let timeout = format!(
            "SET LOCAL statement_timeout = {}",
            limits.deadline.as_millis().max(1)
        );
        sqlx::query(AssertSqlSafe(timeout))
            .execute(&mut *tx)
            .await
            .map_err(storage)?;
        let arguments = arguments::<sqlx::Postgres>(sql.binds)?;
        // The text holds only fixed SQL and `$n` placeholders, as `compile_search` builds.
        let rows = sqlx::query_as_with::<_, ResourceRow, _>(AssertSqlSafe(sql.text), arguments)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| deadline.error(e))?;
        tx.commit().await.map_err(storage)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::core::metadata::{Metadata, MetadataLimits, Precondition};
    use crate::core::resources::{ResourceId, ResourceType};
    use crate::core::search::parse;
    use crate::core::tags::{CorrelationType, TagDraft};
    use crate::store::MetadataTarget;
    use crate::store::testing::{actor_of, admin, each_engine, staff, temp_store};

    /// SQLite (3.51) carried the cursor's `r.pk > ?` over to the tag values' primary key and
    /// scanned each tag's values by that range for every resource: `tag:Region=APAC` over
    /// 100,000 resources took 2 s. Every tag term must probe its values by the one resource.
    #[tokio::test]
    async fn tag_terms_look_up_tag_values_by_the_resource() {
        use sqlx::{AssertSqlSafe, Row};

        let (_dir, store) = temp_store().await;
        for query in [
            "tag:Region=APAC",
            "tag:Region",
            "-tag:Tier=Gold",
            "type:site AND tag:Region=APAC",
            "tag:Region=APAC OR meta.rack_units>=2",
        ] {
            let parsed = parse(query).unwrap();
            let (text, arguments) = super::search_sql("default", parsed.as_ref(), 7, 101).unwrap();
            let plan: Vec<String> = sqlx::query_with(
                AssertSqlSafe(format!("EXPLAIN QUERY PLAN {text}")),
                arguments,
            )
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(3))
            .collect();
            let probes: Vec<&String> = plan.iter().filter(|l| l.contains(" v ")).collect();
            assert!(!probes.is_empty(), "{query}: {plan:?}");
            assert!(
                probes.iter().all(|l| l.contains("resource_pk=?")),
                "{query}: {plan:?}"
            );
        }
    }

    /// Sites with metadata and a Region tag, then each query's matching names.
    #[tokio::test]
    async fn every_kind_of_term_selects_the_right_resources() {
        for (_dir, store) in each_engine().await {
            let region = store
                .create_tag(
                    &admin(),
                    &TagDraft::new("Region", "", "#000000", &["site".into()], None).unwrap(),
                    1,
                )
                .await
                .unwrap();
            let sites = [
                (
                    "router-hq",
                    json!({"is_critical": true, "rack_units": 2, "circuit_id": "AS1"}),
                    Some("APAC"),
                ),
                (
                    "Router 2",
                    json!({"is_critical": false, "rack_units": 4}),
                    Some("EMEA"),
                ),
                (
                    "branch 50%",
                    json!({"rack_units": 1.5, "owner": "Ops_Team"}),
                    Some("APAC"),
                ),
                ("warehouse", json!({"rack_units": "two"}), None),
            ];
            for (i, (name, meta, tag)) in sites.iter().enumerate() {
                let id = ResourceId::parse(&format!("site_{i}")).unwrap();
                let mut body = meta.clone();
                body["name"] = json!(name);
                store
                    .change_metadata(
                        &admin(),
                        MetadataTarget::CreateOrExisting {
                            id: &id,
                            kind: &ResourceType::site(),
                        },
                        &Precondition::Any,
                        move |c| Ok(Metadata::replace(c, &body, MetadataLimits::default())?),
                    )
                    .await
                    .unwrap();
                if let Some(value) = tag {
                    store
                        .set_tag_value(
                            &admin(),
                            &region.id,
                            &id,
                            CorrelationType::Site,
                            value,
                            None,
                        )
                        .await
                        .unwrap();
                }
            }
            let names = |query: &str| {
                let store = store.clone();
                let query = query.to_owned();
                async move {
                    let parsed = parse(&query).unwrap();
                    store
                        .search(&staff(), parsed.as_ref(), 0, 100)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|(_, r)| r.name)
                        .collect::<Vec<_>>()
                }
            };
            let cases: &[(&str, &[&str])] = &[
                ("", &["router-hq", "Router 2", "branch 50%", "warehouse"]),
                ("name:router*", &["router-hq", "Router 2"]),
                ("ROUTER", &["router-hq", "Router 2"]),
                ("name:\"branch 50%\"", &["branch 50%"]),
                ("name:*5*", &["branch 50%"]),
                ("name:*_*", &[]),
                (
                    "type:site",
                    &["router-hq", "Router 2", "branch 50%", "warehouse"],
                ),
                ("type:wan", &[]),
                ("tag:Region=APAC", &["router-hq", "branch 50%"]),
                ("tag:region=apac", &["router-hq", "branch 50%"]),
                ("tag:Region=E*", &["Router 2"]),
                ("tag:Region", &["router-hq", "Router 2", "branch 50%"]),
                ("-tag:Region", &["warehouse"]),
                ("tag:Nope=APAC", &[]),
                ("meta.is_critical=true", &["router-hq"]),
                ("meta.is_critical!=true", &["Router 2"]),
                ("meta.rack_units>=2", &["router-hq", "Router 2"]),
                ("meta.rack_units<2", &["branch 50%"]),
                ("meta.rack_units=1.5", &["branch 50%"]),
                ("meta.rack_units=two", &["warehouse"]),
                ("meta.owner=ops_team", &["branch 50%"]),
                ("meta.owner=Ops*", &["branch 50%"]),
                ("has:meta.circuit_id", &["router-hq"]),
                (
                    "has:tag.Region -meta.is_critical=true",
                    &["Router 2", "branch 50%"],
                ),
                ("tag:Region=APAC AND meta.is_critical=true", &["router-hq"]),
                (
                    "tag:Region=EMEA OR meta.rack_units=two",
                    &["Router 2", "warehouse"],
                ),
                (
                    "(tag:Region=EMEA OR tag:Region=APAC) meta.rack_units>1",
                    &["router-hq", "Router 2", "branch 50%"],
                ),
            ];
            for (query, expected) in cases {
                assert_eq!(names(query).await, *expected, "{query}");
            }
        }
    }

    #[tokio::test]
    async fn results_page_by_cursor_and_stay_in_the_tenant() {
        for (_dir, store) in each_engine().await {
            for n in 0..5u128 {
                store
                    .create_resource(
                        &admin(),
                        &ResourceType::site(),
                        &crate::core::resources::ResourceName::parse(&format!("S{n}")).unwrap(),
                        n,
                    )
                    .await
                    .unwrap();
            }
            let first = store.search(&staff(), None, 0, 3).await.unwrap();
            assert_eq!(first.len(), 3);
            let rest = store.search(&staff(), None, first[2].0, 3).await.unwrap();
            assert_eq!(
                rest.iter()
                    .map(|(_, r)| r.name.as_str())
                    .collect::<Vec<_>>(),
                ["S3", "S4"]
            );
            let other = actor_of("acme", crate::core::access::Role::Staff);
            assert!(store.search(&other, None, 0, 10).await.unwrap().is_empty());
        }
    }

    /// Enough sites that a scan of them runs many thousand SQLite instructions.
    async fn many_sites(store: &crate::store::Store, count: usize) {
        let items: Vec<crate::store::ImportItem> = (0..count)
            .map(|n| crate::store::ImportItem {
                id: ResourceId::parse(&format!("site_{n}")).unwrap(),
                kind: ResourceType::site(),
                metadata: Metadata::from_json(&json!({"name": format!("Site {n:05}")})).unwrap(),
                tags: vec![],
            })
            .collect();
        store
            .import_resources(&admin(), &items, MetadataLimits::default())
            .await
            .unwrap();
    }

    /// A search still running at its deadline is stopped inside SQLite and refused as too slow,
    /// and the connection it ran on serves the next search.
    #[tokio::test]
    async fn a_search_past_its_deadline_is_cut_off() {
        use crate::core::CoreError;
        use crate::core::search::SearchLimits;

        let (_dir, store) = temp_store().await;
        many_sites(&store, 2000).await;
        let query = parse("name:*zz*").unwrap();
        let actor = staff();
        let search = || store.search(&actor, query.as_ref(), 0, 10);
        assert!(search().await.unwrap().is_empty());

        store.set_search_limits(SearchLimits {
            deadline: std::time::Duration::ZERO,
            ..SearchLimits::default()
        });
        for _ in 0..2 {
            match search().await {
                Err(CoreError::Invalid(rule)) => {
                    assert_eq!(rule.code(), "search_too_slow", "{rule}");
                    assert!(rule.to_string().contains("narrow"), "{rule}");
                }
                other => panic!("{other:?}"),
            }
        }

        store.set_search_limits(SearchLimits::default());
        assert!(search().await.unwrap().is_empty());
        let found = store
            .search(&staff(), parse("name:*01999*").unwrap().as_ref(), 0, 10)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
    }

    /// While every connection searches run on is taken, a search waits its turn only so long
    /// and is then told to come back, rather than queueing behind them without end.
    #[tokio::test]
    async fn a_search_waits_for_a_connection_only_so_long() {
        use crate::core::CoreError;
        use crate::core::search::SearchLimits;

        let (_dir, store) = temp_store().await;
        let pool = store.search_pool();
        let mut held = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            held.push(pool.acquire().await.unwrap());
        }
        store.set_search_limits(SearchLimits {
            wait: std::time::Duration::from_millis(50),
            ..SearchLimits::default()
        });
        let waited = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            store.search(&staff(), None, 0, 10),
        )
        .await
        .expect("the search gives up waiting");
        match waited {
            Err(CoreError::TryLater { why, retry_after }) => {
                assert_eq!(why.code(), "search_busy");
                assert!(retry_after >= std::time::Duration::from_secs(1));
            }
            other => panic!("{other:?}"),
        }
        drop(held);
        assert!(store.search(&staff(), None, 0, 10).await.is_ok());
    }

    /// The searches' connections only read: a write through one is refused by SQLite.
    #[tokio::test]
    async fn search_connections_cannot_write() {
        let (_dir, store) = temp_store().await;
        many_sites(&store, 3).await;
        let refused = sqlx::query("DELETE FROM resources")
            .execute(store.search_pool())
            .await;
        assert!(refused.is_err(), "{refused:?}");
        let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM resources")
            .fetch_one(store.search_pool())
            .await
            .unwrap();
        assert_eq!(count, 3);
    }
}
