-- Tickets and their history. A ticket row holds the current state; every change is also an
-- event row (the audit trail) and an outbox row written in the same transaction, so the sync
-- can send it later without losing or repeating anything.

CREATE TABLE tickets (
    id              TEXT PRIMARY KEY,
    station_id      TEXT REFERENCES stations (id),
    reporter        TEXT NOT NULL,
    title           TEXT NOT NULL,
    category        TEXT NOT NULL,
    priority        TEXT NOT NULL,
    urgency         INTEGER NOT NULL, -- 0 emergency, 1 high, 2 normal: "most urgent first" by index
    channel         TEXT NOT NULL,
    state           TEXT NOT NULL,
    request         TEXT NOT NULL, -- JSON: the guided parts of a good request
    station_details TEXT NOT NULL, -- JSON: what the station knows about itself
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_urgency ON tickets (urgency, updated_at DESC);
CREATE INDEX tickets_reporter ON tickets (reporter COLLATE NOCASE, updated_at);
CREATE INDEX tickets_station ON tickets (station_id, updated_at);
CREATE INDEX tickets_station_emergencies ON tickets (station_id, updated_at) WHERE channel = 'emergency_button';

CREATE TABLE ticket_cc (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    person     TEXT NOT NULL COLLATE NOCASE,
    -- The ticket's updated_at, kept in step, so "in copy, recently updated" reads an index
    -- instead of sorting every ticket a busy person is in copy of.
    updated_at TEXT NOT NULL,
    PRIMARY KEY (ticket_id, person)
) STRICT;

CREATE INDEX ticket_cc_person ON ticket_cc (person, updated_at DESC);

CREATE TABLE ticket_events (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    note       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);

CREATE TABLE ticket_comments (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);

-- Keyed by the ticket's rowid; `body` holds the request's text and every comment.
CREATE VIRTUAL TABLE ticket_search USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;


-- A paid quote for work outside the contract (seeds 002, 003), and the customer's decision.
CREATE TABLE ticket_quotes (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id),
    amount      TEXT NOT NULL, -- exact decimal, net
    currency    TEXT NOT NULL,
    description TEXT NOT NULL,
    offered_by  TEXT NOT NULL,
    offered_at  TEXT NOT NULL,
    decision    TEXT CHECK (decision IN ('accepted', 'declined')),
    decided_by  TEXT,
    decided_at  TEXT
) STRICT;

CREATE INDEX ticket_quotes_ticket ON ticket_quotes (ticket_id, offered_at);

-- Screenshots and logs. The content lives once in the attachments folder beside this file,
-- named by its SHA-256; a row links it to a ticket under the name it was given.
CREATE TABLE ticket_attachments (
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    sha256       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL
) STRICT;

CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, added_at);
