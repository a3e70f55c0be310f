-- A staff member (shop admin, support staff) may sign in on an installation: their e-mail,
-- name and role are kept here, their session token only in the OS keyring. The vendor's staff belong to
-- no shop, so the shop becomes optional (SQLite changes a column's NOT NULL by a new table).
CREATE TABLE sync_state_new (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    server_url   TEXT NOT NULL,
    shop_id      TEXT,
    station_id   TEXT,
    pull_cursor  INTEGER NOT NULL DEFAULT 0,
    last_success TEXT,
    last_error   TEXT,
    staff_email  TEXT,
    staff_name   TEXT,
    staff_role   TEXT
) STRICT;
INSERT INTO sync_state_new (id, server_url, shop_id, station_id, pull_cursor, last_success, last_error)
    SELECT id, server_url, shop_id, station_id, pull_cursor, last_success, last_error FROM sync_state;
DROP TABLE sync_state;
ALTER TABLE sync_state_new RENAME TO sync_state;
