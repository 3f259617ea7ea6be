-- Files attached to sites. The bytes are blobs under the data directory, named by sha256;
-- several rows (even of different tenants) may share one blob.
CREATE TABLE site_files (
    pk           INTEGER PRIMARY KEY,
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    id           TEXT    NOT NULL UNIQUE,
    site_pk      INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    sha256       TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('document', 'image', 'diagram', 'note')),
    description  TEXT    NOT NULL DEFAULT '',
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX site_files_by_site ON site_files (site_pk, uploaded_at);
-- Whether a blob is still referenced, asked when a file is deleted or replaced.
CREATE INDEX site_files_by_blob ON site_files (sha256);
