-- Nova's metadata_items quota becomes a tenant setting (it was a server flag): each tenant's
-- admins decide how many items a server's metadata holds through the compute API.
ALTER TABLE tenant_settings
    ADD COLUMN nova_metadata_items INTEGER NOT NULL DEFAULT 128
        CHECK (nova_metadata_items BETWEEN 1 AND 100000);
