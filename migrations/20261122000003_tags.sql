-- Tag definitions and the values applied to resources.

CREATE TABLE tags (
    pk             INTEGER PRIMARY KEY,
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    id             TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    colour         TEXT    NOT NULL,
    -- A JSON array of correlation types, e.g. ["site","wan"].
    applies_to     TEXT    NOT NULL,
    -- A JSON array of the allowed values, or NULL for free text.
    allowed_values TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
) STRICT;
-- "Region" and "region" would be the same tag to a person.
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, name COLLATE NOCASE);

CREATE TABLE tag_values (
    tag_pk      INTEGER NOT NULL REFERENCES tags (pk) ON DELETE CASCADE,
    resource_pk INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    value       TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    changed_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (tag_pk, resource_pk)
) STRICT, WITHOUT ROWID;
-- Search (`tag:Region=APAC`) walks this index from the tag and value to the resources.
CREATE INDEX tag_values_by_value ON tag_values (tag_pk, value, resource_pk);
-- A resource's chips.
CREATE INDEX tag_values_by_resource ON tag_values (resource_pk);
