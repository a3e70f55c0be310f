-- The words of the index once more, cut into trigrams, so that a typed word also finds the words
-- it stands inside: "drucker" finds "bondrucker", as German compounds need (see store/search.rs).
CREATE VIRTUAL TABLE search_word_grams USING fts5 (word, tokenize = 'trigram');
INSERT INTO search_word_grams (word) SELECT word FROM search_words;
