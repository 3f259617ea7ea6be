use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::FromRow;

use super::db::{Conn, sql};
use super::resources;
use super::rows::ResourceRow;
use super::{Store, changes, check_version, storage};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::core::changes::Action;
use crate::core::error::ValidationError;
use crate::core::files::{FileId, FileKind, SiteFile, display_name, sniff};
use crate::core::resources::{ResourceId, ResourceType};
use crate::core::tenancy::TenantId;
use crate::store::blobs::{BlobStore, BlobUpload, LocalDisk};
use crate::store::unchecked::Unchecked;

/// What the uploader says about a new file (its content type is never among it).
#[derive(Debug, Clone, Default)]
pub struct NewFile {
    pub name: String,
    /// `None`: chosen from the sniffed content type.
    pub kind: Option<Unchecked<FileKind>>,
    pub description: String,
}

/// A change to a file's details; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct FileChange {
    pub name: Option<String>,
    pub kind: Option<FileKind>,
    pub description: Option<String>,
}

#[derive(FromRow)]
struct FileRow {
    pk: i64,
    id: String,
    site_id: String,
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    kind: String,
    description: String,
    uploaded_by: String,
    uploaded_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl FileRow {
    fn into_file(self) -> Result<SiteFile, CoreError> {
        Ok(SiteFile {
            id: FileId::from_path(self.id),
            site_id: ResourceId::from_path(self.site_id),
            name: self.name,
            content_type: self.content_type,
            size: u64::try_from(self.size).map_err(|e| CoreError::Storage(e.to_string()))?,
            sha256: self.sha256,
            kind: FileKind::parse(&self.kind).map_err(|e| CoreError::Storage(e.to_string()))?,
            description: self.description,
            uploaded_by: self.uploaded_by,
            uploaded_at: self.uploaded_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

macro_rules! select_files {
    ($tail:literal) => {
        concat!(
            "SELECT f.pk, f.id, s.id AS site_id, f.name, f.content_type, f.size, f.sha256, \
             f.kind, f.description, f.uploaded_by, f.uploaded_at, f.updated_at, f.version \
             FROM site_files f JOIN resources s ON s.pk = f.site_pk ",
            $tail
        )
    };
}

const MAX_DESCRIPTION_CHARS: usize = 1000;

fn description(raw: &str) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        Err(ValidationError::DescriptionTooLong {
            max: MAX_DESCRIPTION_CHARS,
            actual: chars,
        })
    } else {
        Ok(trimmed.to_owned())
    }
}

async fn find_site<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    site_id: &ResourceId,
) -> Result<ResourceRow, CoreError> {
    resources::find_row(conn, tenant, site_id)
        .await?
        .filter(|row| row.kind() == ResourceType::SITE)
        .ok_or_else(|| CoreError::NotFound {
            what: "site",
            id: site_id.to_string(),
        })
}

async fn find_file<'c>(
    conn: impl Into<Conn<'c>>,
    tenant: &TenantId,
    site_id: &ResourceId,
    file_id: &FileId,
) -> Result<FileRow, CoreError> {
    let mut conn = conn.into();
    conn.query(sql!(select_files!(
        "WHERE f.tenant_id = ? AND s.id = ? AND f.id = ?"
    )))
    .bind(tenant.as_str())
    .bind(site_id.as_str())
    .bind(file_id.as_str())
    .fetch_optional::<FileRow>(&mut conn)
    .await
    .map_err(storage)?
    .ok_or_else(|| CoreError::NotFound {
        what: "file",
        id: file_id.to_string(),
    })
}

/// A file as its change records keep it: enough to show it, and to restore it while its bytes
/// are stored.
pub(super) fn summary(file: &SiteFile) -> serde_json::Value {
    summary_of_fields(
        &file.name,
        file.kind.as_str(),
        &file.description,
        &file.content_type,
        file.size,
        &file.sha256,
    )
}

/// [`summary`] from a file's stored fields.
pub(super) fn summary_of_fields(
    name: &str,
    kind: &str,
    description: &str,
    content_type: &str,
    size: u64,
    sha256: &str,
) -> serde_json::Value {
    json!({
        "name": name,
        "kind": kind,
        "description": description,
        "content_type": content_type,
        "size": size,
        "sha256": sha256,
    })
}

/// A site's file as the metadata writer's transactions need it: its id, its bytes' hash and
/// its [`summary`].
pub(super) struct WriterFile {
    pub(super) id: String,
    pub(super) sha256: String,
    pub(super) summary: serde_json::Value,
}

/// The files of the sites with the keys in `site_pks` (a JSON array), each site's in the order
/// they were added, read on the metadata writer's connection.
pub(super) fn files_in_writer(
    db: &rusqlite::Connection,
    site_pks: &str,
) -> Result<HashMap<i64, Vec<WriterFile>>, CoreError> {
    let mut files: HashMap<i64, Vec<WriterFile>> = HashMap::new();
    let mut statement = db
        .prepare_cached(
            "SELECT site_pk, id, name, kind, description, content_type, size, sha256 \
             FROM site_files WHERE site_pk IN (SELECT value FROM json_each(?)) ORDER BY pk",
        )
        .map_err(super::sqlite::batch::failed)?;
    let mut rows = statement
        .query([site_pks])
        .map_err(super::sqlite::batch::failed)?;
    while let Some(r) = rows.next().map_err(super::sqlite::batch::failed)? {
        let file = (|| {
            let sha256: String = r.get(7)?;
            let size: i64 = r.get(6)?;
            Ok::<_, rusqlite::Error>(WriterFile {
                id: r.get(1)?,
                summary: summary_of_fields(
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                    &r.get::<_, String>(4)?,
                    &r.get::<_, String>(5)?,
                    u64::try_from(size).unwrap_or_default(),
                    &sha256,
                ),
                sha256,
            })
        })()
        .map_err(super::sqlite::batch::failed)?;
        let site: i64 = r.get(0).map_err(super::sqlite::batch::failed)?;
        files.entry(site).or_default().push(file);
    }
    Ok(files)
}

impl Store {
    /// The blob store holding file bytes (for serving downloads).
    pub fn blobs(&self) -> &LocalDisk {
        &self.blobs
    }

    /// Checks, before any bytes are received, that the actor may add files to this site.
    pub async fn authorize_file_write(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
    ) -> Result<(), CoreError> {
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let site = find_site(&mut pooled, &actor.tenant, site_id).await?;
        actor.require_write(site.site().as_ref())
    }

    /// Stores a received upload as a file of the site. The content type is sniffed from the
    /// bytes; a refused upload is dropped, which deletes what was received.
    pub async fn add_file<U: BlobUpload>(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
        new: NewFile,
        upload: U,
        random: u128,
    ) -> Result<SiteFile, CoreError> {
        // Whether the caller writes at all comes before the file is judged; their sites are
        // checked once the site is found.
        actor.require_writer()?;
        let content_type = sniff(upload.head())?;
        let kind = match new.kind {
            Some(kind) => kind.check()?,
            None => FileKind::default_for(content_type),
        };
        if kind == FileKind::Note && content_type != "text/plain" {
            return Err(ValidationError::NoteNotText.into());
        }
        let description = description(&new.description)?;
        let name = display_name(&new.name);
        let now = crate::store::now();
        let id = FileId::mint(random);
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let site = find_site(conn.reborrow(), &actor.tenant, site_id).await?;
        actor.require_write(site.site().as_ref())?;
        let blob = upload.finish().await?;
        let inserted = conn
            .query(sql!(
                "INSERT INTO site_files (tenant_id, id, site_pk, name, content_type, size, \
                 sha256, kind, description, uploaded_by, uploaded_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ))
            .bind(actor.tenant.as_str())
            .bind(id.as_str())
            .bind(site.pk)
            .bind(&name)
            .bind(content_type)
            .bind(blob.size as i64)
            .bind(&blob.sha256)
            .bind(kind.as_str())
            .bind(&description)
            .bind(&actor.id)
            .bind(now)
            .bind(now)
            .execute(&mut conn)
            .await;
        if let Err(e) = inserted {
            drop(tx);
            self.collect_blob(&blob.sha256).await?;
            return Err(storage(e));
        }
        let file = find_file(conn.reborrow(), &actor.tenant, site_id, &id)
            .await?
            .into_file()?;
        changes::append(
            conn,
            actor,
            site_id.as_str(),
            Action::FileAdd,
            id.as_str(),
            None,
            Some(summary(&file)),
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        Ok(file)
    }

    /// A site's files, newest first.
    pub async fn list_files(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
    ) -> Result<Vec<SiteFile>, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let site = find_site(conn.reborrow(), &actor.tenant, site_id).await?;
        conn.query(sql!(select_files!(
            "WHERE f.site_pk = ? ORDER BY f.uploaded_at DESC, f.id"
        )))
        .bind(site.pk)
        .fetch_all::<FileRow>(&mut conn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(FileRow::into_file)
        .collect()
    }

    /// A site's newest `limit` files and how many it has in all: what a page shows first.
    pub async fn recent_files(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
        limit: u32,
    ) -> Result<(Vec<SiteFile>, u64), CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        let mut conn = pooled.conn();
        let site = find_site(conn.reborrow(), &actor.tenant, site_id).await?;
        let files = conn
            .query(sql!(select_files!(
                "WHERE f.site_pk = ? ORDER BY f.uploaded_at DESC, f.id LIMIT ?"
            )))
            .bind(site.pk)
            .bind(i64::from(limit))
            .fetch_all::<FileRow>(&mut conn)
            .await
            .map_err(storage)?
            .into_iter()
            .map(FileRow::into_file)
            .collect::<Result<Vec<_>, _>>()?;
        let total: i64 = conn
            .query(sql!("SELECT COUNT(*) FROM site_files WHERE site_pk = ?"))
            .bind(site.pk)
            .fetch_scalar(&mut conn)
            .await
            .map_err(storage)?;
        Ok((files, total.unsigned_abs()))
    }

    pub async fn get_file(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
        file_id: &FileId,
    ) -> Result<SiteFile, CoreError> {
        actor.require_read()?;
        let mut pooled = self.db.acquire().await.map_err(storage)?;
        find_file(&mut pooled, &actor.tenant, site_id, file_id)
            .await?
            .into_file()
    }

    /// Changes a file's details and, for a note, its text (`content`).
    pub async fn update_file<U: BlobUpload>(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
        file_id: &FileId,
        expected_version: Option<i64>,
        change: &FileChange,
        content: Option<U>,
    ) -> Result<SiteFile, CoreError> {
        if let Some(upload) = &content {
            sniff(upload.head())
                .ok()
                .filter(|t| *t == "text/plain")
                .ok_or(ValidationError::NoteNotText)?;
        }
        let description = change.description.as_deref().map(description).transpose()?;
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let site = find_site(conn.reborrow(), &actor.tenant, site_id).await?;
        actor.require_write(site.site().as_ref())?;
        let row = find_file(conn.reborrow(), &actor.tenant, site_id, file_id).await?;
        check_version("file", row.version, expected_version)?;
        let pk = row.pk;
        let before = row.into_file()?;
        let kind = change.kind.unwrap_or(before.kind);
        if content.is_some() && kind != FileKind::Note {
            return Err(ValidationError::NoteNotText.into());
        }
        if kind == FileKind::Note && before.content_type != "text/plain" {
            return Err(ValidationError::NoteNotText.into());
        }
        let blob = match content {
            Some(upload) => Some(upload.finish().await?),
            None => None,
        };
        conn.query(sql!(
            "UPDATE site_files SET name = ?, kind = ?, description = ?, size = ?, sha256 = ?, \
             updated_at = ?, version = version + 1 WHERE pk = ?"
        ))
        .bind(
            change
                .name
                .as_deref()
                .map_or(before.name.clone(), display_name),
        )
        .bind(kind.as_str())
        .bind(description.unwrap_or(before.description.clone()))
        .bind(blob.as_ref().map_or(before.size, |b| b.size) as i64)
        .bind(blob.as_ref().map_or(&before.sha256, |b| &b.sha256))
        .bind(now)
        .bind(pk)
        .execute(&mut conn)
        .await
        .map_err(storage)?;
        let after = find_file(conn.reborrow(), &actor.tenant, site_id, file_id)
            .await?
            .into_file()?;
        changes::append(
            conn,
            actor,
            site_id.as_str(),
            Action::FileUpdate,
            file_id.as_str(),
            Some(summary(&before)),
            Some(summary(&after)),
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        if before.sha256 != after.sha256 {
            self.collect_blob_after_commit(&before.sha256).await;
        }
        Ok(after)
    }

    pub async fn delete_file(
        &self,
        actor: &Actor,
        site_id: &ResourceId,
        file_id: &FileId,
        expected_version: Option<i64>,
    ) -> Result<(), CoreError> {
        let now = crate::store::now();
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let site = find_site(conn.reborrow(), &actor.tenant, site_id).await?;
        actor.require_write(site.site().as_ref())?;
        let row = find_file(conn.reborrow(), &actor.tenant, site_id, file_id).await?;
        check_version("file", row.version, expected_version)?;
        conn.query(sql!("DELETE FROM site_files WHERE pk = ?"))
            .bind(row.pk)
            .execute(&mut conn)
            .await
            .map_err(storage)?;
        let file = row.into_file()?;
        changes::append(
            conn,
            actor,
            site_id.as_str(),
            Action::FileDelete,
            file_id.as_str(),
            Some(summary(&file)),
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(storage)?;
        self.collect_blob_after_commit(&file.sha256).await;
        Ok(())
    }

    /// [`Self::collect_blob`] once the change that let the blob go is committed: that change is
    /// done and must be answered so, so a blob that cannot be removed now (a full disk refuses
    /// even the check's transaction) is left for the sweep of orphans.
    pub(super) async fn collect_blob_after_commit(&self, sha256: &str) {
        if let Err(e) = self.collect_blob(sha256).await {
            tracing::warn!("an unreferenced blob stays for now: {e}");
        }
    }

    /// Removes every blob on disk that no file refers to: those a crash or a failed commit
    /// left between placing a blob and committing its row, and those a full disk kept a
    /// delete from removing. Each is checked again under the write lock before it goes (as
    /// [`Self::collect_blob`] does), so an upload placing the same bytes meanwhile keeps them.
    /// Answers how many went.
    pub async fn sweep_orphan_blobs(&self) -> Result<usize, CoreError> {
        let on_disk = self.blobs.stored().await?;
        if on_disk.is_empty() {
            return Ok(0);
        }
        let referenced: std::collections::HashSet<String> = self
            .db
            .query(sql!("SELECT DISTINCT sha256 FROM site_files"))
            .fetch_column::<String>(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .collect();
        let mut swept = 0;
        for sha256 in on_disk.iter().filter(|sha| !referenced.contains(*sha)) {
            if self.collect_blob(sha256).await? {
                swept += 1;
            }
        }
        Ok(swept)
    }

    /// Removes a blob that no file refers to any more. It holds the write lock while it
    /// checks and removes, so an upload placing the same blob cannot slip in between.
    /// Answers whether it went.
    pub(super) async fn collect_blob(&self, sha256: &str) -> Result<bool, CoreError> {
        let mut tx = self.write_tx().await?;
        let mut conn = tx.conn();
        let users: i64 = conn
            .query(sql!("SELECT count(*) FROM site_files WHERE sha256 = ?"))
            .bind(sha256)
            .fetch_scalar(&mut conn)
            .await
            .map_err(storage)?;
        if users == 0 {
            self.blobs.remove(sha256).await?;
        }
        tx.commit().await.map_err(storage)?;
        Ok(users == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::blobs::{BlobStore, LocalUpload};
    use crate::store::testing::{each_engine, manager, site, staff};

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
    ];

    async fn upload(store: &Store, bytes: &[u8]) -> LocalUpload {
        let mut upload = store.blobs().begin_upload(1 << 20).await.unwrap();
        upload.write(bytes).await.unwrap();
        upload
    }

    fn named(name: &str) -> NewFile {
        NewFile {
            name: name.to_owned(),
            ..NewFile::default()
        }
    }

    #[tokio::test]
    async fn an_upload_is_sniffed_stored_listed_and_deleted_with_its_blob() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let file = store
                .add_file(
                    &manager(),
                    &hq,
                    named("../rack.jpg"),
                    upload(&store, PNG).await,
                    1,
                )
                .await
                .unwrap();
            assert_eq!(file.name, "rack.jpg");
            assert_eq!(
                file.content_type, "image/png",
                "the bytes decide, not the name"
            );
            assert_eq!(file.kind, FileKind::Image);
            assert_eq!(file.size, PNG.len() as u64);
            let path = store.blobs().path(&file.sha256);
            assert_eq!(std::fs::read(&path).unwrap(), PNG);
            assert_eq!(
                store.list_files(&staff(), &hq).await.unwrap(),
                vec![file.clone()]
            );

            store
                .delete_file(&manager(), &hq, &file.id, Some(1))
                .await
                .unwrap();
            assert!(!path.exists(), "an unreferenced blob is removed");
            assert!(store.list_files(&staff(), &hq).await.unwrap().is_empty());
        }
    }

    #[tokio::test]
    async fn recent_files_are_the_newest_few_with_the_total() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            for (n, name) in ["a.png", "b.png", "c.png"].into_iter().enumerate() {
                store
                    .add_file(
                        &manager(),
                        &hq,
                        named(name),
                        upload(&store, PNG).await,
                        n as u128,
                    )
                    .await
                    .unwrap();
            }
            let (files, total) = store.recent_files(&staff(), &hq, 2).await.unwrap();
            let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!((names, total), (vec!["c.png", "b.png"], 3));
            assert_eq!(
                store.list_files(&staff(), &hq).await.unwrap()[..2],
                files[..]
            );
        }
    }

    /// Used to: a blob placed by an upload whose row never committed (a crash, a failed
    /// commit, a full disk during a delete) stayed on disk for ever.
    #[tokio::test]
    async fn the_sweep_removes_blobs_no_file_refers_to_and_keeps_the_rest() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let kept = store
                .add_file(
                    &manager(),
                    &hq,
                    named("a.png"),
                    upload(&store, PNG).await,
                    1,
                )
                .await
                .unwrap();
            // What a crash between placing the bytes and committing the row leaves.
            let orphan = upload(&store, b"never committed")
                .await
                .finish()
                .await
                .unwrap();
            assert!(store.blobs().path(&orphan.sha256).exists());

            assert_eq!(store.sweep_orphan_blobs().await.unwrap(), 1);
            assert!(!store.blobs().path(&orphan.sha256).exists());
            assert!(store.blobs().path(&kept.sha256).exists());
            assert_eq!(store.sweep_orphan_blobs().await.unwrap(), 0);
        }
    }

    #[tokio::test]
    async fn a_blob_shared_by_two_files_outlives_one_of_them() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let a = store
                .add_file(
                    &manager(),
                    &hq,
                    named("a.png"),
                    upload(&store, PNG).await,
                    1,
                )
                .await
                .unwrap();
            let b = store
                .add_file(
                    &manager(),
                    &hq,
                    named("b.png"),
                    upload(&store, PNG).await,
                    2,
                )
                .await
                .unwrap();
            assert_eq!(a.sha256, b.sha256);
            store
                .delete_file(&manager(), &hq, &a.id, None)
                .await
                .unwrap();
            assert!(store.blobs().path(&b.sha256).exists());
            store
                .delete_resource(&manager(), &ResourceType::site(), &hq, None)
                .await
                .unwrap();
            assert!(
                !store.blobs().path(&b.sha256).exists(),
                "deleting the site frees its blobs"
            );
        }
    }

    #[tokio::test]
    async fn refused_uploads_leave_neither_a_row_nor_bytes() {
        for (dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
            assert!(matches!(
                store
                    .add_file(
                        &manager(),
                        &hq,
                        named("x.pdf"),
                        upload(&store, exe).await,
                        1
                    )
                    .await,
                Err(CoreError::Invalid(ValidationError::FileTypeNotAccepted(_)))
            ));
            assert!(matches!(
                store
                    .add_file(&staff(), &hq, named("x.png"), upload(&store, PNG).await, 2)
                    .await,
                Err(CoreError::Forbidden(_))
            ));
            assert!(store.list_files(&staff(), &hq).await.unwrap().is_empty());
            let leftovers: Vec<_> = walk(&dir.path().join("files"));
            assert!(leftovers.is_empty(), "{leftovers:?}");
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    #[tokio::test]
    async fn a_note_is_text_and_its_text_is_replaced_in_place() {
        for (_dir, store) in each_engine().await {
            let hq = site(&store, "HQ", 1).await;
            let note = NewFile {
                name: "Access.txt".into(),
                kind: Some(FileKind::Note.into()),
                description: "How to get in".into(),
            };
            let file = store
                .add_file(
                    &manager(),
                    &hq,
                    note,
                    upload(&store, b"Key at reception").await,
                    1,
                )
                .await
                .unwrap();
            assert_eq!(
                (file.kind, file.content_type.as_str()),
                (FileKind::Note, "text/plain")
            );
            let edited = store
                .update_file(
                    &manager(),
                    &hq,
                    &file.id,
                    Some(1),
                    &FileChange::default(),
                    Some(upload(&store, b"Code 1234").await),
                )
                .await
                .unwrap();
            assert_eq!(edited.version, 2);
            assert_eq!(
                std::fs::read(store.blobs().path(&edited.sha256)).unwrap(),
                b"Code 1234"
            );
            assert!(!store.blobs().path(&file.sha256).exists());
            assert!(matches!(
                store
                    .update_file(
                        &manager(),
                        &hq,
                        &file.id,
                        Some(1),
                        &FileChange::default(),
                        None::<LocalUpload>
                    )
                    .await,
                Err(CoreError::PreconditionFailed { current: 2, .. })
            ));
            let photo = store
                .add_file(
                    &manager(),
                    &hq,
                    named("p.png"),
                    upload(&store, PNG).await,
                    2,
                )
                .await
                .unwrap();
            assert!(matches!(
                store
                    .update_file(
                        &manager(),
                        &hq,
                        &photo.id,
                        None,
                        &FileChange::default(),
                        Some(upload(&store, b"text").await)
                    )
                    .await,
                Err(CoreError::Invalid(ValidationError::NoteNotText))
            ));
        }
    }
}
