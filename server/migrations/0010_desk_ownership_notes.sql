-- The desk's own: who a ticket is assigned to, and internal notes only the vendor's staff read.
-- A staff-only change is in the history like any other (it keeps its place in its shop's
-- sequence), but no shop or till pulls it, is told of it, or is counted for it.
ALTER TABLE changes ADD COLUMN staff_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN assignee_id TEXT;
ALTER TABLE ticket_comments ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
-- "Mine" and "a colleague's" on the desk walk the queue's order within one agent's tickets.
CREATE INDEX tickets_assignee ON tickets (assignee_id, urgency, created_at, id)
    WHERE assignee_id IS NOT NULL;
