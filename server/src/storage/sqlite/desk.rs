//! The support desk's queue from the server's own ticket tables: one statement for the page,
//! and the contract covering each listed station.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use stationdesk_core::domain::tickets::ticket_number;
use stationdesk_protocol::{DeskPage, DeskTicket};

use super::{id_of, uuid_of};
use crate::desk::{DeskCursor, DeskQuery};
use crate::storage::StorageError;

/// One page of the queue, with only the conditions the desk asked for, so that SQLite can
/// choose the index that fits: the queue's own order (`tickets_queue`), or a shop's or a
/// station's tickets. Names come from subqueries rather than joins, so no join order can make
/// SQLite read every ticket of every shop and sort them. Parameters keep their numbers whichever conditions are there; `?10` (the
/// page size) always is.
fn page_sql(query: &DeskQuery) -> String {
    let filter = &query.filter;
    let mut conditions = vec!["t.state IN (SELECT value FROM json_each(?1))"];
    let mut wanted = |present: bool, condition: &'static str| {
        if present {
            conditions.push(condition);
        }
    };
    wanted(filter.priority.is_some(), "t.urgency = ?2");
    wanted(filter.shop.is_some(), "t.shop_id = ?3");
    wanted(filter.station.is_some(), "t.station_id = ?4");
    wanted(filter.channel.is_some(), "t.channel = ?5");
    wanted(
        filter.text.is_some(),
        "instr(lower(t.title), lower(?6)) > 0",
    );
    wanted(
        query.after.is_some(),
        "(t.urgency, t.created_at, t.id) > (?7, ?8, ?9)",
    );
    format!(
        "SELECT t.id, t.shop_id, (SELECT s.name FROM shops s WHERE s.id = t.shop_id) AS shop_name,
                t.station_id,
                (SELECT coalesce(json_extract(st.record, '$.name'), st.name)
                 FROM stations st WHERE st.id = t.station_id) AS station_name,
                t.title, t.state, t.priority, t.channel, t.created_at, t.updated_at, t.urgency
         FROM tickets t
         WHERE {}
         ORDER BY t.urgency, t.created_at, t.id
         LIMIT ?10",
        conditions.join(" AND ")
    )
}

/// The contract in force on `?2` that lists the station `?1` of the shop `?3` (only that
/// shop's contracts are read, by their index).
const COVERING: &str = "
    SELECT c.plan_id, json_extract(c.record, '$.plan.plan.who_may_call')
    FROM contracts c, json_each(c.record, '$.station_ids') AS covered
    WHERE c.shop_id = ?3 AND covered.value = ?1
      AND c.start_date <= ?2 AND (c.ends_on IS NULL OR c.ends_on >= ?2)
    ORDER BY c.start_date DESC
    LIMIT 1";

pub(super) fn queue(
    conn: &Connection,
    query: &DeskQuery,
    today: NaiveDate,
) -> Result<DeskPage, StorageError> {
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
    let mut page = conn.prepare_cached(&page_sql(query))?;
    let mut rows = page
        .query_map(
            params![
                states,
                query.filter.priority.map(|p| p.urgency()),
                query.filter.shop.map(|s| s.to_string()),
                query.filter.station.map(|s| s.to_string()),
                query.filter.channel.map(|c| c.as_str()),
                query.filter.text,
                after.map(|a| a.urgency),
                after.map(|a| super::utc_text(a.created_at)),
                after.map(|a| a.id.to_string()),
                // One more than asked for tells whether another page follows.
                i64::try_from(query.limit + 1).unwrap_or(i64::MAX),
            ],
            |r| {
                Ok((
                    r.get::<_, String>("id")?,
                    r.get::<_, String>("shop_id")?,
                    r.get::<_, String>("shop_name")?,
                    r.get::<_, Option<String>>("station_id")?,
                    r.get::<_, Option<String>>("station_name")?,
                    (
                        r.get::<_, String>("title")?,
                        r.get::<_, String>("state")?,
                        r.get::<_, String>("priority")?,
                        r.get::<_, String>("channel")?,
                    ),
                    r.get::<_, DateTime<Utc>>("created_at")?,
                    r.get::<_, DateTime<Utc>>("updated_at")?,
                    r.get::<_, u8>("urgency")?,
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > query.limit;
    rows.truncate(query.limit);

    let mut covering = conn.prepare_cached(COVERING)?;
    let day = today.to_string();
    let mut tickets = Vec::with_capacity(rows.len());
    let mut last = None;
    for (id, shop, shop_name, station, station_name, text, created_at, updated_at, urgency) in rows
    {
        let id = id_of(id)?;
        let (plan, who_may_call) = match &station {
            Some(station) => covering
                .query_row(params![station, day, shop], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .unwrap_or((None, None)),
            None => (None, None),
        };
        let (title, state, priority, channel) = text;
        last = Some(DeskCursor {
            urgency,
            created_at,
            id,
        });
        tickets.push(DeskTicket {
            id,
            number: ticket_number(id),
            shop_id: id_of(shop)?,
            shop_name,
            station_id: uuid_of(station)?,
            station_name,
            plan,
            who_may_call,
            title,
            state,
            priority,
            channel,
            created_at,
            updated_at,
        });
    }
    Ok(DeskPage {
        tickets,
        next: last.filter(|_| more).map(|cursor| cursor.encode()),
    })
}
