-- The desk's app keeps only the tickets an agent opened: their history, and their tills'
-- records, are read by what they are about.
CREATE INDEX changes_subject ON changes (subject_id, revision);
