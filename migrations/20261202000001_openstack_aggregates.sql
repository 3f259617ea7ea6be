-- Nova's host aggregates. An aggregate is a resource of type 'openstack.aggregate' (its name
-- the resource's name, its availability zone and other metadata in `metadata`); Nova's clients
-- know it by an integer id, kept here. AUTOINCREMENT so a deleted aggregate's id is never
-- given to another: a script holding an old id must get 404, not someone else's aggregate.
CREATE TABLE aggregates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_pk INTEGER NOT NULL UNIQUE REFERENCES resources (pk) ON DELETE CASCADE
) STRICT;

-- The hosts of an aggregate, in the order they were added (rowid order).
CREATE TABLE aggregate_hosts (
    aggregate_id INTEGER NOT NULL REFERENCES aggregates (id) ON DELETE CASCADE,
    host         TEXT    NOT NULL,
    added_at     TEXT    NOT NULL,
    UNIQUE (aggregate_id, host)
) STRICT;

-- Nova refuses a second aggregate of the same name (its MySQL collation ignores case).
CREATE UNIQUE INDEX resources_aggregate_name ON resources (tenant_id, name COLLATE NOCASE)
    WHERE type = 'openstack.aggregate';
