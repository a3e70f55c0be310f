//! What the support desk's app keeps: the tickets an agent opened or filed, each up to the
//! newest revision of it read from the server, and the emergencies it alerted to. Every other
//! ticket stays on the server, asked for a page at a time.

use rusqlite::params;
use stationdesk_protocol::{FollowedTicket, Revisioned, MAX_FOLLOWED};
use uuid::Uuid;

use super::sync::{apply_changes, Applied};
use super::{parse_uuid, stored_now, utc_text, Store, StoreError};
use crate::domain::DomainError;

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

    /// Of the tickets the desk should be alerted to now for `reason` (an emergency waiting, a
    /// clock about to run out), those it was not alerted to before; each is remembered, and
    /// those no longer in `current` for that reason are forgotten.
    pub fn newly_alerted(
        &mut self,
        reason: &str,
        current: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        let tx = self.write()?;
        let mut new = Vec::new();
        for id in current {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO desk_alerted (ticket_id, reason) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id.to_string(), reason])?;
            if inserted == 1 {
                new.push(*id);
            }
        }
        let still: Vec<String> = current.iter().map(Uuid::to_string).collect();
        tx.execute(
            "DELETE FROM desk_alerted
             WHERE reason = ?1 AND ticket_id NOT IN (SELECT value FROM json_each(?2))",
            params![
                reason,
                serde_json::to_string(&still).expect("strings serialise")
            ],
        )?;
        tx.commit()?;
        Ok(new)
    }

    /// How long before an SLA clock runs out the desk is warned (a setting of this
    /// installation).
    pub fn sla_warning(&self) -> Result<chrono::Duration, StoreError> {
        let minutes = self
            .setting(SLA_WARNING_KEY)?
            .and_then(|text| text.parse().ok())
            .unwrap_or(DEFAULT_SLA_WARNING_MINUTES);
        Ok(chrono::Duration::minutes(minutes))
    }

    pub fn set_sla_warning(&mut self, minutes: i64) -> Result<(), StoreError> {
        if !(1..=MAX_SLA_WARNING_MINUTES).contains(&minutes) {
            return Err(DomainError::SlaWarning {
                given: minutes,
                max: MAX_SLA_WARNING_MINUTES,
            }
            .into());
        }
        let tx = self.write()?;
        super::put_setting(&tx, SLA_WARNING_KEY, Some(&minutes.to_string()))?;
        tx.commit()?;
        Ok(())
    }
}

const SLA_WARNING_KEY: &str = "desk.sla_warning_minutes";
const DEFAULT_SLA_WARNING_MINUTES: i64 = 30;
/// A working day: a warning earlier than that warns of everything.
const MAX_SLA_WARNING_MINUTES: i64 = 9 * 60;
