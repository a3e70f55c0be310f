//! The support desk's queue, callback list and shops from the server's own tables: one
//! statement for a page of tickets; who may call comes from the contract covering each listed
//! station, by the same rule the door and the till use ([`covering_contract`]), over each
//! listed shop's contracts read once.

use std::collections::hash_map::Entry;
use std::collections::{btree_map, BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use stationdesk_core::domain::compliance::overview;
use stationdesk_core::domain::contracts::{covering_contract, Contract};
use stationdesk_core::domain::desk_queue::{
    trigram_query, trigram_words, AssignedTo, QueueFilter, ACTIVE, DEFAULT_PAGE,
};
use stationdesk_core::domain::report::{month_end, month_figures, FiledTicket};
use stationdesk_core::domain::sla::{first_response, resolution, SlaClock, StateChange};
use stationdesk_core::domain::stations::Station;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::domain::tickets::ticket_number;
use stationdesk_core::domain::tickets::{Priority, TicketState};
use stationdesk_protocol::{
    DeskCallback, DeskChanges, DeskCompliance, DeskContact, DeskContract, DeskPage, DeskReport,
    DeskResolution, DeskShop, DeskSla, DeskStation, DeskTicket, FollowedTicket, ShopMonth,
};
use uuid::Uuid;

use super::changes::{json, revisioned, Tables};
use crate::args;
use crate::desk::{DeskCursor, DeskQuery};
use crate::door::Facts;
use crate::storage::sql::{Dialect, FromRow, FromValue, Sql, Value};
use crate::storage::StorageError;

/// One page of the queue, with only the conditions the desk asked for, so that SQLite can
/// choose the index that fits: the queue's own order (`tickets_queue`), or a shop's or a
/// station's tickets. Names come from subqueries rather than joins, so no join order can make
/// SQLite read every ticket of every shop and sort them. Parameters keep their numbers
/// whichever conditions are there; the last, `?11` (the page size), always is, so SQLite's
/// statement always takes all of them. PostgreSQL wants the type of every parameter, so
/// there an absent condition names its parameter in a condition that always holds.
fn page_sql(dialect: Dialect, query: &DeskQuery, search: Option<&Search>) -> String {
    let filter = &query.filter;
    let sqlite = dialect == Dialect::Sqlite;
    let mut conditions = vec![dialect.in_json_array("t.state", 1)];
    let mut typed = [false; 11];
    let mut wanted = |present: bool, condition: &'static str| {
        if present {
            conditions.push(condition.to_owned());
            for (number, seen) in typed.iter_mut().enumerate() {
                *seen |= condition.contains(&format!("?{}", number + 1));
            }
        }
    };
    wanted(filter.priority.is_some(), "t.urgency = ?2");
    wanted(filter.shop.is_some(), "t.shop_id = ?3");
    wanted(filter.station.is_some(), "t.station_id = ?4");
    wanted(filter.channel.is_some(), "t.channel = ?5");
    wanted(
        matches!(filter.assignee, Some(AssignedTo::Nobody)),
        "t.assignee_id IS NULL",
    );
    wanted(
        matches!(filter.assignee, Some(AssignedTo::Me | AssignedTo::Agent(_))),
        "t.assignee_id = ?10",
    );
    wanted(
        matches!(search, Some(Search::Indexed(_))),
        "t.rowid IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?6)",
    );
    let scanned = matches!(search, Some(Search::Scanned(_)));
    let scanned_all = matches!(search, Some(Search::ScannedAll(_)));
    let titles = matches!(search, Some(Search::Titles(_)));
    if sqlite {
        wanted(scanned, "instr(lower(t.search_text), ?6) > 0");
        wanted(
            scanned_all,
            "NOT EXISTS (SELECT 1 FROM json_each(?6) w WHERE instr(lower(t.search_text), w.value) = 0)",
        );
        wanted(titles, "instr(lower(t.title), lower(?6)) > 0");
    } else {
        wanted(scanned, "strpos(lower(t.search_text), lower(?6)) > 0");
        wanted(
            scanned_all,
            "NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(?6 AS JSONB)) w
                         WHERE strpos(lower(t.search_text), lower(w)) = 0)",
        );
        wanted(titles, "strpos(lower(t.title), lower(?6)) > 0");
    }
    wanted(
        query.after.is_some(),
        "(t.urgency, t.created_at, t.id) > (?7, ?8, ?9)",
    );
    if !sqlite {
        const TYPES: [&str; 10] = [
            "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT", "TEXT", "TEXT", "TEXT",
        ];
        for (number, kind) in TYPES.iter().enumerate().skip(1) {
            if !typed[number] {
                conditions.push(format!("(CAST(?{} AS {kind}) IS NULL OR TRUE)", number + 1));
            }
        }
    }
    // The few tickets the index found are read by rowid and sorted, rather than the queue
    // walked for them: `+ 0` keeps SQLite from ordering by the queue's index.
    let order = match search {
        Some(Search::Indexed(_)) => "t.urgency + 0, t.created_at, t.id",
        _ => "t.urgency, t.created_at, t.id",
    };
    format!(
        "{LISTED} WHERE {} ORDER BY {order} LIMIT ?11",
        conditions.join(" AND ")
    )
}

/// How the queue answers a search. The index hands over every ticket a word is in before the
/// first of them is listed, which for a common word is tens of thousands; so a word in few
/// tickets is looked up in the index, and a common one is checked on each ticket while the
/// queue is walked in its order, which meets a page of them soon. Words too short for trigrams
/// are looked for in the titles.
enum Search {
    /// The index's query.
    Indexed(String),
    /// The one word, folded as SQLite's `lower` folds.
    Scanned(String),
    /// The words, as a JSON list, folded likewise.
    ScannedAll(String),
    Titles(String),
}

/// More tickets than this for a search, and the queue is walked instead of the index read.
const INDEXED_AT_MOST: i64 = 2000;

impl Search {
    fn of(db: &dyn Sql, text: &str) -> Result<Search, StorageError> {
        let Some(expression) = trigram_query(text) else {
            return Ok(Search::Titles(text.to_owned()));
        };
        // PostgreSQL has no trigram table here: the queue is walked for the words.
        if db.dialect() == Dialect::Sqlite {
            let hits: i64 = db.one(
                "SELECT count(*) FROM
                 (SELECT 1 FROM ticket_text WHERE ticket_text MATCH ?1 LIMIT ?2)",
                args![&expression, INDEXED_AT_MOST + 1],
            )?;
            if hits <= INDEXED_AT_MOST {
                return Ok(Search::Indexed(expression));
            }
        }
        let mut words: Vec<String> = trigram_words(text).map(str::to_ascii_lowercase).collect();
        Ok(match words.len() {
            1 => Search::Scanned(words.remove(0)),
            _ => Search::ScannedAll(serde_json::to_string(&words).expect("strings serialise")),
        })
    }

    fn parameter(&self) -> &str {
        match self {
            Search::Indexed(text)
            | Search::Scanned(text)
            | Search::ScannedAll(text)
            | Search::Titles(text) => text,
        }
    }
}

/// What a listed ticket shows, each name from its own table.
const LISTED: &str =
    "SELECT t.id, t.shop_id, (SELECT s.name FROM shops s WHERE s.id = t.shop_id) AS shop_name,
            t.station_id,
            (SELECT st.name FROM stations st WHERE st.id = t.station_id) AS station_name,
            t.title, t.state, t.priority, t.channel, t.created_at, t.updated_at, t.urgency,
            t.assignee_id, (SELECT u.name FROM users u WHERE u.id = t.assignee_id) AS assignee_name,
            t.callback_phone, t.callback_requested_at, t.responded_at, t.resolved_at,
            t.waiting_since, t.pauses
     FROM tickets t";

/// The most callbacks listed at once: more than a desk answers in a day.
const MAX_CALLBACKS: i64 = 500;

/// A ticket as the page's statement reads it, its columns in [`LISTED`]'s order.
struct Listed {
    id: Uuid,
    shop: Uuid,
    shop_name: String,
    station: Option<Uuid>,
    station_name: Option<String>,
    title: String,
    state: String,
    priority: String,
    channel: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    urgency: u8,
    assignee: Option<Uuid>,
    assignee_name: Option<String>,
    callback_phone: Option<String>,
    callback_requested_at: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    waiting_since: Option<DateTime<Utc>>,
    /// The ended waits for the customer, as JSON pairs.
    pauses: String,
}

impl FromRow for Listed {
    fn from_row(row: Vec<Value>) -> Result<Listed, StorageError> {
        let mut columns = row.into_iter();
        let mut next = || {
            columns
                .next()
                .ok_or_else(|| StorageError::Backend("a listed ticket lacks columns".into()))
        };
        Ok(Listed {
            id: FromValue::from_value(next()?)?,
            shop: FromValue::from_value(next()?)?,
            shop_name: FromValue::from_value(next()?)?,
            station: FromValue::from_value(next()?)?,
            station_name: FromValue::from_value(next()?)?,
            title: FromValue::from_value(next()?)?,
            state: FromValue::from_value(next()?)?,
            priority: FromValue::from_value(next()?)?,
            channel: FromValue::from_value(next()?)?,
            created_at: FromValue::from_value(next()?)?,
            updated_at: FromValue::from_value(next()?)?,
            urgency: u8::try_from(i64::from_value(next()?)?)
                .map_err(|_| StorageError::Backend("a ticket's urgency out of range".into()))?,
            assignee: FromValue::from_value(next()?)?,
            assignee_name: FromValue::from_value(next()?)?,
            callback_phone: FromValue::from_value(next()?)?,
            callback_requested_at: FromValue::from_value(next()?)?,
            responded_at: FromValue::from_value(next()?)?,
            resolved_at: FromValue::from_value(next()?)?,
            waiting_since: FromValue::from_value(next()?)?,
            pauses: FromValue::from_value(next()?)?,
        })
    }
}

impl Listed {
    /// The state changes the resolution clock needs, from what the row keeps of them: the
    /// waits that ended, the one going on, and the resolution.
    fn life(&self) -> Result<Vec<StateChange>, StorageError> {
        let pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> = json(&self.pauses)?;
        let mut changes: Vec<StateChange> = pauses
            .into_iter()
            .flat_map(|(from, to)| {
                [
                    StateChange {
                        at: from,
                        to: TicketState::WaitingForCustomer,
                    },
                    StateChange {
                        at: to,
                        to: TicketState::Open,
                    },
                ]
            })
            .collect();
        changes.extend(self.waiting_since.map(|at| StateChange {
            at,
            to: TicketState::WaitingForCustomer,
        }));
        changes.extend(self.resolved_at.map(|at| StateChange {
            at,
            to: TicketState::Resolved,
        }));
        Ok(changes)
    }
}

/// `me` is the asking agent's account.
pub(super) fn queue(
    db: &dyn Sql,
    query: &DeskQuery,
    me: Uuid,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<DeskPage, StorageError> {
    let assignee = match query.filter.assignee {
        Some(AssignedTo::Me) => Some(me),
        Some(AssignedTo::Agent(agent)) => Some(agent),
        Some(AssignedTo::Nobody) | None => None,
    };
    let states = serde_json::to_string(
        &query
            .filter
            .states
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
    )
    .map_err(|e| StorageError::Backend(e.to_string()))?;
    let after = query.after.as_ref();
    let search = query
        .filter
        .text
        .as_deref()
        .map(|text| Search::of(db, text))
        .transpose()?;
    let mut rows: Vec<Listed> = db.all(
        &page_sql(db.dialect(), query, search.as_ref()),
        args![
            states,
            query.filter.priority.map(|p| i64::from(p.urgency())),
            query.filter.shop,
            query.filter.station,
            query.filter.channel.map(|c| c.as_str()),
            search.as_ref().map(Search::parameter),
            after.map(|a| i64::from(a.urgency)),
            after.map(|a| a.created_at),
            after.map(|a| a.id),
            assignee,
            // One more than asked for tells whether another page follows.
            i64::try_from(query.limit + 1).unwrap_or(i64::MAX),
        ],
    )?;
    let more = rows.len() > query.limit;
    rows.truncate(query.limit);
    let next = rows.last().filter(|_| more).map(|last| {
        DeskCursor {
            urgency: last.urgency,
            created_at: last.created_at,
            id: last.id,
        }
        .encode()
    });
    Ok(DeskPage {
        tickets: desk_tickets(db, rows, now, calendar)?,
        next,
    })
}

/// The callbacks nobody has answered yet, the longest waiting first, each with when support is
/// open for it.
pub(super) fn callbacks(
    db: &dyn Sql,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<Vec<DeskTicket>, StorageError> {
    let rows = db.all(
        &format!(
            "{LISTED} WHERE t.callback_requested_at IS NOT NULL
                 AND t.state IN ('new', 'open', 'waiting_for_customer')
             ORDER BY t.callback_requested_at, t.id LIMIT ?1"
        ),
        args![MAX_CALLBACKS],
    )?;
    desk_tickets(db, rows, now, calendar)
}

/// One ticket as the queue lists it, if there is one of that id.
pub(super) fn ticket(
    db: &dyn Sql,
    id: Uuid,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<Option<DeskTicket>, StorageError> {
    let rows = db.all(&format!("{LISTED} WHERE t.id = ?1"), args![id])?;
    Ok(desk_tickets(db, rows, now, calendar)?.pop())
}

/// Each ticket's changes and its till's record after what the app holds of it. The newest
/// revision is read first and nothing after it is handed out, so a change committed meanwhile
/// comes next time instead of being skipped by the cursor.
pub(super) fn history(
    db: &dyn Sql,
    tickets: &[FollowedTicket],
) -> Result<DeskChanges, StorageError> {
    let cursor: i64 = db.one("SELECT coalesce(max(revision), 0) FROM changes", &[])?;
    let mut changes = BTreeMap::new();
    for followed in tickets {
        let after = i64::try_from(followed.after).unwrap_or(i64::MAX);
        let rows: Vec<(i64, Uuid, String)> = db.all(
            "SELECT c.revision, c.shop_id, c.body FROM changes c
             WHERE c.subject_id IN (?1, (SELECT station_id FROM tickets WHERE id = ?1))
               AND c.revision > ?2 AND c.revision <= ?3",
            args![followed.id, after, cursor],
        )?;
        for (revision, shop, body) in rows {
            // Two tickets at one till share its record: it is handed out once.
            if let btree_map::Entry::Vacant(slot) = changes.entry(revision) {
                slot.insert(revisioned(revision, shop, body)?);
            }
        }
    }
    Ok(DeskChanges {
        changes: changes.into_values().collect(),
        cursor: u64::try_from(cursor).unwrap_or(0),
    })
}

/// The shop beside a ticket: its tills with their remote tools and when each last reached the
/// server, its contracts and their terms, its named admins, and its tickets still open.
pub(super) fn shop(
    db: &dyn Sql,
    shop: Uuid,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<Option<DeskShop>, StorageError> {
    let found: Option<(String, bool)> = db.row(
        "SELECT name, second_level FROM shops WHERE id = ?1",
        args![shop],
    )?;
    let Some((name, second_level)) = found else {
        return Ok(None);
    };
    let today = now.with_timezone(&calendar.time_zone).date_naive();
    let contracts = Tables::new(db).contracts(shop)?;
    let mut stations = Vec::new();
    {
        // id, name at enrolment, record, last seen
        type StationRow = (Uuid, String, Option<String>, Option<DateTime<Utc>>);
        let rows: Vec<StationRow> = db.all(
            "SELECT s.id, s.name, s.record,
                    (SELECT max(t.last_used_at) FROM tokens t WHERE t.station_id = s.id)
             FROM stations s WHERE s.shop_id = ?1 ORDER BY s.name, s.id",
            args![shop],
        )?;
        for (id, enrolled_name, record, last_seen_at) in rows {
            let record: Option<Station> = record.map(|r| json(&r)).transpose()?;
            let remote = record.as_ref().and_then(|r| r.remote.as_ref());
            stations.push(DeskStation {
                id,
                name: record.as_ref().map_or(enrolled_name, |r| r.name.clone()),
                remote_tool: remote.map(|r| r.tool.as_str().to_owned()),
                remote_id: remote.map(|r| r.id.clone()),
                plan: covering_contract(&contracts, id, today).map(|c| c.plan.plan.id.0.clone()),
                last_seen_at,
            });
        }
    }
    let named_admins = db
        .all::<(String, String, Option<String>)>(
            "SELECT name, email, phone FROM users
             WHERE shop_id = ?1 AND role = 'shop_admin' AND named_contact AND active ORDER BY name",
            args![shop],
        )?
        .into_iter()
        .map(|(name, email, phone)| DeskContact { name, email, phone })
        .collect();
    let contracts = contracts
        .iter()
        .map(|contract| {
            Ok(DeskContract {
                id: contract.id,
                plan: contract.plan.plan.id.0.clone(),
                station_ids: contract.station_ids.clone(),
                start: contract.start,
                term_end: contract
                    .status_on(today)
                    .map_err(|e| StorageError::Backend(format!("a stored contract: {e}")))?
                    .terms
                    .term_end,
                ends_on: contract.ends_on(),
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let open = DeskQuery {
        filter: QueueFilter {
            states: ACTIVE.to_vec(),
            shop: Some(shop),
            ..QueueFilter::default()
        },
        limit: DEFAULT_PAGE,
        after: None,
    };
    Ok(Some(DeskShop {
        id: shop,
        name,
        second_level,
        stations,
        contracts,
        named_admins,
        // Anyone's tickets: no agent is asked about.
        open_tickets: queue(db, &open, Uuid::nil(), now, calendar)?.tickets,
        station_records: db
            .all::<(i64, Uuid, String)>(
                "SELECT revision, shop_id, body FROM changes
                 WHERE subject_id IN (SELECT id FROM stations WHERE shop_id = ?1)
                   AND kind = 'station_recorded'
                 ORDER BY revision",
                args![shop],
            )?
            .into_iter()
            .map(|(revision, shop, body)| revisioned(revision, shop, body))
            .collect::<Result<_, StorageError>>()?,
        compliance: compliance(db, Some(shop), today)?,
    }))
}

/// The tills that need the desk's eye for the cash-register law, across shops or in one: the
/// domain's overview of each shop's tills, kept where a certificate ends within 180 days or a
/// report is due; expired and overdue first, then by days left and deadline.
pub(super) fn compliance(
    db: &dyn Sql,
    only: Option<Uuid>,
    on: NaiveDate,
) -> Result<Vec<DeskCompliance>, StorageError> {
    let rows: Vec<(Uuid, String, String)> = db.all(
        "SELECT s.shop_id, sh.name, s.record FROM stations s JOIN shops sh ON sh.id = s.shop_id
         WHERE s.record IS NOT NULL AND (CAST(?1 AS TEXT) IS NULL OR s.shop_id = ?1)
         ORDER BY s.shop_id",
        args![only],
    )?;
    let mut shops: Vec<(Uuid, String, Vec<Station>)> = Vec::new();
    for (shop, name, record) in rows {
        let station: Station = json(&record)?;
        match shops.last_mut() {
            Some((id, _, stations)) if *id == shop => stations.push(station),
            _ => shops.push((shop, name, vec![station])),
        }
    }
    let mut listed: Vec<DeskCompliance> = shops
        .iter()
        .flat_map(|(shop, name, stations)| {
            overview(stations, on)
                .into_iter()
                .map(move |row| DeskCompliance {
                    shop_id: *shop,
                    shop_name: name.clone(),
                    station_id: row.station_id,
                    station: row.station,
                    site: row.site,
                    tse_serial: row.tse_serial,
                    tse_valid_until: row.tse_valid_until,
                    days_left: row.days_left,
                    warning: row.warning.map(|w| w.as_str().to_owned()),
                    report_due_by: row.report_due_by,
                    report_overdue: row.report_overdue,
                })
        })
        .filter(|row| row.warning.is_some() || row.report_due_by.is_some())
        .collect();
    listed.sort_by_key(|row| {
        (
            !(row.report_overdue || row.warning.as_deref() == Some("expired")),
            row.days_left.unwrap_or(i64::MAX),
            row.report_due_by,
        )
    });
    Ok(listed)
}

/// Each shop's month: the tickets filed in it with their clocks as they stand `now`, and its
/// tills under contract on the month's last day (today, for the running month).
pub(super) fn report(
    db: &dyn Sql,
    month: NaiveDate,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<DeskReport, StorageError> {
    let local_midnight = |day: NaiveDate| {
        calendar
            .time_zone
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .earliest()
            .map(|at| at.to_utc())
            .ok_or_else(|| StorageError::Backend(format!("no midnight on {day}")))
    };
    let end = month_end(month);
    let rows = db.all(
        &format!("{LISTED} WHERE t.created_at >= ?1 AND t.created_at < ?2"),
        args![local_midnight(month)?, local_midnight(end)?],
    )?;
    let mut filed: HashMap<Uuid, Vec<FiledTicket>> = HashMap::new();
    for ticket in desk_tickets(db, rows, now, calendar)? {
        filed.entry(ticket.shop_id).or_default().push(FiledTicket {
            priority: ticket.priority.parse().map_err(stored_wrong)?,
            created_at: ticket.created_at,
            first_response: SlaClock {
                due: ticket.first_response.due,
                met_at: ticket.first_response.responded_at,
                overdue: ticket.first_response.overdue,
            },
            resolution: SlaClock {
                due: ticket.resolution.due,
                met_at: ticket.resolution.resolved_at,
                overdue: ticket.resolution.overdue,
            },
        });
    }
    let today = now.with_timezone(&calendar.time_zone).date_naive();
    let on = end.pred_opt().unwrap_or(end).min(today);
    let tables = Tables::new(db);
    let shops: Vec<(Uuid, String)> = db.all("SELECT id, name FROM shops", &[])?;
    let mut report = Vec::new();
    for (shop_id, shop_name) in shops {
        let stations: Vec<Uuid> =
            db.all("SELECT id FROM stations WHERE shop_id = ?1", args![shop_id])?;
        let contracts = tables.contracts(shop_id)?;
        let mut covered = 0u32;
        for station in stations {
            covered += u32::from(covering_contract(&contracts, station, on).is_some());
        }
        let tickets = filed.remove(&shop_id).unwrap_or_default();
        if tickets.is_empty() && covered == 0 {
            continue;
        }
        let figures = month_figures(calendar, &tickets);
        report.push(ShopMonth {
            shop_id,
            shop_name,
            tickets_opened: figures.tickets_opened,
            emergencies: figures.emergencies,
            first_response_met_percent: figures.first_response_met_percent,
            resolution_met_percent: figures.resolution_met_percent,
            median_first_response_minutes: figures
                .median_first_response
                .map(|median| median.num_minutes()),
            stations_under_contract: covered,
        });
    }
    // The shops that call most first: where a flat fee is most in question.
    report.sort_by(|a, b| {
        (b.tickets_opened, &a.shop_name, a.shop_id).cmp(&(
            a.tickets_opened,
            &b.shop_name,
            b.shop_id,
        ))
    });
    Ok(DeskReport {
        month: month.format("%Y-%m").to_string(),
        shops: report,
    })
}

/// The listed tickets as the desk shows them: who may call comes from the contract covering
/// each station on the vendor's date, each shop's contracts read once; the SLA clocks run in
/// the vendor's support hours.
fn desk_tickets(
    db: &dyn Sql,
    rows: Vec<Listed>,
    now: DateTime<Utc>,
    calendar: &SupportCalendar,
) -> Result<Vec<DeskTicket>, StorageError> {
    let today = now.with_timezone(&calendar.time_zone).date_naive();
    let tables = Tables::new(db);
    let mut contracts: HashMap<Uuid, Vec<Contract>> = HashMap::new();
    let mut tickets = Vec::with_capacity(rows.len());
    for row in rows {
        let life = row.life()?;
        let (id, shop, station) = (row.id, row.shop, row.station);
        let covering = match station {
            Some(station) => {
                let of_shop = match contracts.entry(shop) {
                    Entry::Occupied(read) => read.into_mut(),
                    Entry::Vacant(unread) => unread.insert(tables.contracts(shop)?),
                };
                covering_contract(of_shop, station, today)
            }
            None => None,
        };
        let priority: Priority = row.priority.parse().map_err(stored_wrong)?;
        let state: TicketState = row.state.parse().map_err(stored_wrong)?;
        // The first response is the ticket's first state change, so no pause came before it,
        // and one waiting for the customer now stops the clock: that is all the clock needs.
        let changes: Vec<StateChange> = row
            .responded_at
            .map(|at| StateChange {
                at,
                to: if state == TicketState::WaitingForCustomer {
                    state
                } else {
                    TicketState::Open
                },
            })
            .into_iter()
            .collect();
        let clock = first_response(calendar, priority, row.created_at, &changes, now);
        let resolved = resolution(calendar, priority, row.created_at, &life, now);
        tickets.push(DeskTicket {
            first_response: DeskSla {
                due: clock.due,
                responded_at: clock.met_at,
                overdue: clock.overdue,
            },
            resolution: DeskResolution {
                due: resolved.due,
                resolved_at: resolved.met_at,
                overdue: resolved.overdue,
            },
            id,
            number: ticket_number(id),
            shop_id: shop,
            shop_name: row.shop_name,
            station_id: station,
            station_name: row.station_name,
            plan: covering.map(|c| c.plan.plan.id.0.clone()),
            who_may_call: covering.map(|c| c.plan.plan.who_may_call.as_str().to_owned()),
            title: row.title,
            state: row.state,
            priority: row.priority,
            channel: row.channel,
            assignee_id: row.assignee,
            assignee_name: row.assignee_name,
            callback: match (row.callback_phone, row.callback_requested_at) {
                (Some(phone), Some(requested_at)) => Some(DeskCallback {
                    phone,
                    requested_at,
                    due_from: calendar.open_from(requested_at),
                }),
                _ => None,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        });
    }
    Ok(tickets)
}

fn stored_wrong(error: stationdesk_core::domain::DomainError) -> StorageError {
    StorageError::Backend(format!("a stored ticket: {error}"))
}
