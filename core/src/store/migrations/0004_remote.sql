-- Remote sessions (DESIGN "Remote sessions"): each station's remote tool and its id there, the
-- cashier's consents and every session as an audit record. Passwords are never stored.

ALTER TABLE stations ADD COLUMN remote_tool TEXT CHECK (remote_tool IN ('teamviewer', 'rustdesk', 'anydesk', 'vnc'));
ALTER TABLE stations ADD COLUMN remote_id TEXT CHECK ((remote_tool IS NULL) = (remote_id IS NULL));

-- "Allow remote help" at the till: given in one touch, in force until the cashier ends it.
CREATE TABLE remote_consents (
    id         TEXT PRIMARY KEY,
    station_id TEXT NOT NULL REFERENCES stations (id),
    ticket_id  TEXT REFERENCES tickets (id),
    given_by   TEXT NOT NULL,
    given_at   TEXT NOT NULL,
    ended_at   TEXT
) STRICT;

-- At most one consent in force per till.
CREATE UNIQUE INDEX remote_consents_in_force ON remote_consents (station_id) WHERE ended_at IS NULL;

CREATE TABLE remote_sessions (
    id         TEXT PRIMARY KEY,
    station_id TEXT REFERENCES stations (id),
    ticket_id  TEXT REFERENCES tickets (id),
    tool       TEXT NOT NULL,
    remote_id  TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    end_reason TEXT CHECK (end_reason IN ('ended_by_support', 'tool_exited')),
    consent_id TEXT REFERENCES remote_consents (id),
    note       TEXT NOT NULL DEFAULT '',
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
) STRICT;

CREATE INDEX remote_sessions_station ON remote_sessions (station_id, started_at);
CREATE INDEX remote_sessions_ticket ON remote_sessions (ticket_id, started_at);
