-- Accounts a vendor can trust: sessions that end, tills and staff that can be switched off,
-- two-factor sign-in and a security log.

-- When a token was last used (to the minute), where it was issued to, and when a staff
-- session ends at the latest; device tokens of tills never expire (ends_by stays NULL).
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE tokens ADD COLUMN ends_by TEXT;
ALTER TABLE tokens ADD COLUMN address TEXT;
-- A session that may only set up two factors (the vendor requires them, the account has none).
ALTER TABLE tokens ADD COLUMN setup_only INTEGER NOT NULL DEFAULT 0;
-- Why a token stopped working: sign_out, expired, revoked, password_changed, deactivated.
ALTER TABLE tokens ADD COLUMN revoked_why TEXT;
UPDATE tokens SET last_used_at = created_at;
CREATE INDEX tokens_user ON tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX tokens_station ON tokens (station_id) WHERE revoked_at IS NULL;

ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
-- The TOTP secret (RFC 6238) in force, one being set up, and the newest time step a code was
-- accepted for, so no code signs in twice.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_pending BLOB;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;

-- One-time recovery codes, as hashes; a used one is gone.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE security_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE security_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    shop_id  TEXT,
    actor    TEXT,
    address  TEXT,
    detail   TEXT
) STRICT;
