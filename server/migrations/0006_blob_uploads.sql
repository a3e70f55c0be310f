-- Who is uploading a content and when it last moved: another device of the shop cannot wedge
-- an upload, a stalled one may be started again, and unfinished ones expire.
ALTER TABLE blobs ADD COLUMN uploader TEXT NOT NULL DEFAULT '';
ALTER TABLE blobs ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE blobs SET updated_at = created_at;
