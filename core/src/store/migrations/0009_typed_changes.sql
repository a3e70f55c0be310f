-- The typed change vocabulary: an outbox row keeps the whole change as the protocol writes it
-- (its kind beside it for a reader of the file). Rows written by earlier versions are read
-- into the vocabulary by the migration's hook; one that cannot be read stays, refused with the
-- reason, so nothing unsent disappears unseen.
ALTER TABLE outbox RENAME TO outbox_legacy;
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id       TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    rejected_reason TEXT
) STRICT;

-- Pulled changes this version could not read: kept with the reason, shown in Settings, and
-- never in the way of the changes behind them.
CREATE TABLE set_aside (
    revision INTEGER PRIMARY KEY,
    change   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;

-- A contract made here is an order until the server's copy, priced from the vendor's
-- catalogue, arrives.
ALTER TABLE contracts ADD COLUMN awaiting_confirmation INTEGER NOT NULL DEFAULT 0;

-- A shop's tills and admins now count revisions in their shop's own sequence (nothing of other
-- shops shows in them): the history is read again from the start, which changes nothing that
-- is here already.
UPDATE sync_state SET pull_cursor = 0;
