-- A station's tickets newest first (the station view's default) without sorting all of them.
CREATE INDEX tickets_station_created ON tickets (station_id, created_at);
