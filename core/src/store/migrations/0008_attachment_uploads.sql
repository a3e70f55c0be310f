-- Whether an attachment's content is on the central server: its metadata travels as a change,
-- its bytes separately (resumable, checked by hash). Pulled attachments are there already.
ALTER TABLE ticket_attachments ADD COLUMN uploaded INTEGER NOT NULL DEFAULT 0;
