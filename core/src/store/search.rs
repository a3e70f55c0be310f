//! Full-text search over tickets: the FTS5 index, the list of words it holds, and the query a
//! typed search becomes.
//!
//! Words match as prefixes ("Drucker" finds "Druckerfehler"), but FTS5 answers a prefix query by
//! merging the posting lists of every matching word in full before it returns the first hit,
//! which costs milliseconds for a word that is in thousands of tickets. Exact words are read
//! lazily, newest first, and stop after one page of hits. So `search_words` keeps every word the
//! index holds, folded as the index folds it, and a typed prefix is expanded through it into the
//! exact words it stands for; only a prefix that stands for very many words is left to FTS5.
//!
//! German runs words together (Bondrucker, Kassenschublade), so a typed word of three letters or
//! more also stands for the words it is inside: `search_word_grams` holds the same words cut into
//! trigrams, and answers "which words contain this" from the small word list, not the tickets.

use rusqlite::Connection;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use super::StoreError;

/// More words than this behind one prefix (one or two typed letters) are matched by FTS5 itself.
const MAX_EXPANSION: u32 = 24;

/// Puts a ticket's title, request and comments into the index, replacing what was there.
pub(super) fn index_ticket(tx: &Connection, ticket: Uuid) -> Result<(), StoreError> {
    let id = ticket.to_string();
    tx.prepare_cached(
        "DELETE FROM ticket_search WHERE rowid = (SELECT rowid FROM tickets WHERE id = ?1)",
    )?
    .execute([&id])?;
    let (title, body): (String, String) = tx.prepare_cached(
        "INSERT INTO ticket_search (rowid, title, body)
         SELECT t.rowid, t.title,
                concat_ws(' ', json_extract(t.request, '$.doing'), json_extract(t.request, '$.expected'),
                          json_extract(t.request, '$.error_message'),
                          (SELECT group_concat(body, ' ') FROM ticket_comments WHERE ticket_id = t.id))
         FROM tickets t WHERE t.id = ?1
         RETURNING title, body",
    )?
    .query_row(
        [&id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut remember =
        tx.prepare_cached("INSERT OR IGNORE INTO search_words (word) VALUES (?1)")?;
    let mut cut = tx.prepare_cached("INSERT INTO search_word_grams (word) VALUES (?1)")?;
    for word in folded_words(&title).chain(folded_words(&body)) {
        if remember.execute([&word])? == 1 {
            cut.execute([&word])?;
        }
    }
    Ok(())
}

/// The FTS5 query for what a user typed: every word must occur; a word ending in a digit matches
/// exactly ("Artikel 300" is not Artikel 3001, "E-9" not E-97), any other as a prefix. A word
/// with inner punctuation ("Z-Bon", "E-42") is a phrase of its parts. `None` when nothing
/// searchable was typed.
pub(super) fn match_expression(
    conn: &Connection,
    typed: &str,
) -> Result<Option<String>, StoreError> {
    let mut starting_with = conn.prepare_cached(
        "SELECT word FROM search_words WHERE word >= ?1 AND word < ?1 || char(1114111) LIMIT ?2",
    )?;
    let mut containing = conn.prepare_cached(
        "SELECT word FROM search_word_grams WHERE search_word_grams MATCH ?1 LIMIT ?2",
    )?;
    let mut terms = Vec::new();
    for typed_word in typed.split_whitespace() {
        let parts: Vec<String> = folded_words(typed_word).collect();
        let Some((last, leading)) = parts.split_last() else {
            continue;
        };
        let phrase = |last: &str| {
            let mut words = leading.to_vec();
            words.push(last.to_owned());
            format!("\"{}\"", words.join(" "))
        };
        if last.ends_with(|c: char| c.is_ascii_digit()) {
            terms.push(phrase(last));
            continue;
        }
        // Trigrams need three letters; a shorter word stands for the words it starts.
        let (lookup, key) = if last.chars().count() >= 3 {
            (&mut containing, format!("\"{last}\""))
        } else {
            (&mut starting_with, last.clone())
        };
        let words: Vec<String> = lookup
            .query_map(rusqlite::params![key, MAX_EXPANSION + 1], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        terms.push(
            if words.is_empty() || words.len() > MAX_EXPANSION as usize {
                // Too many words to list, or a word folded differently from the index: FTS5 knows.
                format!("{}*", phrase(last))
            } else {
                let phrases: Vec<String> = words.iter().map(|w| phrase(w)).collect();
                format!("({})", phrases.join(" OR "))
            },
        );
    }
    Ok((!terms.is_empty()).then(|| terms.join(" AND ")))
}

/// The words of a text as the index's tokenizer (`unicode61 remove_diacritics 2`) sees them:
/// split at anything that is not a letter or digit, lower case, accents removed.
fn folded_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_as_the_index_folds_them() {
        let words: Vec<String> = folded_words("Preisänderung: Z-Bon, E-42 (Kasse 3)").collect();
        assert_eq!(
            words,
            ["preisanderung", "z", "bon", "e", "42", "kasse", "3"]
        );
    }

    #[test]
    fn prefixes_expand_to_the_words_the_index_holds() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE search_words (word TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
             INSERT INTO search_words VALUES ('drucker'), ('druckerfehler'), ('bondrucker'),
                                             ('bon'), ('e'), ('42');",
        )
        .unwrap();
        conn.execute_batch(include_str!("migrations/0010_search_inside_words.sql"))
            .unwrap();
        let query = |typed| match_expression(&conn, typed).unwrap();
        assert_eq!(
            query("Drucker").as_deref(),
            Some(r#"("bondrucker" OR "drucker" OR "druckerfehler")"#),
            "the compound it stands inside too"
        );
        assert_eq!(
            query("dr").as_deref(),
            Some(r#"("drucker" OR "druckerfehler")"#)
        );
        assert_eq!(
            query("Z-Bon E-42").as_deref(),
            Some(r#"("z bon" OR "z bondrucker") AND "e 42""#)
        );
        // A prefix no stored word starts with is left to FTS5, which then finds nothing.
        assert_eq!(query("Waage").as_deref(), Some(r#""waage"*"#));
        assert_eq!(query(" \"- ").as_deref(), None);
    }
}
