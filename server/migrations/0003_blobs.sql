-- Attachment contents, uploaded separately from their metadata (a ticket_attachment change),
-- resumable chunk by chunk and checked against their SHA-256 before they count. Each shop keeps
-- its own copy (two shops may well send the same screenshot; neither learns of the other's).
-- Kept in the database so the online backup takes them along.
CREATE TABLE blobs (
    sha256     TEXT NOT NULL,
    -- The uploader's shop; '' for the vendor's staff.
    owner      TEXT NOT NULL,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    complete   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sha256, owner)
) STRICT, WITHOUT ROWID;

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL,
    owner  TEXT NOT NULL,
    offset INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (sha256, owner, offset),
    FOREIGN KEY (sha256, owner) REFERENCES blobs (sha256, owner) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
