-- The e-mail channel (src/mail). Passwords are sealed with the server's secrets key, which is
-- kept outside the database: a copy of the database alone does not give them away.

-- The support mailboxes the server fetches, and how far it has read each.
CREATE TABLE mailboxes (
    name            TEXT PRIMARY KEY,
    host            TEXT NOT NULL,
    port            INTEGER NOT NULL,
    username        TEXT NOT NULL,
    -- A password, or OAuth 2.0: the token endpoint, the client, and the client secret with
    -- the refresh token (sealed together).
    password_sealed BLOB,
    oauth_token_url TEXT,
    oauth_client_id TEXT,
    oauth_sealed    BLOB,
    ca_pem          TEXT,
    enabled         BOOLEAN NOT NULL,
    -- When the settings last changed: a worker signed in before signs in again.
    changed_at      TEXT,
    uid_validity    INTEGER,
    last_uid        INTEGER NOT NULL DEFAULT 0,
    last_fetch_at   TEXT,
    last_error      TEXT,
    imported        INTEGER NOT NULL DEFAULT 0
);

-- Every message taken from a mailbox, once, by its place there; what became of it.
CREATE TABLE mail_messages (
    mailbox      TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_id   TEXT,
    outcome      TEXT NOT NULL,
    ticket_id    TEXT,
    at           TEXT NOT NULL,
    PRIMARY KEY (mailbox, uid_validity, uid)
);

-- The Message-IDs of each e-mail ticket's thread, received and sent, with the customer's
-- address: a reply joins its ticket by them.
CREATE TABLE mail_thread (
    message_id TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL,
    sent       BOOLEAN NOT NULL,
    address    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX mail_thread_ticket ON mail_thread (ticket_id, at);

-- Addresses an agent said belong to a shop, without an account of their own.
CREATE TABLE mail_senders (
    address TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id)
);

-- Messages from senders nobody knows, until an agent attaches them to a shop.
CREATE TABLE mail_unknown (
    id          TEXT PRIMARY KEY,
    mailbox     TEXT NOT NULL,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    excerpt     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    raw         BLOB NOT NULL,
    ticket_id   TEXT
);

-- The server that sends the replies: one row.
CREATE TABLE mail_outgoing (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    host            TEXT NOT NULL,
    port            INTEGER NOT NULL,
    security        TEXT NOT NULL,
    username        TEXT,
    password_sealed BLOB,
    ca_pem          TEXT,
    from_address    TEXT NOT NULL,
    from_name       TEXT NOT NULL
);

-- What leaves by mail, written in the same transaction as what it tells of, until it is sent:
-- the desk's replies on e-mail tickets (`reply`, to the thread's customer; the id is the
-- reply's), and the notices shop admins asked for (`answer`, `quote`, `invoice`, to the
-- admin's address; the id made from what it tells and whom).
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    ticket_id       TEXT,
    to_address      TEXT,
    invoice_number  TEXT,
    author          TEXT NOT NULL,
    body            TEXT NOT NULL,
    queued_at       TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until    TEXT,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- What a shop admin wants to hear by e-mail: support answered, a quote offered, an invoice
-- issued.
CREATE TABLE mail_notices (
    user_id  TEXT PRIMARY KEY REFERENCES users (id),
    answers  BOOLEAN NOT NULL,
    quotes   BOOLEAN NOT NULL,
    invoices BOOLEAN NOT NULL
);
