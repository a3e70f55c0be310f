-- Sync with the central server: where this installation is enrolled, the pull cursor, the last
-- outcome, and outbox rows the server refused (kept and shown, never retried as they are).
ALTER TABLE outbox ADD COLUMN rejected_reason TEXT;

CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    server_url   TEXT NOT NULL,
    shop_id      TEXT NOT NULL,
    station_id   TEXT,
    pull_cursor  INTEGER NOT NULL DEFAULT 0,
    last_success TEXT,
    last_error   TEXT
) STRICT;
