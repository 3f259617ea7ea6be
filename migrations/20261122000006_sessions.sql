-- Web sign-in sessions. Only a SHA-256 digest of each session secret is kept, as for tokens.
CREATE TABLE sessions (
    secret_sha256 BLOB NOT NULL PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Sent back with every state-changing form and server function call.
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);
