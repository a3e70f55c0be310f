//! The local side of sync: where this installation is enrolled, the outbox as batches for the
//! server, and what the server said about each change.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::HookResult;
use serde::Serialize;
use serde_json::value::RawValue;
use stationdesk_protocol::{Entity, Revisioned, Role};
use uuid::Uuid;

use super::search;
use super::tickets::{
    to_json, write_attachment_row, write_comment_row, write_event_row, write_quote_row,
    write_ticket_row, Thread,
};
use super::{load_contracts, parse_uuid, stored_now, utc_text, write_contract, Store, StoreError};
use crate::domain::stations::Station;
use crate::domain::tickets::Priority;
use crate::wire::{read_pulled, Change, ChangeBody, LegacyOf, LegacyRow};

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
    /// `None` for the vendor's staff, who work for every shop.
    pub shop_id: Option<Uuid>,
    /// The till this installation was enrolled as, if it was.
    pub station_id: Option<Uuid>,
    pub pull_cursor: u64,
    /// The staff member signed in here; sync speaks for them instead of the till.
    pub staff: Option<Staff>,
}

/// A pulled change kept aside: where it stands in the server's history, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetAside {
    pub revision: u64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    /// The staff account on the server (unknown for a session signed in before it was kept).
    pub id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// What the UI and `stationdesk-cli sync` show about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: Option<SyncState>,
    /// Changes saved here and not yet on the server.
    pub pending: i64,
    /// Changes the server refused, with their reasons.
    pub rejected: Vec<(Uuid, String)>,
    /// Pulled changes this version could not read or apply, with their reasons; the changes
    /// behind them were applied.
    pub set_aside: Vec<SetAside>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The server no longer accepts this installation's token (a till disconnected, a session
    /// ended): `last_error` says whether to sign in or enrol again.
    pub access_ended: bool,
}

const SERVER_CA_KEY: &str = "server_ca_pem";

/// How a sync failed, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFailure {
    pub message: String,
    pub access_ended: bool,
}

/// What a pulled page did here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Changes that added or changed something here.
    pub applied: usize,
    /// Changes already here (our own, coming back) or of a kind this version does not keep.
    pub skipped: usize,
    /// Changes this version could not read or apply: kept aside with the reason (Settings
    /// shows them), never in the way of the rest.
    pub set_aside: usize,
    /// Emergency tickets that arrived from elsewhere: the support desk is told at once.
    pub emergencies: Vec<ArrivedEmergency>,
    /// The history was read from its start (the first sync here, or after a sign-in): what
    /// came was waiting already rather than arriving now, and is summarised, not alerted one
    /// by one.
    pub catching_up: bool,
    /// The server's history moved on since the last sync, here or not: what is read from the
    /// server (the desk's queue) may read differently.
    pub moved_on: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArrivedEmergency {
    pub id: Uuid,
    pub number: String,
    pub title: String,
}

/// Migration 0009: the outbox rows of an earlier version, read into the typed vocabulary in
/// their order. One that cannot be read stays in the outbox, refused with the reason.
pub(super) fn upgrade_legacy_outbox(tx: &rusqlite::Transaction<'_>) -> HookResult {
    type OutboxRow = (i64, String, String, String, String, String, String);
    let rows: Vec<OutboxRow> = tx
        .prepare(
            "SELECT seq, change_id, entity, entity_id, kind, payload, created_at
             FROM outbox_legacy ORDER BY seq",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (seq, change_id, entity, entity_id, kind, payload, created_at) in rows {
        let upgraded = LegacyRow {
            change_id: &change_id,
            entity: &entity,
            entity_id: &entity_id,
            kind: &kind,
            payload: &payload,
            created_at: &created_at,
        }
        .upgrade(LegacyOf::Outbox)
        .map(|change| {
            // A contract asked for before the update waits for the server's confirmation.
            let ordered = match change.body {
                ChangeBody::ContractOrdered { .. } | ChangeBody::ContractNoticeGiven { .. } => {
                    Some(change.body.subject().1)
                }
                _ => None,
            };
            (
                change.body.kind(),
                serde_json::to_string(&change).expect("serialises"),
                ordered,
            )
        });
        // A refusal from before is not kept: a server of this version may well take the
        // change, and an older client refused everything pushed to an updated server.
        let (kind, body, rejected, ordered) = match upgraded {
            Ok((kind, body, ordered)) => (kind.to_owned(), body, None, ordered),
            Err(reason) => (
                format!("{entity} {kind}"),
                payload,
                Some(format!(
                    "this change from an earlier version cannot be sent: {reason}"
                )),
                None,
            ),
        };
        tx.execute(
            "INSERT INTO outbox (seq, change_id, kind, body, rejected_reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq, change_id, kind, body, rejected],
        )?;
        if let Some(contract) = ordered {
            tx.execute(
                "UPDATE contracts SET awaiting_confirmation = 1 WHERE id = ?1",
                [contract.to_string()],
            )?;
        }
    }
    tx.execute_batch("DROP TABLE outbox_legacy")?;
    Ok(())
}

impl Store {
    /// Applies one pulled page in one transaction and moves the cursor with it, so a crash
    /// half-way leaves neither half a page nor a cursor past what was applied. Tickets merge as
    /// event logs: events and comments by union (by id), the state follows the server's order
    /// of events. A change this version cannot read or apply is set aside with the reason (each
    /// change has its own savepoint), and the rest of the page goes on. Nothing applied here
    /// goes to the outbox.
    pub fn apply_pulled(
        &mut self,
        changes: &[Revisioned],
        cursor: u64,
    ) -> Result<Applied, StoreError> {
        let tx = self.write()?;
        let applied = apply_changes(&tx, changes)?;
        tx.execute(
            "UPDATE sync_state SET pull_cursor = ?1 WHERE id = 1",
            [i64::try_from(cursor).unwrap_or(i64::MAX)],
        )?;
        tx.commit()?;
        Ok(applied)
    }

    /// The vendor's own CA certificate (PEM), trusted for its server besides the system's
    /// roots, when it gave one at enrolment.
    pub fn server_ca(&self) -> Result<Option<String>, StoreError> {
        self.setting(SERVER_CA_KEY)
    }

    pub fn set_server_ca(&mut self, pem: Option<&str>) -> Result<(), StoreError> {
        let tx = self.write()?;
        super::put_setting(&tx, SERVER_CA_KEY, pem)?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_enrolment(&mut self, state: &SyncState) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO sync_state (id, server_url, shop_id, station_id, pull_cursor, staff_email, staff_name, staff_role, staff_id)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET server_url = ?1, shop_id = ?2, station_id = ?3,
                 pull_cursor = ?4, staff_email = ?5, staff_name = ?6, staff_role = ?7, staff_id = ?8,
                 access_ended = 0",
            params![
                state.server_url,
                state.shop_id.map(|s| s.to_string()),
                state.station_id.map(|s| s.to_string()),
                i64::try_from(state.pull_cursor).unwrap_or(i64::MAX),
                state.staff.as_ref().map(|s| s.email.as_str()),
                state.staff.as_ref().map(|s| s.name.as_str()),
                state.staff.as_ref().map(|s| s.role.as_str()),
                state
                    .staff
                    .as_ref()
                    .and_then(|s| s.id)
                    .map(|id| id.to_string()),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn enrolment(&self) -> Result<Option<SyncState>, StoreError> {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT server_url, shop_id, station_id, pull_cursor, staff_email, staff_name, staff_role,
                        staff_id
                 FROM sync_state WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()?;
        row.map(
            |(server_url, shop, station, cursor, email, name, role, id)| {
                let staff = match (email, name, role) {
                    (Some(email), Some(name), Some(role)) => Some(Staff {
                        id: id.map(parse_uuid).transpose()?,
                        email,
                        name,
                        role: Role::parse(&role).ok_or_else(|| {
                            StoreError::Corrupt(format!("unknown staff role {role:?}"))
                        })?,
                    }),
                    _ => None,
                };
                Ok(SyncState {
                    server_url,
                    shop_id: shop.map(parse_uuid).transpose()?,
                    station_id: station.map(parse_uuid).transpose()?,
                    pull_cursor: u64::try_from(cursor).unwrap_or(0),
                    staff,
                })
            },
        )
        .transpose()
    }

    /// Attachment contents this installation has and the server has not yet: hash and size.
    pub fn contents_to_upload(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.attachment_contents("upload").map(|all| {
            all.into_iter()
                .filter(|(sha, _)| self.attachment_path(sha).exists())
                .collect()
        })
    }

    /// Attachment contents the server has and this installation not yet (pulled metadata).
    pub fn contents_to_download(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.attachment_contents("download")
    }

    fn attachment_contents(&self, transfer: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT sha256, size FROM ticket_attachments WHERE transfer = ?1 ORDER BY sha256",
        )?;
        let rows = stmt.query_map([transfer], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        rows.map(|row| {
            let (sha, size) = row?;
            Ok((sha, u64::try_from(size).unwrap_or(0)))
        })
        .collect()
    }

    pub fn attachment_content(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.attachment_path(sha256);
        std::fs::read(&path).map_err(|e| StoreError::from_io(&path, e))
    }

    /// The content is both here and on the server.
    pub fn mark_transferred(&mut self, sha256: &str) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE ticket_attachments SET transfer = 'done' WHERE sha256 = ?1",
            [sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps a downloaded content, if it is what its hash says; otherwise says so and keeps
    /// nothing.
    pub fn keep_downloaded(&mut self, sha256: &str, bytes: &[u8]) -> Result<(), StoreError> {
        use sha2::Digest;
        let actual = format!("{:x}", sha2::Sha256::digest(bytes));
        if actual != sha256 {
            return Err(StoreError::Corrupt(format!(
                "the server's content for attachment {sha256} has the hash {actual}"
            )));
        }
        self.store_content(sha256, bytes)?;
        self.mark_transferred(sha256)
    }

    /// Changes the server refused go out once more: after a staff member signs in, what a till
    /// could not send may be theirs to send.
    pub fn retry_rejected(&mut self) -> Result<usize, StoreError> {
        let tx = self.write()?;
        let count = tx.execute(
            "UPDATE outbox SET rejected_reason = NULL WHERE rejected_reason IS NOT NULL",
            [],
        )?;
        tx.commit()?;
        Ok(count)
    }

    /// The oldest changes not yet accepted or refused, at most `limit`, as the protocol writes
    /// them.
    pub fn outbox_batch(&self, limit: usize) -> Result<Vec<(Uuid, Box<RawValue>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT change_id, body FROM outbox WHERE rejected_reason IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (change_id, body) = row?;
            Ok((
                parse_uuid(change_id)?,
                RawValue::from_string(body)
                    .map_err(|e| StoreError::Corrupt(format!("an outbox change: {e}")))?,
            ))
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

    /// Who is signed in here, if a staff member is: whoever writes from this installation.
    pub fn signed_in_name(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .enrolment()?
            .and_then(|state| state.staff)
            .map(|staff| staff.name))
    }

    /// Remembers how the last sync went: `None` for success, else the error in words.
    pub fn record_sync(&mut self, failure: Option<&SyncFailure>) -> Result<(), StoreError> {
        let tx = self.write()?;
        match failure {
            None => tx.execute(
                "UPDATE sync_state SET last_success = ?1, last_error = NULL, access_ended = 0
                 WHERE id = 1",
                [utc_text(stored_now())],
            )?,
            Some(failure) => tx.execute(
                "UPDATE sync_state SET last_error = ?1, access_ended = ?2 WHERE id = 1",
                rusqlite::params![failure.message, failure.access_ended],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let (last_success, last_error, access_ended) = self
            .conn
            .query_row(
                "SELECT last_success, last_error, access_ended FROM sync_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((None, None, false));
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
        let set_aside = self
            .conn
            .prepare_cached("SELECT revision, reason, at FROM set_aside ORDER BY revision")?
            .query_map([], |r| {
                Ok(SetAside {
                    revision: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    reason: r.get(1)?,
                    at: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(SyncStatus {
            enrolled: self.enrolment()?,
            pending,
            rejected,
            set_aside,
            last_success,
            last_error,
            access_ended,
        })
    }
}

/// A station as the server last had it. Two tills may each have named a station "Kasse 1"
/// before they synced: the pulled one then keeps its name with a short mark of its id, so
/// neither disappears and an admin can rename one.
pub(super) fn write_station(tx: &Connection, station: &Station) -> Result<bool, StoreError> {
    let upsert = |name: &str| {
        tx.prepare_cached(
            "INSERT INTO stations (id, name, location, created_at, updated_at, remote_tool, remote_id,
                                   compliance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?2, location = ?3, updated_at = ?5,
                                            remote_tool = ?6, remote_id = ?7, compliance = ?8",
        )?
        .execute(
            params![
                station.id.to_string(),
                name,
                station.location,
                utc_text(station.created_at),
                utc_text(station.updated_at),
                station.remote.as_ref().map(|r| r.tool.as_str()),
                station.remote.as_ref().map(|r| r.id.as_str()),
                station.compliance.as_ref().map(to_json),
            ],
        )
    };
    match upsert(&station.name) {
        Ok(written) => Ok(written > 0),
        Err(error)
            if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
        {
            let id = station.id.simple().to_string();
            Ok(upsert(&format!("{} ({})", station.name, &id[id.len() - 4..]))? > 0)
        }
        Err(error) => Err(error.into()),
    }
}

/// Applies pulled changes within `tx`, each on its own savepoint: one this version cannot read
/// or apply is set aside with the reason, and the rest go on.
pub(super) fn apply_changes(
    tx: &Connection,
    changes: &[Revisioned],
) -> Result<Applied, StoreError> {
    let mut applied = Applied::default();
    for pulled in changes {
        let outcome = match read_pulled(pulled.change.get()) {
            Ok(change) => {
                // Each change on its own savepoint (cached statements: one per change).
                tx.prepare_cached("SAVEPOINT pulled")?.execute([])?;
                match apply_one(tx, &change, &mut applied.emergencies) {
                    Ok(changed) => {
                        tx.prepare_cached("RELEASE pulled")?.execute([])?;
                        Ok(changed)
                    }
                    Err(error) if is_about_the_change(&error) => {
                        tx.prepare_cached("ROLLBACK TO pulled")?.execute([])?;
                        tx.prepare_cached("RELEASE pulled")?.execute([])?;
                        Err(error.to_string())
                    }
                    Err(error) => return Err(error),
                }
            }
            Err(reason) => Err(reason),
        };
        match outcome {
            Ok(true) => applied.applied += 1,
            Ok(false) => applied.skipped += 1,
            Err(reason) => {
                tx.execute(
                    "INSERT OR REPLACE INTO set_aside (revision, change, reason, at) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        i64::try_from(pulled.revision).unwrap_or(i64::MAX),
                        pulled.change.get(),
                        reason,
                        utc_text(stored_now())
                    ],
                )?;
                applied.set_aside += 1;
            }
        }
    }
    Ok(applied)
}

/// One pulled change, applied; true when it added or changed something here.
fn apply_one(
    tx: &Connection,
    change: &Change,
    emergencies: &mut Vec<ArrivedEmergency>,
) -> Result<bool, StoreError> {
    let changed = match &change.body {
        ChangeBody::TicketFiled { ticket } => {
            let arrived = write_ticket_row(tx, ticket)?;
            if arrived && ticket.priority == Priority::Emergency {
                emergencies.push(ArrivedEmergency {
                    id: ticket.id,
                    number: ticket.number(),
                    title: ticket.title.clone(),
                });
            }
            arrived
        }
        ChangeBody::TicketEvent { ticket_id, event } => {
            let written = write_event_row(tx, *ticket_id, event)?;
            // Even our own event, coming back: the server's order decides the state.
            match event.to_state {
                Some(state) => {
                    tx.prepare_cached(
                        "UPDATE tickets SET state = ?2 WHERE id = ?1 AND state <> ?2",
                    )?
                    .execute(params![ticket_id.to_string(), state.as_str()])?
                        == 1
                        || written
                }
                None => written,
            }
        }
        ChangeBody::CommentAdded { ticket_id, comment } => {
            write_comment_row(tx, Thread::Replies, *ticket_id, comment)?
        }
        ChangeBody::InternalNoteAdded { ticket_id, note } => {
            write_comment_row(tx, Thread::InternalNotes, *ticket_id, note)?
        }
        ChangeBody::AttachmentAdded {
            ticket_id,
            attachment,
        } => write_attachment_row(tx, *ticket_id, attachment, "download")?,
        ChangeBody::QuoteOffered { ticket_id, quote }
        | ChangeBody::QuoteDecided { ticket_id, quote } => write_quote_row(tx, *ticket_id, quote)?,
        ChangeBody::StationRecorded { station } => write_station(tx, station)?,
        ChangeBody::ContractConfirmed { contract } => {
            let here = load_contracts(tx, Some(contract.id))?.pop();
            let awaiting: bool = tx
                .query_row(
                    "SELECT awaiting_confirmation FROM contracts WHERE id = ?1",
                    [contract.id.to_string()],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(false);
            let differs = here.as_ref() != Some(contract) || awaiting;
            if differs {
                write_contract(tx, contract)?;
            }
            differs
        }
        // What a shop asks of the server comes back as the server's answer, and the records of
        // remote help are kept where they were made and on the server.
        ChangeBody::ContractOrdered { .. }
        | ChangeBody::ContractNoticeGiven { .. }
        | ChangeBody::RemoteSessionRecorded { .. }
        | ChangeBody::ConsentRecorded { .. } => false,
    };
    if let (true, (Entity::Ticket, ticket_id)) = (changed, change.body.subject()) {
        tx.prepare_cached("UPDATE tickets SET updated_at = max(updated_at, ?2) WHERE id = ?1")?
            .execute(params![ticket_id.to_string(), utc_text(change.created_at)])?;
        search::index_ticket(tx, ticket_id)?;
    }
    Ok(changed)
}

/// Whether applying a pulled change failed because of the change (it names what is not here,
/// or breaks a rule of this store), rather than because of the store itself (a full disk).
fn is_about_the_change(error: &StoreError) -> bool {
    match error {
        StoreError::Sqlite(e) => {
            e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        }
        StoreError::Domain(_) | StoreError::Corrupt(_) | StoreError::NotFound { .. } => true,
        _ => false,
    }
}
