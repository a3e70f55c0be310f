-- The desk's search: every ticket's title, request and thread (replies and internal notes) in
-- one trigram index, a row per ticket at the ticket's rowid, so a word matches inside longer
-- ones (German runs words together: "Bondrucker") and a search reads the index, not the
-- tickets. Titles were searched alone before.
CREATE VIRTUAL TABLE ticket_text USING fts5(text, tokenize = 'trigram');
INSERT INTO ticket_text (rowid, text)
SELECT t.rowid, concat_ws(' ', t.title,
        json_extract(c.body, '$.ticket.request.doing'),
        json_extract(c.body, '$.ticket.request.expected'),
        json_extract(c.body, '$.ticket.request.error_message'),
        (SELECT group_concat(coalesce(json_extract(n.body, '$.comment.body'),
                                      json_extract(n.body, '$.note.body')), ' ')
         FROM changes n
         WHERE n.subject_id = t.id AND n.kind IN ('comment_added', 'internal_note_added')))
FROM tickets t LEFT JOIN changes c ON c.revision = t.revision;
