-- Short-lived access tokens issued in exchange for a credential (Keystone's POST
-- /v3/auth/tokens, later OAuth client credentials). Only a SHA-256 digest of each secret is
-- kept, as for API tokens and sessions.
--
-- Each acts for exactly one principal: a user (password login) or an API token (application
-- credential login). Deleting the principal deletes its issued tokens; revoking or expiring an
-- API token, or disabling a user, is checked on every use instead, so it takes effect at once.
CREATE TABLE access_tokens (
    secret_sha256 BLOB NOT NULL PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    api_token_id  TEXT REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    CHECK ((user_id IS NULL) <> (api_token_id IS NULL))
) STRICT;
CREATE INDEX access_tokens_by_user ON access_tokens (user_id);
CREATE INDEX access_tokens_by_api_token ON access_tokens (api_token_id);
-- Expired rows are swept when new tokens are issued.
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);
