//! The change history and the server's own tables in SQLite: a pushed change goes through the
//! door ([`crate::door`]), and what it lets in is appended to the history and projected into
//! the tables in the same transaction. The history is what clients pull; the tables are the
//! current state that later work queries, and replaying the history rebuilds them.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use rusqlite_migration::HookResult;
use serde_json::value::RawValue;
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::domain::stations::Station;
use stationdesk_core::store::{EventKind, Quote};
use stationdesk_core::wire::{Change, ChangeBody, LegacyOf, LegacyRow};
use stationdesk_protocol::{Outcome, PullResponse, Revisioned, Role};
use uuid::Uuid;

use crate::args;
use crate::door::{self, Facts, Refusal, TicketNow};
use crate::policy::{Owner, Reach};
use crate::quota::Usage;
use crate::storage::memory::{Committed, Scope};
use crate::storage::sql::{utc_text, Dialect, Sql};
use crate::storage::{Caller, StorageError};

/// The most bytes of changes one pull page carries, whatever their count: a page of the
/// largest changes stays a few MiB in the server's memory and on the wire.
pub const PULL_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// What the door asks, answered from the tables inside the push's transaction. The owners of
/// entities are remembered: they never change once recorded, and a push asks for the same ones
/// again and again (a ticket filed, then its events).
pub(super) struct Tables<'a> {
    db: &'a dyn Sql,
    owners: RefCell<HashMap<Uuid, Option<Owner>>>,
}

impl<'a> Tables<'a> {
    pub fn new(db: &'a dyn Sql) -> Tables<'a> {
        Tables {
            db,
            owners: RefCell::default(),
        }
    }

    /// Learns the owners of `ids` (those recorded, and that the others have none) in one query.
    fn learn_owners(&self, ids: &[Uuid]) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT entity_id, shop_id, station_id FROM entities WHERE {}",
            self.db.dialect().in_json_array("entity_id", 1)
        );
        let found: Vec<(Uuid, Uuid, Option<Uuid>)> = self.db.all(&sql, args![to_json(&ids)])?;
        let mut owners = self.owners.borrow_mut();
        owners.extend(ids.iter().map(|id| (*id, None)));
        owners.extend(
            found
                .into_iter()
                .map(|(id, shop, station)| (id, Some(Owner { shop, station }))),
        );
        Ok(())
    }

    /// An entity just recorded: its first owner stands.
    fn recorded(&self, id: Uuid, owner: Owner) {
        let mut owners = self.owners.borrow_mut();
        let known = owners.entry(id).or_insert(None);
        known.get_or_insert(owner);
    }
}

pub(super) fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::Backend(format!("a stored record: {e}")))
}

pub(super) fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("records serialise")
}

impl Facts for Tables<'_> {
    fn owner(&self, id: Uuid) -> Result<Option<Owner>, StorageError> {
        if let Some(known) = self.owners.borrow().get(&id) {
            return Ok(*known);
        }
        let owner = owner_of(self.db, id)?;
        self.owners.borrow_mut().insert(id, owner);
        Ok(owner)
    }

    fn enrolled_shop(&self, station: Uuid) -> Result<Option<Uuid>, StorageError> {
        self.db
            .row("SELECT shop_id FROM stations WHERE id = ?1", args![station])
    }

    fn ticket(&self, id: Uuid) -> Result<Option<TicketNow>, StorageError> {
        let found: Option<(String, Option<Uuid>)> = self.db.row(
            "SELECT state, station_id FROM tickets WHERE id = ?1",
            args![id],
        )?;
        found
            .map(|(state, station_id)| {
                Ok(TicketNow {
                    id,
                    state: state
                        .parse()
                        .map_err(|e| StorageError::Backend(format!("a stored ticket: {e}")))?,
                    station_id,
                })
            })
            .transpose()
    }

    fn record_ticket(&self, kind: &'static str, id: Uuid) -> Result<Option<Uuid>, StorageError> {
        let table = match kind {
            "event" => "ticket_events",
            "comment" => "ticket_comments",
            "attachment" => "ticket_attachments",
            _ => "ticket_quotes",
        };
        self.db.row(
            &format!("SELECT ticket_id FROM {table} WHERE id = ?1"),
            args![id],
        )
    }

    fn quote(&self, id: Uuid) -> Result<Option<Quote>, StorageError> {
        let record: Option<String> = self
            .db
            .row("SELECT record FROM ticket_quotes WHERE id = ?1", args![id])?;
        record.map(|record| json(&record)).transpose()
    }

    fn station(&self, id: Uuid) -> Result<Option<Station>, StorageError> {
        // An enrolled till has its row before its record has come.
        let record: Option<Option<String>> = self
            .db
            .row("SELECT record FROM stations WHERE id = ?1", args![id])?;
        record.flatten().map(|record| json(&record)).transpose()
    }

    fn contracts(&self, shop: Uuid) -> Result<Vec<Contract>, StorageError> {
        let records: Vec<String> = self.db.all(
            "SELECT record FROM contracts WHERE shop_id = ?1 ORDER BY start_date",
            args![shop],
        )?;
        records.iter().map(|record| json(record)).collect()
    }

    fn second_level_shop(&self, shop: Uuid) -> Result<bool, StorageError> {
        Ok(self
            .db
            .row("SELECT second_level FROM shops WHERE id = ?1", args![shop])?
            .unwrap_or(false))
    }

    fn support_agent(&self, account: Uuid) -> Result<Option<String>, StorageError> {
        self.db.row(
            "SELECT name FROM users WHERE id = ?1 AND role = 'support_staff' AND active",
            args![account],
        )
    }
}

/// The owner of an entity the server has seen.
pub(super) fn owner_of(db: &dyn Sql, entity_id: Uuid) -> Result<Option<Owner>, StorageError> {
    let found: Option<(Uuid, Option<Uuid>)> = db.row(
        "SELECT shop_id, station_id FROM entities WHERE entity_id = ?1",
        args![entity_id],
    )?;
    Ok(found.map(|(shop, station)| Owner { shop, station }))
}

/// One push under way: who pushes, what prices orders, the vendor's date and the clock, and
/// the history's bytes the quotas count (with what this push took of them).
pub(super) struct Push<'a> {
    pub caller: &'a Caller,
    pub catalog: &'a Catalog,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub usage: &'a mut Usage,
    pub taken: Vec<(Owner, u64)>,
}

/// What a push knows of the database under its lock, fetched for its whole batch at once:
/// the change ids stored before (and those this push stores), and the owners of what its
/// changes name. On PostgreSQL every statement is a round trip, and a change took seven.
pub(super) struct Known<'a> {
    pub tables: Tables<'a>,
    /// Of the batch's change ids, those stored, with where they stand and their shop.
    stored: HashMap<Uuid, (Stored, Uuid)>,
}

impl<'a> Known<'a> {
    /// Reads a push's changes and fetches what the database knows of them.
    pub fn of(
        tx: &'a dyn Sql,
        raws: impl Iterator<Item = &'a RawValue>,
    ) -> Result<(Known<'a>, Vec<Result<Change, String>>), StorageError> {
        let read: Vec<Result<Change, String>> = raws.map(|raw| door::read(raw.get())).collect();
        let ids: Vec<Uuid> = read.iter().flatten().map(|c| c.change_id).collect();
        let stored: Vec<(Uuid, i64, i64, Uuid)> = if ids.is_empty() {
            Vec::new()
        } else {
            tx.all(
                &format!(
                    "SELECT change_id, revision, shop_seq, shop_id FROM changes WHERE {}",
                    tx.dialect().in_json_array("change_id", 1)
                ),
                args![to_json(&ids)],
            )?
        };
        let tables = Tables::new(tx);
        let subjects: Vec<Uuid> = read.iter().flatten().map(|c| c.body.subject().1).collect();
        tables.learn_owners(&subjects)?;
        let known = Known {
            tables,
            stored: stored
                .into_iter()
                .map(|(id, revision, shop_seq, shop)| (id, (Stored { revision, shop_seq }, shop)))
                .collect(),
        };
        Ok((known, read))
    }
}

/// One pushed change, once: a change id seen before answers with its first revision;
/// otherwise the door decides, and what it lets in is stored and projected.
pub(super) fn apply(
    known: &mut Known<'_>,
    push: &mut Push<'_>,
    read: Result<Change, String>,
) -> Result<(Outcome, Option<(Stored, Scope)>), StorageError> {
    let caller = push.caller;
    let rejected = |reason: String| Ok((Outcome::Rejected { reason }, None));
    let change = match read {
        Ok(change) => change,
        Err(reason) => return rejected(reason),
    };
    // Every change read from the batch was asked about, and each applied since is added.
    if let Some(&(stored, shop)) = known.stored.get(&change.change_id) {
        return match caller.shop_id {
            // Said the same way as any id that cannot be used: nothing of the other shop shows.
            Some(own) if own != shop => {
                rejected("this change id cannot be used; make a new one".into())
            }
            _ => Ok((
                Outcome::AlreadyApplied {
                    revision: stored.as_seen_by(caller),
                },
                None,
            )),
        };
    }
    let admitted = match door::admit(caller, change, &known.tables, push.catalog, push.today) {
        Ok(admitted) => admitted,
        Err(Refusal::Rejected(reason)) => return rejected(reason),
        Err(Refusal::Failed(error)) => return Err(error),
    };
    let scope = Scope::of(&admitted.change.body, admitted.owner);
    let body = to_json(&admitted.change);
    // The desk's own notes are not the shop's to pay for out of its quota.
    if !scope.staff_only {
        let counted = scope.as_stored();
        if let Err(reason) = push.usage.take(counted, body.len() as u64) {
            return rejected(reason);
        }
        push.taken.push((counted, body.len() as u64));
    }
    let stored = append(
        known.tables.db,
        &admitted.change,
        &body,
        admitted.owner,
        push.now,
    )?;
    if caller.role == Role::SupportStaff {
        queue_mail(known.tables.db, &admitted.change.body, push.now)?;
    }
    known
        .tables
        .recorded(admitted.change.body.subject().1, admitted.owner);
    known
        .stored
        .insert(admitted.change.change_id, (stored, admitted.owner.shop));
    Ok((
        Outcome::Applied {
            revision: stored.as_seen_by(caller),
        },
        Some((stored, scope)),
    ))
}

/// What the desk's change sends by mail, in its own transaction: a reply on an e-mail ticket
/// to its customer, and the notices the shop's admins asked for.
fn queue_mail(tx: &dyn Sql, body: &ChangeBody, now: DateTime<Utc>) -> Result<(), StorageError> {
    use super::mail::{queue_notices, queue_reply, Notice};
    use crate::storage::OutboxKind;
    match body {
        ChangeBody::CommentAdded { ticket_id, comment } => {
            queue_reply(
                tx,
                *ticket_id,
                comment.id,
                &comment.author,
                &comment.body,
                now,
            )?;
            queue_notices(
                tx,
                Notice::Ticket {
                    kind: OutboxKind::Answer,
                    ticket: *ticket_id,
                    source: comment.id,
                },
                &comment.author,
                &comment.body,
                now,
            )
        }
        ChangeBody::QuoteOffered { ticket_id, quote } => queue_notices(
            tx,
            Notice::Ticket {
                kind: OutboxKind::Quote,
                ticket: *ticket_id,
                source: quote.id,
            },
            &quote.offered_by,
            &format!(
                "{}\n\n{} {}",
                quote.description, quote.price.amount, quote.price.currency
            ),
            now,
        ),
        _ => Ok(()),
    }
}

/// Where a change stands: in the whole history, and in its shop's.
#[derive(Clone, Copy, Debug)]
pub(super) struct Stored {
    pub revision: i64,
    pub shop_seq: i64,
}

impl Stored {
    /// The revision as the caller counts: a shop's people count their shop's changes only.
    fn as_seen_by(self, caller: &Caller) -> u64 {
        let counted = match caller.shop_id {
            Some(_) => self.shop_seq,
            None => self.revision,
        };
        u64::try_from(counted).unwrap_or(0)
    }
}

/// A change the server makes itself (a contract the vendor admin made or ended), appended as
/// if pushed: every client of the shop pulls it.
pub(super) fn append_by_server(
    tx: &dyn Sql,
    body: ChangeBody,
    owner: Owner,
    now: DateTime<Utc>,
) -> Result<Committed, StorageError> {
    let change = Change {
        change_id: Uuid::now_v7(),
        created_at: now,
        body,
    };
    let scope = Scope::of(&change.body, owner);
    let stored = append(tx, &change, &to_json(&change), owner, now)?;
    Ok(Committed {
        revision: u64::try_from(stored.revision).unwrap_or(0),
        shop_seq: u64::try_from(stored.shop_seq).unwrap_or(0),
        scope,
    })
}

/// Appends an admitted change (`body` is its JSON) to the history and projects it into the
/// tables.
fn append(
    tx: &dyn Sql,
    change: &Change,
    body: &str,
    owner: Owner,
    received_at: DateTime<Utc>,
) -> Result<Stored, StorageError> {
    let (entity, subject) = change.body.subject();
    let shared = entity.is_shared_in_shop();
    let (revision, shop_seq): (i64, i64) = tx.one(
        "INSERT INTO changes (change_id, shop_id, shop_seq, station_id, shared, kind, subject_id, body, received_at, staff_only)
         VALUES (?1, ?2, (SELECT coalesce(max(shop_seq), 0) + 1 FROM changes WHERE shop_id = ?2),
                 ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         RETURNING revision, shop_seq",
        args![
            change.change_id,
            owner.shop,
            owner.station.filter(|_| !shared),
            shared,
            change.body.kind(),
            subject,
            body,
            received_at,
            change.body.is_staff_only()
        ],
    )?;
    // Then the tables (a new station's row among them), then who owns the entity, which may
    // name that station.
    project(tx, change, owner, revision)?;
    tx.run(
        "INSERT INTO entities (entity_id, shop_id, station_id) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        args![subject, owner.shop, owner.station],
    )?;
    Ok(Stored { revision, shop_seq })
}

/// The current state in the tables, after one change.
fn project(tx: &dyn Sql, change: &Change, owner: Owner, revision: i64) -> Result<(), StorageError> {
    let shop = owner.shop;
    let touch = |ticket: Uuid| -> Result<(), StorageError> {
        // The record keeps what was filed; the columns hold what moves (state, last change).
        tx.run(
            "UPDATE tickets SET updated_at = CASE WHEN updated_at < ?2 THEN ?2 ELSE updated_at END
             WHERE id = ?1",
            args![ticket, change.created_at],
        )
        .map(drop)
    };
    match &change.body {
        ChangeBody::TicketFiled { ticket } => {
            let request = &ticket.request;
            // What the desk's search reads: the title and the request, the thread added later.
            tx.run(
                "INSERT INTO tickets (id, shop_id, station_id, state, priority, channel, title, created_at, updated_at, revision, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                         concat_ws(' ', CAST(?7 AS TEXT), CAST(?11 AS TEXT), CAST(?12 AS TEXT), CAST(?13 AS TEXT)))",
                args![
                    ticket.id,
                    shop,
                    ticket.station_id,
                    ticket.state.as_str(),
                    ticket.priority.as_str(),
                    ticket.channel.as_str(),
                    &ticket.title,
                    ticket.created_at,
                    ticket.updated_at,
                    revision,
                    &request.doing,
                    &request.expected,
                    &request.error_message
                ],
            )?;
        }
        ChangeBody::TicketEvent { ticket_id, event } => {
            tx.run(
                "INSERT INTO ticket_events (id, ticket_id, kind, actor, at, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    event.id,
                    *ticket_id,
                    event.kind.as_str(),
                    &event.actor,
                    event.at,
                    revision
                ],
            )?;
            if let Some(state) = event.to_state {
                // Any state change takes a ticket out of "new" for good: its first response.
                // A wait for the customer that ends is kept as a pause of the resolution
                // clock; becoming resolved or closed stops it, reopening runs it on.
                let pause_ended = match tx.dialect() {
                    Dialect::Sqlite => "json_insert(pauses, '$[#]', json_array(waiting_since, ?3))",
                    Dialect::Postgres => {
                        "(CAST(pauses AS JSONB) || jsonb_build_array(jsonb_build_array(waiting_since, CAST(?3 AS TEXT))))::TEXT"
                    }
                };
                tx.run(
                    &format!(
                        "UPDATE tickets SET state = ?2,
                            responded_at = CASE WHEN responded_at IS NULL OR responded_at > ?3
                                THEN ?3 ELSE responded_at END,
                            pauses = CASE WHEN waiting_since IS NOT NULL AND ?2 <> 'waiting_for_customer'
                                THEN {pause_ended} ELSE pauses END,
                            waiting_since = CASE WHEN ?2 = 'waiting_for_customer'
                                THEN coalesce(waiting_since, ?3) END,
                            resolved_at = CASE WHEN ?2 IN ('resolved', 'closed')
                                THEN coalesce(resolved_at, ?3) END
                         WHERE id = ?1"
                    ),
                    args![*ticket_id, state.as_str(), event.at],
                )?;
            }
            match event.kind {
                EventKind::Assigned => {
                    tx.run(
                        "UPDATE tickets SET assignee_id = ?2 WHERE id = ?1",
                        args![*ticket_id, event.assignee.as_ref().map(|a| a.id)],
                    )?;
                }
                // A number left again replaces the first; the wait counts from the first ask.
                EventKind::CallbackRequested => {
                    tx.run(
                        "UPDATE tickets SET callback_phone = ?2,
                             callback_requested_at = coalesce(callback_requested_at, ?3)
                         WHERE id = ?1",
                        args![*ticket_id, &event.note, event.at],
                    )?;
                }
                EventKind::CalledBack => {
                    tx.run(
                        "UPDATE tickets SET callback_phone = NULL, callback_requested_at = NULL WHERE id = ?1",
                        args![*ticket_id],
                    )?;
                }
                _ => {}
            }
            touch(*ticket_id)?;
        }
        ChangeBody::CommentAdded {
            ticket_id,
            comment: written,
        }
        | ChangeBody::InternalNoteAdded {
            ticket_id,
            note: written,
        } => {
            tx.run(
                "INSERT INTO ticket_comments (id, ticket_id, author, created_at, revision, internal)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    written.id,
                    *ticket_id,
                    &written.author,
                    written.created_at,
                    revision,
                    change.body.is_staff_only()
                ],
            )?;
            // The desk finds a ticket by what was said on it, notes included.
            tx.run(
                "UPDATE tickets SET search_text = search_text || ' ' || ?2 WHERE id = ?1",
                args![*ticket_id, &written.body],
            )?;
            touch(*ticket_id)?;
        }
        ChangeBody::AttachmentAdded {
            ticket_id,
            attachment,
        } => {
            tx.run(
                "INSERT INTO ticket_attachments (id, ticket_id, sha256, revision) VALUES (?1, ?2, ?3, ?4)",
                args![attachment.id, *ticket_id, &attachment.sha256, revision],
            )?;
            touch(*ticket_id)?;
        }
        ChangeBody::QuoteOffered { ticket_id, quote }
        | ChangeBody::QuoteDecided { ticket_id, quote } => {
            tx.run(
                "INSERT INTO ticket_quotes (id, ticket_id, decision, record) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET decision = excluded.decision, record = excluded.record",
                args![quote.id, *ticket_id, quote.decision.as_ref(), to_json(quote)],
            )?;
            touch(*ticket_id)?;
        }
        ChangeBody::StationRecorded { station } => {
            tx.run(
                "INSERT INTO stations (id, shop_id, name, created_at, record) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, record = excluded.record",
                args![
                    station.id,
                    shop,
                    &station.name,
                    station.created_at,
                    to_json(station)
                ],
            )?;
        }
        ChangeBody::ContractConfirmed { contract } => {
            tx.run(
                "INSERT INTO contracts (id, shop_id, plan_id, start_date, ends_on, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id,
                     plan_id = excluded.plan_id, start_date = excluded.start_date,
                     ends_on = excluded.ends_on, record = excluded.record",
                args![
                    contract.id,
                    shop,
                    &contract.plan.plan.id.0,
                    contract.start,
                    contract.ends_on(),
                    to_json(contract)
                ],
            )?;
        }
        ChangeBody::RemoteSessionRecorded { session } => {
            tx.run(
                "INSERT INTO remote_sessions (id, shop_id, station_id, ticket_id, started_by, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id,
                     station_id = excluded.station_id, ticket_id = excluded.ticket_id,
                     started_by = excluded.started_by, record = excluded.record",
                args![
                    session.id,
                    shop,
                    session.station_id,
                    session.ticket_id,
                    &session.started_by,
                    to_json(session)
                ],
            )?;
        }
        ChangeBody::ConsentRecorded { consent } => {
            tx.run(
                "INSERT INTO remote_consents (id, shop_id, station_id, record) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id,
                     station_id = excluded.station_id, record = excluded.record",
                args![consent.id, shop, consent.station_id, to_json(consent)],
            )?;
        }
        ChangeBody::ContractOrdered { .. } | ChangeBody::ContractNoticeGiven { .. } => {
            return Err(StorageError::Backend(
                "a shop's order is kept as the contract the server confirmed".into(),
            ))
        }
    }
    Ok(())
}

/// Tables whose rows are the projection of the history alone (station rows are made at
/// enrolment too, so only their records are).
const PROJECTED: [&str; 8] = [
    "ticket_events",
    "ticket_comments",
    "ticket_attachments",
    "ticket_quotes",
    "tickets",
    "contracts",
    "remote_sessions",
    "remote_consents",
];

/// Empties the tables and projects the whole history into them again, in order.
pub(super) fn rebuild_tables(tx: &dyn Sql) -> Result<usize, StorageError> {
    for table in PROJECTED {
        tx.run(&format!("DELETE FROM {table}"), &[])?;
    }
    tx.run("UPDATE stations SET record = NULL", &[])?;
    replay(tx, Unprojectable::Fail)
}

/// What a replay does with a change its projection refuses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unprojectable {
    Fail,
    /// Leaves it out of the history (an earlier version's change no client could apply).
    Drop,
}

/// Projects every change of the history in order; the number projected.
fn replay(tx: &dyn Sql, unprojectable: Unprojectable) -> Result<usize, StorageError> {
    let rows: Vec<(Uuid, i64, Uuid, String)> = tx.all(
        "SELECT shop_id, revision, subject_id, body FROM changes ORDER BY revision",
        &[],
    )?;
    let mut replayed = 0;
    for (shop, revision, subject, body) in rows {
        let change: Change = json(&body)?;
        let owner = owner_of(tx, subject)?.unwrap_or(Owner {
            shop,
            station: None,
        });
        tx.run("SAVEPOINT replayed", &[])?;
        match project(tx, &change, owner, revision) {
            Ok(()) => replayed += 1,
            Err(error) if unprojectable == Unprojectable::Fail => return Err(error),
            Err(_) => {
                tx.run("ROLLBACK TO replayed", &[])?;
                tx.run("DELETE FROM changes WHERE revision = ?1", args![revision])?;
            }
        }
        tx.run("RELEASE replayed", &[])?;
    }
    Ok(replayed)
}

/// Projects a history an earlier version kept (read into the vocabulary by migration 0005)
/// into the tables, once every migration has run: the projection is written for the newest
/// tables, not for those as they were at 0005. A change that cannot be projected (a comment on
/// a ticket that never was) is left out of the history, and the log says how many.
pub(crate) fn project_upgraded_history(tx: &Connection) -> Result<(), StorageError> {
    let waiting: bool = tx.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'legacy_history_unprojected'",
        [],
        |r| r.get(0),
    )?;
    if !waiting {
        return Ok(());
    }
    let total: i64 = tx.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
    let projected = replay(tx, Unprojectable::Drop)?;
    let dropped = usize::try_from(total)
        .unwrap_or(0)
        .saturating_sub(projected);
    if dropped > 0 {
        tracing::warn!(
            dropped,
            "changes no client could apply were left out of the history"
        );
    }
    tx.execute_batch("DROP TABLE legacy_history_unprojected")?;
    Ok(())
}

/// The bytes of history each shop and each till holds, as the quota counts them.
pub(super) fn usage(db: &dyn Sql) -> Result<Usage, StorageError> {
    let sums = |sql: &str| -> Result<std::collections::HashMap<Uuid, u64>, StorageError> {
        let rows: Vec<(Uuid, i64)> = db.all(sql, &[])?;
        Ok(rows
            .into_iter()
            .map(|(id, bytes)| (id, u64::try_from(bytes).unwrap_or(0)))
            .collect())
    };
    // Bytes, not characters: PostgreSQL's length() counts characters.
    let bytes = match db.dialect() {
        Dialect::Sqlite => "length(CAST(body AS BLOB))",
        Dialect::Postgres => "octet_length(body)",
    };
    Ok(Usage::new(
        sums(&format!("SELECT shop_id, CAST(sum({bytes}) AS BIGINT) FROM changes WHERE NOT staff_only GROUP BY shop_id"))?,
        sums(&format!("SELECT station_id, CAST(sum({bytes}) AS BIGINT) FROM changes WHERE station_id IS NOT NULL AND NOT staff_only GROUP BY station_id"))?,
    ))
}

/// Every projected table as text, in a fixed order: two states are the same when these are.
pub(super) fn tables_digest(db: &dyn Sql) -> Result<String, StorageError> {
    let mut digest = String::new();
    for table in PROJECTED.iter().chain(&["stations"]) {
        digest.push_str(table);
        digest.push('\n');
        for row in db.values(&format!("SELECT * FROM {table} ORDER BY id"), &[])? {
            for value in row {
                digest.push_str(&format!("{value:?}\t"));
            }
            digest.push('\n');
        }
    }
    Ok(digest)
}

/// The changes the caller may see after `after`: at most `limit`, and at most
/// [`PULL_PAGE_BYTES`] of them (always at least one, so a page never stalls).
pub(super) fn pull(
    db: &dyn Sql,
    reach: Reach,
    after: u64,
    limit: usize,
) -> Result<PullResponse, StorageError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    // A till reads its own history through an index on (station, shop_seq) and what its shop
    // shares through (shop, shop_seq) where shared; a shop its own through (shop, shop_seq);
    // the vendor's staff every shop's by revision: the cost is a seek or two plus the page,
    // however long the history. A shop's readers count in its own sequence.
    let (sql, scope, shop) = match reach {
        Reach::Station { shop, station } => (
            "SELECT shop_seq, shop_id, body FROM changes
             WHERE station_id = ?1 AND shop_seq > ?2 AND NOT staff_only
             UNION ALL
             SELECT shop_seq, shop_id, body FROM changes WHERE shop_id = ?4 AND shared AND shop_seq > ?2
             ORDER BY 1 LIMIT ?3",
            Some(station),
            Some(shop),
        ),
        Reach::Shop(shop) => (
            "SELECT shop_seq, shop_id, body FROM changes
             WHERE shop_id = ?1 AND shop_seq > ?2 AND NOT staff_only AND CAST(?4 AS TEXT) IS NULL
             ORDER BY shop_seq LIMIT ?3",
            Some(shop),
            None,
        ),
        Reach::Everything => (
            "SELECT revision, shop_id, body FROM changes
             WHERE CAST(?1 AS TEXT) IS NULL AND revision > ?2 AND CAST(?4 AS TEXT) IS NULL
             ORDER BY revision LIMIT ?3",
            None,
            None,
        ),
    };
    let rows: Vec<(i64, Uuid, String)> = db.all(sql, args![scope, after, fetch, shop])?;
    let (mut changes, mut bytes, mut more) = (Vec::new(), 0, false);
    for (revision, shop_id, body) in rows {
        if changes.len() == limit || (!changes.is_empty() && bytes + body.len() > PULL_PAGE_BYTES) {
            more = true;
            break;
        }
        bytes += body.len();
        changes.push(revisioned(revision, shop_id, body)?);
    }
    let cursor = changes
        .last()
        .map_or(u64::try_from(after).unwrap_or(0), |c| c.revision);
    Ok(PullResponse {
        changes,
        cursor,
        more,
    })
}

/// A stored change as it is handed out: its revision (or place in its shop's sequence), its
/// shop and its body as the protocol wrote it.
pub(super) fn revisioned(
    revision: i64,
    shop_id: Uuid,
    body: String,
) -> Result<Revisioned, StorageError> {
    Ok(Revisioned {
        revision: u64::try_from(revision).unwrap_or(0),
        shop_id,
        change: RawValue::from_string(body)
            .map_err(|e| StorageError::Backend(format!("a stored change: {e}")))?,
    })
}

/// Migration 0005: the history of an earlier version read into the typed vocabulary and
/// projected into the new tables, revision by revision. A change that was never readable (a
/// payload no client could apply) is left out of the new history, and the log says how many.
pub(crate) fn upgrade_legacy_history(tx: &rusqlite::Transaction<'_>) -> HookResult {
    type HistoryRow = (
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<HistoryRow> = tx
        .prepare(
            "SELECT revision, change_id, shop_id, station_id, entity, entity_id, kind, payload, created_at
             FROM changes ORDER BY revision",
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
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let hook = |e: StorageError| rusqlite_migration::HookError::Hook(e.to_string());
    let id = |text: &str| {
        Uuid::parse_str(text)
            .map_err(|_| rusqlite_migration::HookError::Hook(format!("bad id {text:?}")))
    };
    let mut unreadable = 0;
    let mut shop_seqs: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for (revision, change_id, shop, station, entity, entity_id, kind, payload, created_at) in rows {
        let read = LegacyRow {
            change_id: &change_id,
            entity: &entity,
            entity_id: &entity_id,
            kind: &kind,
            payload: &payload,
            created_at: &created_at,
        }
        .upgrade(LegacyOf::History);
        let Ok(change) = read else {
            unreadable += 1;
            continue;
        };
        let (_, subject) = change.body.subject();
        let owner = match owner_of(&**tx, subject).map_err(hook)? {
            Some(owner) => owner,
            None => Owner {
                shop: id(&shop)?,
                station: station.as_deref().map(id).transpose()?,
            },
        };
        let shared = change.body.subject().0.is_shared_in_shop();
        let shop_seq = shop_seqs.entry(owner.shop).or_default();
        *shop_seq += 1;
        tx.execute(
            "INSERT INTO changes_typed (revision, change_id, shop_id, shop_seq, station_id, shared, kind, subject_id, body, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                revision,
                change_id,
                owner.shop.to_string(),
                *shop_seq,
                owner.station.map(|s| s.to_string()).filter(|_| !shared),
                shared,
                change.body.kind(),
                subject.to_string(),
                to_json(&change),
                utc_text(change.created_at)
            ],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO entities (entity_id, shop_id, station_id) VALUES (?1, ?2, ?3)",
            params![
                subject.to_string(),
                owner.shop.to_string(),
                owner.station.map(|s| s.to_string())
            ],
        )?;
    }
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "changes no client could read were left out of the history"
        );
    }
    // Projected once every migration has run (`project_upgraded_history`).
    tx.execute_batch(
        "CREATE TABLE legacy_history_unprojected (since INTEGER);
         DROP TABLE changes;
         ALTER TABLE changes_typed RENAME TO changes;
         CREATE UNIQUE INDEX changes_shop ON changes (shop_id, shop_seq);
         CREATE INDEX changes_station ON changes (station_id, shop_seq) WHERE station_id IS NOT NULL;
         CREATE INDEX changes_shared ON changes (shop_id, shop_seq) WHERE shared;",
    )?;
    Ok(())
}
