-- The typed change vocabulary, and the current state of what the server accepted in its own
-- tables (what the desk's queue, billing and reports query). The history keeps each change as
-- the protocol writes it; the migration's hook reads older rows into the vocabulary and
-- projects them into the tables below.
-- `revision` orders the whole history (what the vendor's staff read); `shop_seq` counts one
-- shop's changes alone, and is the revision a shop's tills and admins see, so nothing of how
-- busy other shops are shows in their cursors.
CREATE TABLE changes_typed (
    revision    INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id   TEXT NOT NULL UNIQUE,
    shop_id     TEXT NOT NULL REFERENCES shops (id),
    shop_seq    INTEGER NOT NULL,
    station_id  TEXT REFERENCES stations (id),
    shared      INTEGER NOT NULL DEFAULT 0,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- A ticket as filed is the change at `revision` (its record is not copied: the history holds
-- it); its state and last change move with its events, and a quote on it is in ticket_quotes.
-- Events, comments and attachments likewise point to the change that brought them.
CREATE TABLE tickets (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT,
    state      TEXT NOT NULL,
    priority   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision   INTEGER NOT NULL
) STRICT;
CREATE INDEX tickets_shop ON tickets (shop_id, updated_at);

CREATE TABLE ticket_events (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    revision  INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);

CREATE TABLE ticket_comments (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revision   INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);

CREATE TABLE ticket_attachments (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    sha256    TEXT NOT NULL,
    revision  INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);

CREATE TABLE ticket_quotes (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    decision  TEXT,
    record    TEXT NOT NULL
) STRICT;

-- Station records as the shop keeps them (name, location, remote tool); enrolment made the row.
ALTER TABLE stations ADD COLUMN record TEXT;

CREATE TABLE contracts (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    plan_id    TEXT NOT NULL,
    start_date TEXT NOT NULL,
    ends_on    TEXT,
    record     TEXT NOT NULL
) STRICT;
CREATE INDEX contracts_shop ON contracts (shop_id);

CREATE TABLE remote_sessions (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT,
    ticket_id  TEXT,
    started_by TEXT NOT NULL,
    record     TEXT NOT NULL
) STRICT;

CREATE TABLE remote_consents (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT NOT NULL,
    record     TEXT NOT NULL
) STRICT;
