-- A change record keeps what is its own (resource, what changed, before, after, when) and
-- refers to its change set by the set's integer key; who made it and in which request are the
-- set's. Before, every record repeated the actor, the actor type, the request id and the set's
-- 36-character id: three quarters of its 200 bytes, and the index of a set's records was keyed
-- by that text. An import of 100,000 rows writes 1.3 million records, so that was most of what
-- an import or its revert wrote.

ALTER TABLE change_sets ADD COLUMN request_id TEXT;

-- Every record has a set since the change-sets migration; one whose set lost its header (none
-- should) gets one, so nothing is dropped on the way.
INSERT INTO change_sets (tenant_id, id, actor_id, actor_type, via, at)
SELECT c.tenant_id, COALESCE(c.change_set, 'chg_legacy_' || c.seq), c.actor_id, c.actor_type,
       CASE WHEN c.actor_id = 'operator' THEN 'cli' WHEN c.actor_type = 'client' THEN 'api' ELSE 'web' END,
       c.at
FROM changes c
WHERE NOT EXISTS (SELECT 1 FROM change_sets cs
                  WHERE cs.tenant_id = c.tenant_id
                    AND cs.id = COALESCE(c.change_set, 'chg_legacy_' || c.seq))
  AND c.seq = (SELECT min(first.seq) FROM changes first
               WHERE first.tenant_id = c.tenant_id
                 AND COALESCE(first.change_set, 'chg_legacy_' || first.seq)
                   = COALESCE(c.change_set, 'chg_legacy_' || c.seq))
ORDER BY c.seq;

CREATE TABLE change_records (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    resource_id TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    at          TEXT    NOT NULL,
    set_pk      INTEGER NOT NULL REFERENCES change_sets (pk)
) STRICT;

-- The set's request id is its first record's.
UPDATE change_sets SET request_id = (
    SELECT c.request_id FROM changes c
    WHERE c.tenant_id = change_sets.tenant_id AND c.change_set = change_sets.id
    ORDER BY c.seq LIMIT 1
);

INSERT INTO change_records (seq, tenant_id, resource_id, action, subject, old_value, new_value, at, set_pk)
SELECT c.seq, c.tenant_id, c.resource_id, c.action, c.subject, c.old_value, c.new_value, c.at, cs.pk
FROM changes c
JOIN change_sets cs
  ON cs.tenant_id = c.tenant_id AND cs.id = COALESCE(c.change_set, 'chg_legacy_' || c.seq)
ORDER BY c.seq;

DROP TABLE changes;
ALTER TABLE change_records RENAME TO changes;

-- A resource's history, and a set's records in order.
CREATE INDEX changes_by_resource ON changes (tenant_id, resource_id, seq);
CREATE INDEX changes_by_set ON changes (set_pk, seq);
