-- Data Hub's streams, the types they use and the namespaces holding both. A stream is a
-- resource (type 'datahub.stream'): its name, metadata and tags live there; this table keeps
-- what is Data Hub's own. Ids are unique per namespace ignoring case, as in Data Hub.

-- Namespaces besides 'default', which every tenant has without a row.
CREATE TABLE stream_namespaces (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    id          TEXT NOT NULL COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE stream_types (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    namespace_id TEXT NOT NULL COLLATE NOCASE,
    id           TEXT NOT NULL COLLATE NOCASE,
    -- The canonical SdsType (core::streams::SdsType), JSON.
    definition   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, namespace_id, id)
) STRICT;

CREATE TABLE streams (
    resource_pk  INTEGER NOT NULL PRIMARY KEY REFERENCES resources (pk) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    namespace_id TEXT NOT NULL COLLATE NOCASE,
    id           TEXT NOT NULL COLLATE NOCASE,
    type_id      TEXT NOT NULL COLLATE NOCASE,
    display_name TEXT,
    description  TEXT,
    -- Indexes, modes and property overrides (core::streams::Stream::settings), JSON.
    settings     TEXT NOT NULL,
    UNIQUE (tenant_id, namespace_id, id)
) STRICT;
-- "Which streams use this type" (a type in use cannot be deleted).
CREATE INDEX streams_by_type ON streams (tenant_id, namespace_id, type_id);
