-- Tags defined on first use by Data Hub clients are bounded per tenant and per principal and
-- hour (core::tags::MAX_AUTO_DEFINED_TAGS, MAX_AUTO_DEFINED_PER_HOUR); this index counts them.
CREATE INDEX tags_auto_defined ON tags (tenant_id, auto_defined_by, created_at)
    WHERE auto_defined_by IS NOT NULL;
