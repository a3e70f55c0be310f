-- The server stopped accepting this installation's token (a till disconnected by an admin, a
-- staff session that ended): the app asks to enrol or sign in again, and keeps the outbox.
ALTER TABLE sync_state ADD COLUMN access_ended INTEGER NOT NULL DEFAULT 0;
