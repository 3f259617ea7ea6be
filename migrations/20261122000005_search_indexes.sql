-- Search walks a tenant's resources in key order (its cursor), so it needs that order
-- without sorting; and tag values are compared ignoring case, so their index does too.
CREATE INDEX resources_tenant_order ON resources (tenant_id, pk);
DROP INDEX tag_values_by_value;
CREATE INDEX tag_values_by_value ON tag_values (tag_pk, value COLLATE NOCASE, resource_pk);
