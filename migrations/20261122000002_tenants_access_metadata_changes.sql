-- Tenants, access (users, API tokens, site grants), typed metadata and the change log.

CREATE TABLE tenants (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Every installation has this tenant; a single-team install never sees another.
INSERT INTO tenants (id, name, created_at)
VALUES ('default', 'Default', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Resources gain a tenant, a parent, a version and a compact integer key for child tables.
-- SQLite cannot add a primary key to a table, so the table is rebuilt: renamed aside, created
-- anew (its self-reference then names the new table), copied and dropped.
ALTER TABLE resources RENAME TO resources_before_tenants;

CREATE TABLE resources (
    pk         INTEGER PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    parent_pk  INTEGER REFERENCES resources (pk) ON DELETE SET NULL,
    -- Bumped by every change to the resource or its metadata; the ETag of both.
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

INSERT INTO resources (tenant_id, id, type, name, created_at, updated_at)
SELECT 'default', id, type, name, created_at, updated_at FROM resources_before_tenants;

DROP TABLE resources_before_tenants;

-- Ids come from clients (UUIDs) as well as from us, so they are unique per tenant only: one
-- tenant can neither see nor block another's ids.
CREATE UNIQUE INDEX resources_tenant_id ON resources (tenant_id, id);
-- Site names are chosen by people and must tell sites apart; devices and other resources
-- arrive from other systems, where equal names are normal, so only sites are unique.
CREATE UNIQUE INDEX resources_site_name ON resources (tenant_id, name COLLATE NOCASE)
    WHERE type = 'site';
CREATE INDEX resources_listing ON resources (tenant_id, type, name COLLATE NOCASE);
CREATE INDEX resources_parent ON resources (parent_pk) WHERE parent_pk IS NOT NULL;

-- One typed row per metadata key, so keys can be indexed and filtered. `value` is ANY so that
-- SQLite keeps each value's own storage class (an integer stays an exact 64-bit integer).
CREATE TABLE metadata (
    resource_pk  INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    value_type   TEXT    NOT NULL CHECK (value_type IN ('string', 'integer', 'float', 'boolean')),
    value        ANY     NOT NULL,
    -- The resource version at which this key last changed: the key's own ETag.
    revision     INTEGER NOT NULL,
    changed_at   TEXT    NOT NULL,
    changed_by   TEXT    NOT NULL,
    creator_type TEXT    NOT NULL CHECK (creator_type IN ('user', 'client', 'rule')),
    PRIMARY KEY (resource_pk, key)
) STRICT, WITHOUT ROWID;

-- Append-only history of every mutation. Ids are copied, not referenced, so the history of a
-- deleted resource survives it.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    resource_id TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    request_id  TEXT,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX changes_by_resource ON changes (tenant_id, resource_id, seq);

CREATE TABLE users (
    id            TEXT NOT NULL PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'staff')),
    -- 1: a manager limited to the sites in site_grants; 0: every site of the tenant.
    limited       INTEGER NOT NULL DEFAULT 0 CHECK (limited IN (0, 1)),
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
) STRICT;
CREATE UNIQUE INDEX users_username ON users (tenant_id, username COLLATE NOCASE);

-- Only a SHA-256 digest of each secret is kept; see core/access/credentials.rs for why a fast
-- hash is right for 256-bit random secrets (and argon2 for passwords).
CREATE TABLE api_tokens (
    id            TEXT NOT NULL PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    name          TEXT NOT NULL,
    secret_sha256 BLOB NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'staff')),
    limited       INTEGER NOT NULL DEFAULT 0 CHECK (limited IN (0, 1)),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    last_used_at  TEXT,
    revoked_at    TEXT
) STRICT;

-- The sites a limited manager (user or token) may write to, with the resources under them.
-- Limiting is an explicit flag on the principal, so removing the last grant never widens access.
CREATE TABLE site_grants (
    principal_id TEXT    NOT NULL,
    site_pk      INTEGER NOT NULL REFERENCES resources (pk) ON DELETE CASCADE,
    PRIMARY KEY (principal_id, site_pk)
) STRICT, WITHOUT ROWID;
