-- Data Hub's stream tags (bare names) over Sitebook's tag definitions, and the tenant setting
-- that says whether a name nobody defined yet is defined on first use.

-- Who defined a tag on first use through Data Hub's tags (a user or token id), so admins can
-- tell those from their own; NULL for a definition an admin made.
ALTER TABLE tags ADD COLUMN auto_defined_by TEXT;

-- Data Hub answers a stream's tags in the order they were put; Sitebook's own tag values have
-- no order (NULL, listed after the ordered ones, by name).
ALTER TABLE tag_values ADD COLUMN position INTEGER;

-- One row per tenant that changed a setting; a tenant without a row has the defaults.
CREATE TABLE tenant_settings (
    tenant_id                TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    -- 1: an unknown Data Hub tag name is defined on first use; 0: it is refused (400).
    datahub_auto_define_tags INTEGER NOT NULL DEFAULT 1 CHECK (datahub_auto_define_tags IN (0, 1)),
    updated_at               TEXT    NOT NULL
) STRICT;
