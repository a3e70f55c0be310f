-- The desk's search: each ticket's title, request and thread (replies and internal notes) as
-- one text on its row, and a trigram index of it, so a word matches inside longer ones (German
-- runs words together: "Bondrucker"). A rare word is looked up in the index; a common one is
-- checked row by row while the queue is walked in its order (see storage/tables/desk.rs). Triggers keep
-- the index with the rows. Titles were searched alone before.
ALTER TABLE tickets ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE ticket_text USING fts5(
    search_text, content = 'tickets', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER tickets_text_added AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_text (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER tickets_text_removed AFTER DELETE ON tickets BEGIN
    INSERT INTO ticket_text (ticket_text, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER tickets_text_changed AFTER UPDATE OF search_text ON tickets BEGIN
    INSERT INTO ticket_text (ticket_text, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO ticket_text (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
UPDATE tickets SET search_text = (
    SELECT concat_ws(' ', tickets.title,
        json_extract(c.body, '$.ticket.request.doing'),
        json_extract(c.body, '$.ticket.request.expected'),
        json_extract(c.body, '$.ticket.request.error_message'),
        (SELECT group_concat(coalesce(json_extract(n.body, '$.comment.body'),
                                      json_extract(n.body, '$.note.body')), ' ')
         FROM changes n
         WHERE n.subject_id = tickets.id AND n.kind IN ('comment_added', 'internal_note_added')))
    FROM changes c WHERE c.revision = tickets.revision
);
