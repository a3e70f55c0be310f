-- Every word the search index holds, folded as the index folds it, so that a typed prefix can be
-- expanded into whole words (see store/search.rs). Words are only ever added: a word no longer in
-- any ticket costs one row and finds nothing.
CREATE TABLE search_words (word TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.indexed_words USING fts5vocab (main, ticket_search, 'row');
INSERT INTO search_words (word) SELECT term FROM temp.indexed_words;
DROP TABLE temp.indexed_words;
