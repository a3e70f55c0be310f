//! Remote help in the local store: each station's tool and id, the cashier's consents and the
//! audit record of every session. Each write is one transaction with its outbox row, so the
//! records reach the central server like tickets do. Passwords never come here.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tickets::{enqueue, find_ticket};
use super::{find_station, parse_uuid, stored, stored_now, utc_text, Store, StoreError};
use crate::domain::stations::Station;
use crate::domain::wire_enum;
use crate::remote::ids::RemoteAddress;
use crate::remote::RemoteTool;
use crate::wire::ChangeBody;

wire_enum!(
    /// Why a session ended: the support person said so, or the tool they started exited.
    EndReason { EndedBySupport = "ended_by_support", ToolExited = "tool_exited" }
);

/// "Allow remote help" at the till: the cashier's consent, in force until they end it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub id: Uuid,
    pub station_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub given_by: String,
    pub given_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// The audit record of one remote session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteSession {
    pub id: Uuid,
    pub station_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub tool: RemoteTool,
    /// The station's id in the tool (not a secret: it is how support finds the station).
    pub remote_id: String,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<EndReason>,
    /// The cashier's consent in force at the station when the session started, if any.
    pub consent_id: Option<Uuid>,
    pub note: String,
}

/// A session about to be recorded; `station` and `ticket` are ids, names or numbers.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub address: &'a RemoteAddress,
    pub station: Option<&'a str>,
    pub ticket: Option<&'a str>,
    pub started_by: &'a str,
    pub note: &'a str,
}

/// Which sessions to list.
#[derive(Debug, Clone, Copy)]
pub enum SessionsOf<'a> {
    Station(&'a str),
    Ticket(&'a str),
    Everything,
}

const CONSENT_COLUMNS: &str = "id, station_id, ticket_id, given_by, given_at, ended_at";
const SESSION_COLUMNS: &str =
    "id, station_id, ticket_id, tool, remote_id, started_by, started_at, \
                               ended_at, end_reason, consent_id, note";

impl Store {
    /// Records the station's remote tool and its id there (already checked by the tool's
    /// rules), or forgets it with `None`.
    pub fn set_station_remote(
        &mut self,
        station: &str,
        remote: Option<&RemoteAddress>,
    ) -> Result<Station, StoreError> {
        let tx = self.write()?;
        let mut found = find_station(&tx, station)?;
        found.remote = remote.cloned();
        found.updated_at = stored_now();
        tx.execute(
            "UPDATE stations SET remote_tool = ?2, remote_id = ?3, updated_at = ?4 WHERE id = ?1",
            params![
                found.id.to_string(),
                remote.map(|r| r.tool.as_str()),
                remote.map(|r| r.id.as_str()),
                utc_text(found.updated_at),
            ],
        )?;
        enqueue(
            &tx,
            ChangeBody::StationRecorded {
                station: found.clone(),
            },
        )?;
        tx.commit()?;
        Ok(found)
    }

    /// The cashier allows remote help at their till. A consent already in force stays the one
    /// in force (a second touch does not stack consents).
    pub fn allow_remote_help(
        &mut self,
        station: &str,
        ticket: Option<&str>,
        given_by: &str,
    ) -> Result<Consent, StoreError> {
        let tx = self.write()?;
        let station = find_station(&tx, station)?;
        if let Some(consent) = consent_in_force(&tx, station.id)? {
            return Ok(consent);
        }
        let consent = Consent {
            id: Uuid::now_v7(),
            station_id: station.id,
            ticket_id: ticket
                .map(|t| find_ticket(&tx, t))
                .transpose()?
                .map(|t| t.id),
            given_by: given_by.trim().to_owned(),
            given_at: stored_now(),
            ended_at: None,
        };
        tx.execute(
            "INSERT INTO remote_consents (id, station_id, ticket_id, given_by, given_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                consent.id.to_string(),
                consent.station_id.to_string(),
                consent.ticket_id.map(|t| t.to_string()),
                consent.given_by,
                utc_text(consent.given_at),
            ],
        )?;
        enqueue(
            &tx,
            ChangeBody::ConsentRecorded {
                consent: consent.clone(),
            },
        )?;
        tx.commit()?;
        Ok(consent)
    }

    /// The cashier ends remote help; ending one already ended changes nothing.
    pub fn end_remote_help(&mut self, consent: Uuid) -> Result<Consent, StoreError> {
        let tx = self.write()?;
        let mut found = tx
            .query_row(
                &format!("SELECT {CONSENT_COLUMNS} FROM remote_consents WHERE id = ?1"),
                [consent.to_string()],
                consent_row,
            )
            .optional()?
            .transpose()?
            .ok_or_else(|| StoreError::NotFound {
                what: "consent",
                reference: consent.to_string(),
            })?;
        if found.ended_at.is_none() {
            found.ended_at = Some(stored_now());
            tx.execute(
                "UPDATE remote_consents SET ended_at = ?2 WHERE id = ?1",
                params![found.id.to_string(), found.ended_at.map(utc_text)],
            )?;
            enqueue(
                &tx,
                ChangeBody::ConsentRecorded {
                    consent: found.clone(),
                },
            )?;
        }
        tx.commit()?;
        Ok(found)
    }

    /// The consent in force at a station, if the cashier has allowed remote help.
    pub fn remote_help_in_force(&self, station: &str) -> Result<Option<Consent>, StoreError> {
        let station = find_station(&self.conn, station)?;
        consent_in_force(&self.conn, station.id)
    }

    /// Records that a session has started, with the consent in force at the station, if any.
    pub fn start_remote_session(
        &mut self,
        new: NewSession<'_>,
    ) -> Result<RemoteSession, StoreError> {
        let tx = self.write()?;
        let station = new.station.map(|s| find_station(&tx, s)).transpose()?;
        let ticket = new.ticket.map(|t| find_ticket(&tx, t)).transpose()?;
        let station_id = station
            .map(|s| s.id)
            .or(ticket.as_ref().and_then(|t| t.station_id));
        let consent_id = match station_id {
            Some(id) => consent_in_force(&tx, id)?.map(|c| c.id),
            None => None,
        };
        let session = RemoteSession {
            id: Uuid::now_v7(),
            station_id,
            ticket_id: ticket.map(|t| t.id),
            tool: new.address.tool,
            remote_id: new.address.id.clone(),
            started_by: new.started_by.trim().to_owned(),
            started_at: stored_now(),
            ended_at: None,
            end_reason: None,
            consent_id,
            note: new.note.trim().to_owned(),
        };
        tx.execute(
            "INSERT INTO remote_sessions (id, station_id, ticket_id, tool, remote_id, started_by, started_at, consent_id, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                session.id.to_string(),
                session.station_id.map(|s| s.to_string()),
                session.ticket_id.map(|t| t.to_string()),
                session.tool.as_str(),
                session.remote_id,
                session.started_by,
                utc_text(session.started_at),
                session.consent_id.map(|c| c.to_string()),
                session.note,
            ],
        )?;
        enqueue(
            &tx,
            ChangeBody::RemoteSessionRecorded {
                session: session.clone(),
            },
        )?;
        tx.commit()?;
        Ok(session)
    }

    /// Records a session's end. The first end counts: the support person's "end" and the
    /// tool's exit may both arrive, and the record keeps whichever came first.
    pub fn end_remote_session(
        &mut self,
        session: &str,
        reason: EndReason,
        note: Option<&str>,
    ) -> Result<RemoteSession, StoreError> {
        let tx = self.write()?;
        let mut found = find_session(&tx, session)?;
        if found.ended_at.is_none() {
            found.ended_at = Some(stored_now());
            found.end_reason = Some(reason);
            if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
                found.note = note.to_owned();
            }
            tx.execute(
                "UPDATE remote_sessions SET ended_at = ?2, end_reason = ?3, note = ?4 WHERE id = ?1",
                params![
                    found.id.to_string(),
                    found.ended_at.map(utc_text),
                    reason.as_str(),
                    found.note,
                ],
            )?;
            enqueue(
                &tx,
                ChangeBody::RemoteSessionRecorded {
                    session: found.clone(),
                },
            )?;
        }
        tx.commit()?;
        Ok(found)
    }

    /// Sessions newest first: of a station, of a ticket, or all of them (the shop's export).
    pub fn remote_sessions(&self, of: SessionsOf<'_>) -> Result<Vec<RemoteSession>, StoreError> {
        let (filter, key) = match of {
            SessionsOf::Station(station) => (
                "station_id = ?1",
                Some(find_station(&self.conn, station)?.id),
            ),
            SessionsOf::Ticket(ticket) => {
                ("ticket_id = ?1", Some(find_ticket(&self.conn, ticket)?.id))
            }
            SessionsOf::Everything => ("?1 IS NULL", None),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM remote_sessions WHERE {filter} ORDER BY started_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([key.map(|k| k.to_string())], session_row)?;
        rows.map(|r| r?).collect()
    }

    /// Every consent given at any till, newest first (the shop's export).
    pub fn remote_consents(&self) -> Result<Vec<Consent>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CONSENT_COLUMNS} FROM remote_consents ORDER BY given_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], consent_row)?;
        rows.map(|r| r?).collect()
    }
}

fn consent_in_force(
    conn: &rusqlite::Connection,
    station: Uuid,
) -> Result<Option<Consent>, StoreError> {
    conn.query_row(
        &format!("SELECT {CONSENT_COLUMNS} FROM remote_consents WHERE station_id = ?1 AND ended_at IS NULL"),
        [station.to_string()],
        consent_row,
    )
    .optional()?
    .transpose()
}

fn find_session(conn: &rusqlite::Connection, id: &str) -> Result<RemoteSession, StoreError> {
    conn.query_row(
        &format!("SELECT {SESSION_COLUMNS} FROM remote_sessions WHERE id = ?1"),
        [id.trim()],
        session_row,
    )
    .optional()?
    .transpose()?
    .ok_or_else(|| StoreError::NotFound {
        what: "session",
        reference: id.to_owned(),
    })
}

fn optional_uuid(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<Result<Option<Uuid>, StoreError>> {
    Ok(row
        .get::<_, Option<String>>(index)?
        .map(parse_uuid)
        .transpose())
}

fn consent_row(row: &Row<'_>) -> rusqlite::Result<Result<Consent, StoreError>> {
    let (id, station, ticket) = (row.get(0)?, row.get(1)?, optional_uuid(row, 2)?);
    let (given_by, given_at, ended_at) = (row.get(3)?, row.get(4)?, row.get(5)?);
    Ok((|| {
        Ok(Consent {
            id: parse_uuid(id)?,
            station_id: parse_uuid(station)?,
            ticket_id: ticket?,
            given_by,
            given_at,
            ended_at,
        })
    })())
}

fn session_row(row: &Row<'_>) -> rusqlite::Result<Result<RemoteSession, StoreError>> {
    let (id, station, ticket) = (row.get(0)?, optional_uuid(row, 1)?, optional_uuid(row, 2)?);
    let (tool, remote_id, started_by): (String, String, String) =
        (row.get(3)?, row.get(4)?, row.get(5)?);
    let (started_at, ended_at) = (row.get(6)?, row.get(7)?);
    let (end_reason, consent, note) = (
        row.get::<_, Option<String>>(8)?,
        optional_uuid(row, 9)?,
        row.get(10)?,
    );
    Ok((|| {
        Ok(RemoteSession {
            id: parse_uuid(id)?,
            station_id: station?,
            ticket_id: ticket?,
            tool: stored(&tool)?,
            remote_id,
            started_by,
            started_at,
            ended_at,
            end_reason: end_reason.as_deref().map(stored).transpose()?,
            consent_id: consent?,
            note,
        })
    })())
}
