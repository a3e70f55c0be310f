-- Stations (tills) and support contracts. Ids are client-made UUIDv7 strings so that rows made
-- offline keep their identity when they sync; times are UTC RFC 3339, civil dates ISO 8601.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE stations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    location   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Two tills called "Kasse 1" would make every list and every CLI call ambiguous.
CREATE UNIQUE INDEX stations_name ON stations (name COLLATE NOCASE);

CREATE TABLE contracts (
    id              TEXT PRIMARY KEY,
    plan_id         TEXT NOT NULL,
    -- The plan as sold (JSON): a later catalogue change does not alter this contract's price.
    plan_snapshot   TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    notice_received TEXT,
    notice_by       TEXT CHECK (notice_by IN ('customer', 'vendor')),
    ends_on         TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((notice_received IS NULL) = (notice_by IS NULL) AND (notice_by IS NULL) = (ends_on IS NULL))
) STRICT;

CREATE TABLE contract_stations (
    contract_id TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    station_id  TEXT NOT NULL REFERENCES stations (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (contract_id, station_id)
) STRICT;

CREATE INDEX contract_stations_station ON contract_stations (station_id);
