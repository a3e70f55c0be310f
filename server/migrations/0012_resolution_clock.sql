-- The resolution clock of each ticket, projected like its first response: when it became
-- resolved or closed and stayed so, since when it waits for the customer, and the waits that
-- ended (JSON pairs of instants), which the clock does not count. Tickets from before this
-- version take their last change as the moment they were resolved or began to wait; their
-- earlier waits are not known and count as support's time.
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
ALTER TABLE tickets ADD COLUMN waiting_since TEXT;
ALTER TABLE tickets ADD COLUMN pauses TEXT NOT NULL DEFAULT '[]';
UPDATE tickets SET resolved_at = updated_at WHERE state IN ('resolved', 'closed');
UPDATE tickets SET waiting_since = updated_at WHERE state = 'waiting_for_customer';
-- The desk's monthly report reads the tickets filed in a month.
CREATE INDEX tickets_created ON tickets (created_at);
