-- Roles inside a shop: Second Level shops and their named admins, and the till an entity
-- belongs to (so a till reads and changes only what it made; support's answers reach it).
ALTER TABLE shops ADD COLUMN second_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN named_contact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entities ADD COLUMN station_id TEXT REFERENCES stations (id);
ALTER TABLE changes ADD COLUMN station_id TEXT REFERENCES stations (id);
CREATE INDEX changes_station ON changes (station_id, revision) WHERE station_id IS NOT NULL;
