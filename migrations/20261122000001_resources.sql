-- Resources: every catalogued thing (site, device, user, ...), one row each.
-- Timestamps are RFC 3339 UTC text written by the application, so they sort as text.
CREATE TABLE resources (
    id         TEXT NOT NULL PRIMARY KEY,
    type       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- A name is unique per type, ignoring ASCII case: "HQ" and "hq" are the same site to a person.
-- A separate index (not a table constraint) so later migrations can widen it, e.g. per tenant.
CREATE UNIQUE INDEX resources_type_name ON resources (type, name COLLATE NOCASE);
