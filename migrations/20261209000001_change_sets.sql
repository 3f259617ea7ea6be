-- Change sets: every change record belongs to one, which says who, when, through which door
-- and why (see core/change_sets). The header is written with the set's first record.
CREATE TABLE change_sets (
    -- The order sets were begun in: listings page by it, newest first.
    pk         INTEGER PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    via        TEXT NOT NULL CHECK (via IN ('web', 'api', 'nova', 'datahub', 'import', 'revert', 'cli')),
    comment    TEXT,
    -- The set this one reverts.
    reverts    TEXT,
    at         TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX change_sets_id ON change_sets (tenant_id, id);
CREATE INDEX change_sets_by_actor ON change_sets (tenant_id, actor_id, pk);

ALTER TABLE changes ADD COLUMN change_set TEXT;

-- Records written before change sets existed: those of one request (one request id) form one
-- set, each other record a set of its own. Their door is inferred from the actor: the
-- command line's operator, a token's script, or else a person on the web pages.
CREATE INDEX changes_legacy_requests ON changes (tenant_id, request_id);
UPDATE changes SET change_set = 'chg_legacy_' || grouped.first
FROM (
    SELECT seq, MIN(seq) OVER (
        PARTITION BY tenant_id, COALESCE(request_id, 'seq:' || seq)
    ) AS first
    FROM changes
) AS grouped
WHERE changes.seq = grouped.seq;
DROP INDEX changes_legacy_requests;

INSERT INTO change_sets (tenant_id, id, actor_id, actor_type, via, at)
SELECT tenant_id, change_set, actor_id, actor_type,
       CASE WHEN actor_id = 'operator' THEN 'cli' WHEN actor_type = 'client' THEN 'api' ELSE 'web' END,
       at
FROM changes
WHERE change_set = 'chg_legacy_' || seq
ORDER BY seq;

-- A set's records, and the sets that touched a resource.
CREATE INDEX changes_by_change_set ON changes (tenant_id, change_set, seq);
