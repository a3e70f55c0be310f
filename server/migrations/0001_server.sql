-- The central server's schema. Tokens and passwords are kept only as hashes.

CREATE TABLE shops (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Staff: shop admins (with a shop), support staff and vendor admins (without).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('shop_admin', 'support_staff', 'vendor_admin')),
    shop_id       TEXT REFERENCES shops (id),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'shop_admin') = (shop_id IS NOT NULL))
) STRICT;

CREATE TABLE stations (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- One-time, expiring codes a shop admin hands to a till.
CREATE TABLE enrolment_codes (
    code_hash  TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

-- Device tokens of stations and session tokens of staff; revoked ones stay for the record.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    shop_id    TEXT REFERENCES shops (id),
    station_id TEXT REFERENCES stations (id),
    user_id    TEXT REFERENCES users (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

-- Every accepted change, in one history; `revision` is the pull cursor.
CREATE TABLE changes (
    revision   INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

CREATE INDEX changes_shop ON changes (shop_id, revision);

-- Which shop an entity belongs to: its first change decides, and no other shop may touch it.
CREATE TABLE entities (
    entity_id TEXT PRIMARY KEY,
    shop_id   TEXT NOT NULL REFERENCES shops (id)
) STRICT, WITHOUT ROWID;
