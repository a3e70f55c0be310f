-- The desk's own: who a ticket is assigned to, internal notes only the vendor's staff read, and
-- the callbacks tills asked for outside support hours.
-- A staff-only change is in the history like any other (it keeps its place in its shop's
-- sequence), but no shop or till pulls it, is told of it, or is counted for it.
ALTER TABLE changes ADD COLUMN staff_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN assignee_id TEXT;
-- A comment row that is the desk's internal note, not a reply the shop reads.
ALTER TABLE ticket_comments ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
-- "Mine" and "a colleague's" on the desk walk the queue's order within one agent's tickets.
CREATE INDEX tickets_assignee ON tickets (assignee_id, urgency, created_at, id)
    WHERE assignee_id IS NOT NULL;
-- A callback a till asked for and nobody has answered yet: the number, and since when.
ALTER TABLE tickets ADD COLUMN callback_phone TEXT;
ALTER TABLE tickets ADD COLUMN callback_requested_at TEXT;
CREATE INDEX tickets_callbacks ON tickets (callback_requested_at, id)
    WHERE callback_requested_at IS NOT NULL;
-- When each ticket first left "new", its first response: the queue's SLA clock counts to it.
-- Tickets answered before this version take it from their history.
ALTER TABLE tickets ADD COLUMN responded_at TEXT;
UPDATE tickets SET responded_at = (
    SELECT min(e.at) FROM ticket_events e JOIN changes c ON c.revision = e.revision
    WHERE e.ticket_id = tickets.id AND json_extract(c.body, '$.event.to_state') IS NOT NULL
) WHERE state <> 'new';
