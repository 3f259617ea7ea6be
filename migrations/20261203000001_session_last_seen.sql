-- When each session was last used (noted at most once a minute), for the idle timeout; NULL
-- until its first noted use, when its creation counts.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
