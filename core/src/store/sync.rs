//! The local side of sync: where this installation is enrolled, the outbox as batches for the
//! server, and what the server said about each change.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::{parse_uuid, stored_now, utc_text, Store, StoreError};

/// A change waiting in the outbox, as it goes to the server.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxChange {
    pub change_id: Uuid,
    pub entity: String,
    pub entity_id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// What became of a pushed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// The server has it (now or from an earlier try): it leaves the outbox.
    Accepted,
    /// The server will never take it as it is: it stays, marked, and is not sent again.
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    pub server_url: String,
    pub shop_id: Uuid,
    pub station_id: Option<Uuid>,
    pub pull_cursor: u64,
}

/// What the UI and `stationdesk-cli sync` show about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: Option<SyncState>,
    /// Changes saved here and not yet on the server.
    pub pending: i64,
    /// Changes the server refused, with their reasons.
    pub rejected: Vec<(Uuid, String)>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl Store {
    pub fn set_enrolment(&mut self, state: &SyncState) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO sync_state (id, server_url, shop_id, station_id, pull_cursor) VALUES (1, ?1, ?2, ?3, 0)
             ON CONFLICT (id) DO UPDATE SET server_url = ?1, shop_id = ?2, station_id = ?3, pull_cursor = 0",
            params![
                state.server_url,
                state.shop_id.to_string(),
                state.station_id.map(|s| s.to_string())
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn enrolment(&self) -> Result<Option<SyncState>, StoreError> {
        let row: Option<(String, String, Option<String>, i64)> = self
            .conn
            .query_row(
                "SELECT server_url, shop_id, station_id, pull_cursor FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(server_url, shop, station, cursor)| {
            Ok(SyncState {
                server_url,
                shop_id: parse_uuid(shop)?,
                station_id: station.map(parse_uuid).transpose()?,
                pull_cursor: u64::try_from(cursor).unwrap_or(0),
            })
        })
        .transpose()
    }

    /// The oldest changes not yet accepted or refused, at most `limit`.
    pub fn outbox_batch(&self, limit: usize) -> Result<Vec<OutboxChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT change_id, entity, entity_id, kind, payload, created_at FROM outbox
             WHERE rejected_reason IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, DateTime<Utc>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (change_id, entity, entity_id, kind, payload, created_at) = row?;
            Ok(OutboxChange {
                change_id: parse_uuid(change_id)?,
                entity,
                entity_id: parse_uuid(entity_id)?,
                kind,
                payload: serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(format!("outbox payload: {e}")))?,
                created_at,
            })
        })
        .collect()
    }

    /// Settles what the server answered, in one transaction.
    pub fn settle_outbox(&mut self, results: &[(Uuid, Settled)]) -> Result<(), StoreError> {
        let tx = self.write()?;
        for (change_id, settled) in results {
            match settled {
                Settled::Accepted => tx.execute(
                    "DELETE FROM outbox WHERE change_id = ?1",
                    [change_id.to_string()],
                )?,
                Settled::Rejected(reason) => tx.execute(
                    "UPDATE outbox SET rejected_reason = ?2 WHERE change_id = ?1",
                    params![change_id.to_string(), reason],
                )?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Remembers how the last sync went: `None` for success, else the error in words.
    pub fn record_sync(&mut self, error: Option<&str>) -> Result<(), StoreError> {
        let tx = self.write()?;
        match error {
            None => tx.execute(
                "UPDATE sync_state SET last_success = ?1, last_error = NULL WHERE id = 1",
                [utc_text(stored_now())],
            )?,
            Some(error) => tx.execute(
                "UPDATE sync_state SET last_error = ?1 WHERE id = 1",
                [error],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let (last_success, last_error) = self
            .conn
            .query_row(
                "SELECT last_success, last_error FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, None));
        let mut stmt = self.conn.prepare_cached(
            "SELECT change_id, rejected_reason FROM outbox WHERE rejected_reason IS NOT NULL ORDER BY seq",
        )?;
        let rejected = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .map(|row| {
                let (id, reason) = row?;
                Ok((parse_uuid(id)?, reason))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let pending: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE rejected_reason IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(SyncStatus {
            enrolled: self.enrolment()?,
            pending,
            rejected,
            last_success,
            last_error,
        })
    }
}
