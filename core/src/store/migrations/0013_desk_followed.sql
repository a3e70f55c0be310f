-- The support desk's app keeps only the tickets an agent opened (or filed), not every shop's
-- history: each with the newest revision of it held here.
CREATE TABLE desk_followed (
    ticket_id TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL,
    opened_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX desk_followed_opened ON desk_followed (opened_at);

-- What the desk was alerted to already, so each alerts once: an emergency waiting, an SLA
-- clock about to run out.
CREATE TABLE desk_alerted (
    ticket_id TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (ticket_id, reason)
) STRICT, WITHOUT ROWID;
