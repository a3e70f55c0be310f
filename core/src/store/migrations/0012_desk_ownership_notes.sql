-- Who a ticket is assigned to, as each "assigned" event says (none: back to the queue).
ALTER TABLE ticket_events ADD COLUMN assignee_id TEXT;
ALTER TABLE ticket_events ADD COLUMN assignee_name TEXT;

-- The vendor's staff's internal notes on a ticket, apart from the thread the shop reads, so no
-- list, search or export of the thread can carry one.
CREATE TABLE ticket_notes (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, created_at);

-- The signed-in staff member's account: an agent takes a ticket by giving it to themself.
ALTER TABLE sync_state ADD COLUMN staff_id TEXT;
