-- The server's tables on PostgreSQL, as SQLite's migrations 0001-0014 leave them. The same
-- columns with the same meaning, so one set of statements (storage/sql) serves both: ids and
-- times as text (RFC 3339 in UTC, which sorts as it reads), truths as booleans, counts as
-- bigint. What SQLite does its own way is said where it differs.

CREATE TABLE shops (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    second_level BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('shop_admin', 'support_staff', 'vendor_admin')),
    shop_id        TEXT REFERENCES shops (id),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    named_contact  BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    totp_secret    BYTEA,
    totp_pending   BYTEA,
    totp_last_step BIGINT,
    phone          TEXT,
    CHECK ((role = 'shop_admin') = (shop_id IS NOT NULL))
);
-- SQLite's column is NOCASE: an address is taken whatever its case.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE stations (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    record     TEXT
);

CREATE TABLE enrolment_codes (
    code_hash  TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE tokens (
    token_hash   TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    shop_id      TEXT REFERENCES shops (id),
    station_id   TEXT REFERENCES stations (id),
    user_id      TEXT REFERENCES users (id),
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT,
    ends_by      TEXT,
    address      TEXT,
    setup_only   BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_why  TEXT
);
CREATE INDEX tokens_user ON tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX tokens_station ON tokens (station_id) WHERE revoked_at IS NULL;

CREATE TABLE entities (
    entity_id  TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT REFERENCES stations (id)
);

CREATE TABLE blobs (
    sha256     TEXT NOT NULL,
    -- The uploader's shop; '' for the vendor's staff.
    owner      TEXT NOT NULL,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL DEFAULT 0,
    complete   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    uploader   TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sha256, owner)
);

CREATE TABLE blob_chunks (
    sha256   TEXT NOT NULL,
    owner    TEXT NOT NULL,
    "offset" BIGINT NOT NULL,
    bytes    BYTEA NOT NULL,
    PRIMARY KEY (sha256, owner, "offset"),
    FOREIGN KEY (sha256, owner) REFERENCES blobs (sha256, owner) ON DELETE CASCADE
);

-- The history. Revisions come from a sequence; appends take one lock (storage/postgres), so
-- they commit in the order of their revisions and no reader skips one that commits late.
CREATE TABLE changes (
    revision    BIGSERIAL PRIMARY KEY,
    change_id   TEXT NOT NULL UNIQUE,
    shop_id     TEXT NOT NULL REFERENCES shops (id),
    shop_seq    BIGINT NOT NULL,
    station_id  TEXT REFERENCES stations (id),
    shared      BOOLEAN NOT NULL DEFAULT FALSE,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    staff_only  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX changes_shop ON changes (shop_id, shop_seq);
CREATE INDEX changes_station ON changes (station_id, shop_seq) WHERE station_id IS NOT NULL;
CREATE INDEX changes_shared ON changes (shop_id, shop_seq) WHERE shared;
CREATE INDEX changes_subject ON changes (subject_id, revision);

CREATE TABLE tickets (
    id                    TEXT PRIMARY KEY,
    shop_id               TEXT NOT NULL REFERENCES shops (id),
    station_id            TEXT,
    state                 TEXT NOT NULL,
    priority              TEXT NOT NULL,
    channel               TEXT NOT NULL,
    title                 TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    revision              BIGINT NOT NULL,
    urgency               BIGINT GENERATED ALWAYS AS
        (CASE priority WHEN 'emergency' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) STORED,
    assignee_id           TEXT,
    callback_phone        TEXT,
    callback_requested_at TEXT,
    responded_at          TEXT,
    resolved_at           TEXT,
    waiting_since         TEXT,
    pauses                TEXT NOT NULL DEFAULT '[]',
    search_text           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tickets_shop ON tickets (shop_id, updated_at);
CREATE INDEX tickets_queue ON tickets (urgency, created_at, id);
CREATE INDEX tickets_station ON tickets (station_id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, urgency, created_at, id)
    WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_callbacks ON tickets (callback_requested_at, id)
    WHERE callback_requested_at IS NOT NULL;
CREATE INDEX tickets_created ON tickets (created_at);
-- The desk's search reads search_text while it walks the queue in its order (SQLite also
-- keeps a trigram index of it for rare words; see tables/desk.rs).

CREATE TABLE ticket_events (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    revision  BIGINT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);

CREATE TABLE ticket_comments (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    internal   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);

CREATE TABLE ticket_attachments (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    sha256    TEXT NOT NULL,
    revision  BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);

CREATE TABLE ticket_quotes (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    decision  TEXT,
    record    TEXT NOT NULL
);

CREATE TABLE contracts (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    plan_id    TEXT NOT NULL,
    start_date TEXT NOT NULL,
    ends_on    TEXT,
    record     TEXT NOT NULL
);
CREATE INDEX contracts_shop ON contracts (shop_id);

CREATE TABLE remote_sessions (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT,
    ticket_id  TEXT,
    started_by TEXT NOT NULL,
    record     TEXT NOT NULL
);

CREATE TABLE remote_consents (
    id         TEXT PRIMARY KEY,
    shop_id    TEXT NOT NULL REFERENCES shops (id),
    station_id TEXT NOT NULL,
    record     TEXT NOT NULL
);

CREATE TABLE vendor_profile (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    record     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog_versions (
    valid_from TEXT PRIMARY KEY,
    record     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE shop_billing (
    shop_id    TEXT PRIMARY KEY REFERENCES shops (id),
    record     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Per-year invoice numbers without gaps: the row of a year is locked by the transaction that
-- takes its next number until that transaction ends, in whichever server process.
CREATE TABLE invoice_numbers (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE invoices (
    number       TEXT PRIMARY KEY,
    year         BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    shop_id      TEXT NOT NULL REFERENCES shops (id),
    contract_id  TEXT NOT NULL,
    period_start TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    record       TEXT NOT NULL,
    xml          BYTEA NOT NULL,
    pdf          BYTEA NOT NULL,
    refers_to    TEXT REFERENCES invoices (number),
    cancelled_by TEXT REFERENCES invoices (number),
    paid_on      TEXT,
    UNIQUE (year, seq)
);
CREATE UNIQUE INDEX invoices_once_per_period ON invoices (contract_id, period_start)
    WHERE kind = 'invoice' AND cancelled_by IS NULL;
CREATE INDEX invoices_by_shop ON invoices (shop_id, issued_on);

CREATE FUNCTION issued_invoices_are_never_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.number, NEW.year, NEW.seq, NEW.kind, NEW.shop_id, NEW.contract_id, NEW.period_start,
        NEW.issued_on, NEW.due_on, NEW.record, NEW.xml, NEW.pdf, NEW.refers_to)
       IS DISTINCT FROM
       (OLD.number, OLD.year, OLD.seq, OLD.kind, OLD.shop_id, OLD.contract_id, OLD.period_start,
        OLD.issued_on, OLD.due_on, OLD.record, OLD.xml, OLD.pdf, OLD.refers_to) THEN
        RAISE EXCEPTION 'an issued invoice is never changed; cancel it with a credit note';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER issued_invoices_are_never_changed BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION issued_invoices_are_never_changed();

CREATE FUNCTION issued_invoices_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued invoices are kept for 8 years';
END;
$$;
CREATE TRIGGER issued_invoices_are_kept BEFORE DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION issued_invoices_are_kept();

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE security_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE security_log (
    id      BIGSERIAL PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    shop_id TEXT,
    actor   TEXT,
    address TEXT,
    detail  TEXT
);
