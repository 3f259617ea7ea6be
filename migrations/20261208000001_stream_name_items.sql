-- Every resource's `name` metadata item is its name (the native API's rule); Data Hub streams
-- made before kept theirs only in `resources.name`, so `/api/v1` read them without it. Give
-- each the item, at a new version so an ETag read before no longer matches, and record it in
-- the history as the operator's change. Stream ids stay as they were: clients may hold the
-- minted `datahub_…` ids, and only new streams take their Data Hub id (core::streams::ids).
INSERT INTO changes (tenant_id, resource_id, actor_id, actor_type, action, subject, old_value,
                     new_value, request_id, at)
SELECT r.tenant_id, r.id, 'operator', 'user', 'metadata.set', 'name', NULL, json_quote(r.name),
       NULL, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
FROM resources r
WHERE r.type = 'datahub.stream'
  AND NOT EXISTS (SELECT 1 FROM metadata m WHERE m.resource_pk = r.pk AND m.key = 'name');

UPDATE resources SET version = version + 1
WHERE type = 'datahub.stream'
  AND NOT EXISTS (SELECT 1 FROM metadata m WHERE m.resource_pk = resources.pk AND m.key = 'name');

INSERT INTO metadata (resource_pk, key, value_type, value, revision, changed_at, changed_by,
                      creator_type)
SELECT r.pk, 'name', 'string', r.name, r.version, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'),
       'operator', 'user'
FROM resources r
WHERE r.type = 'datahub.stream'
  AND NOT EXISTS (SELECT 1 FROM metadata m WHERE m.resource_pk = r.pk AND m.key = 'name');
