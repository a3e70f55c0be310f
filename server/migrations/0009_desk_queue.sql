-- The desk's queue: emergencies first, then high, then normal, the longest waiting first. The
-- urgency is computed from the priority, never stored apart from it; the index walks the queue
-- in its order, so a page reads about as many rows as it shows (the state, title and search
-- filters are checked on the way), and a shop's or a station's tickets come from their own
-- indexes.
ALTER TABLE tickets ADD COLUMN urgency INTEGER
    GENERATED ALWAYS AS (CASE priority WHEN 'emergency' THEN 0 WHEN 'high' THEN 1 ELSE 2 END) VIRTUAL;
CREATE INDEX tickets_queue ON tickets (urgency, created_at, id);
CREATE INDEX tickets_station ON tickets (station_id);
