-- Where an attachment's content stands with the central server: its metadata travels as a
-- change, its bytes separately (resumable, checked by hash). 'upload': made here, not on the
-- server yet (every attachment before sync existed); 'download': pulled, content not here yet;
-- 'done'. Sync looks only at the few that are not done.
ALTER TABLE ticket_attachments ADD COLUMN transfer TEXT NOT NULL DEFAULT 'upload'
    CHECK (transfer IN ('upload', 'download', 'done'));
CREATE INDEX ticket_attachments_transfer ON ticket_attachments (transfer) WHERE transfer <> 'done';
