//! What the support desk's app keeps: the tickets an agent opened or filed, each up to the
//! newest revision of it read from the server, and the emergencies it alerted to. Every other
//! ticket stays on the server, asked for a page at a time.

use rusqlite::{params, OptionalExtension};
use stationdesk_protocol::{FollowedTicket, Revisioned, MAX_FOLLOWED};
use uuid::Uuid;

use super::sync::{apply_changes, Applied};
use super::{parse_uuid, stored_now, utc_text, Store, StoreError};

fn cursor_value(revision: u64) -> i64 {
    i64::try_from(revision).unwrap_or(i64::MAX)
}

impl Store {
    /// A ticket the agent opened, with its whole history as the server answered it: applied
    /// here, and followed from now on. The history is the ticket's own, so nothing in it is an
    /// emergency arriving now.
    pub fn keep_opened(
        &mut self,
        ticket: Uuid,
        history: &[Revisioned],
    ) -> Result<Applied, StoreError> {
        let tx = self.write()?;
        let mut applied = apply_changes(&tx, history)?;
        applied.emergencies.clear();
        let newest = history.iter().map(|change| change.revision).max();
        tx.execute(
            "INSERT INTO desk_followed (ticket_id, revision, opened_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (ticket_id) DO UPDATE
             SET revision = max(revision, excluded.revision), opened_at = excluded.opened_at",
            params![
                ticket.to_string(),
                cursor_value(newest.unwrap_or(0)),
                utc_text(stored_now())
            ],
        )?;
        tx.commit()?;
        Ok(applied)
    }

    /// Records the desk read beside a ticket or a shop (the tills'), kept without following.
    pub fn keep_records(&mut self, records: &[Revisioned]) -> Result<Applied, StoreError> {
        let tx = self.write()?;
        let applied = apply_changes(&tx, records)?;
        tx.commit()?;
        Ok(applied)
    }

    /// The tickets to keep up to date, the last opened first: all but the closed ones, up to
    /// the most the server follows at once.
    pub fn followed_tickets(&self) -> Result<Vec<FollowedTicket>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT f.ticket_id, f.revision FROM desk_followed f
                 LEFT JOIN tickets t ON t.id = f.ticket_id
                 WHERE t.state IS NULL OR t.state <> 'closed'
                 ORDER BY f.opened_at DESC LIMIT ?1",
            )?
            .query_map([MAX_FOLLOWED as i64], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?
            .map(|row| {
                let (id, revision) = row?;
                Ok(FollowedTicket {
                    id: parse_uuid(id)?,
                    after: u64::try_from(revision).unwrap_or(0),
                })
            })
            .collect()
    }

    /// What changed on the `followed` tickets, applied; each is now held up to `cursor`, and
    /// so is the desk (its event stream wakes it for anything newer).
    pub fn apply_followed(
        &mut self,
        changes: &[Revisioned],
        followed: &[FollowedTicket],
        cursor: u64,
    ) -> Result<Applied, StoreError> {
        let tx = self.write()?;
        let mut applied = apply_changes(&tx, changes)?;
        applied.emergencies.clear();
        let mut held = tx.prepare_cached(
            "UPDATE desk_followed SET revision = max(revision, ?2) WHERE ticket_id = ?1",
        )?;
        for ticket in followed {
            held.execute(params![ticket.id.to_string(), cursor_value(cursor)])?;
        }
        drop(held);
        tx.execute(
            "UPDATE sync_state SET pull_cursor = max(pull_cursor, ?1) WHERE id = 1",
            [cursor_value(cursor)],
        )?;
        tx.commit()?;
        Ok(applied)
    }

    /// Of the emergencies waiting on the desk now, those not alerted to before; each is
    /// remembered, and those no longer waiting are forgotten.
    pub fn newly_waiting_emergencies(&mut self, waiting: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
        let tx = self.write()?;
        let mut new = Vec::new();
        for id in waiting {
            let id = id.to_string();
            let known = tx
                .prepare_cached("SELECT 1 FROM desk_alerted WHERE ticket_id = ?1")?
                .query_row([&id], |_| Ok(()))
                .optional()?;
            if known.is_none() {
                tx.prepare_cached("INSERT INTO desk_alerted (ticket_id) VALUES (?1)")?
                    .execute([&id])?;
                new.push(parse_uuid(id)?);
            }
        }
        let still: Vec<String> = waiting.iter().map(Uuid::to_string).collect();
        tx.execute(
            "DELETE FROM desk_alerted WHERE ticket_id NOT IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&still).expect("strings serialise")],
        )?;
        tx.commit()?;
        Ok(new)
    }
}
