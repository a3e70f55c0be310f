//! `stationdesk-cli desk …`: the support desk's queue across every shop, as the server answers
//! it, for the vendor's support staff and admins.

use clap::Subcommand;
use stationdesk_core::domain::desk_queue::{AssignedTo, QueueFilter};
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_core::domain::tickets::{Channel, Priority, TicketState};
use stationdesk_core::store::Store;
use stationdesk_core::sync::desk;
use stationdesk_protocol::DeskReport;
use uuid::Uuid;

use super::{table, CliError, Output};

#[derive(Subcommand)]
pub(super) enum DeskCommand {
    /// One page of the queue: emergencies first, then the longest waiting; each ticket with its
    /// shop, station and the plan covering that station today.
    Queue {
        /// States to list (repeat the option or separate by commas); the active ones when left
        /// out.
        #[arg(long, value_delimiter = ',')]
        state: Vec<TicketState>,
        #[arg(long)]
        priority: Option<Priority>,
        #[arg(long)]
        shop: Option<Uuid>,
        #[arg(long)]
        station: Option<Uuid>,
        #[arg(long)]
        channel: Option<Channel>,
        /// `me`, `none` (waiting to be taken) or a staff account's id; anyone's when left out.
        #[arg(long)]
        assignee: Option<AssignedTo>,
        /// Text the title contains.
        #[arg(long)]
        search: Option<String>,
        /// Tickets per page, 1 to 200.
        #[arg(long)]
        limit: Option<usize>,
        /// Where the page begins: the `next` of the page before.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// The callbacks tills asked for outside support hours that nobody has made yet, the
    /// longest waiting first; `ticket called-back` answers one.
    Callbacks,
    /// The tills across shops whose TSE certificate ends within 180 days (or has ended), or
    /// whose site's report to the tax office is due; the most urgent first.
    Compliance,
    /// The SLA clocks of my tickets and the unassigned ones that run out within the warning
    /// time (`desk sla-warning`), or have run out; each told once unless `--all`.
    DueSoon {
        /// Every one, told before or not.
        #[arg(long)]
        all: bool,
    },
    /// How long before an SLA clock runs out the desk is warned: shows it, or sets it.
    SlaWarning {
        /// Minutes, 1 to 540.
        #[arg(long)]
        minutes: Option<i64>,
    },
    /// The vendor's monthly report per shop: tickets, emergencies, SLA targets met, the median
    /// time to a first response, tills under contract.
    Report {
        /// `2026-11`; the running month when left out.
        #[arg(long)]
        month: Option<String>,
        /// Print it as CSV, as the download is.
        #[arg(long)]
        csv: bool,
    },
    /// Keeps a ticket here with its whole history (the desk keeps only what it opens), and
    /// follows it from then on: `ticket show` reads it, replies and notes go to it offline.
    Open {
        /// The ticket's id, as the queue lists it.
        id: Uuid,
    },
}

pub(super) fn desk_command(
    command: &DeskCommand,
    store: impl Fn() -> Result<Store, CliError>,
    out: &Output,
) -> Result<(), CliError> {
    match command {
        DeskCommand::Queue {
            state,
            priority,
            shop,
            station,
            channel,
            assignee,
            search,
            limit,
            cursor,
        } => queue(
            &QueueFilter {
                states: state.clone(),
                priority: *priority,
                shop: *shop,
                station: *station,
                channel: *channel,
                assignee: *assignee,
                text: search.clone(),
                limit: *limit,
                cursor: cursor.clone(),
            },
            &mut store()?,
            out,
        ),
        DeskCommand::Callbacks => callbacks(&mut store()?, out),
        DeskCommand::Compliance => {
            let listed = desk::compliance(&mut store()?)?;
            out.print(&listed, || {
                let date = |day: Option<chrono::NaiveDate>| {
                    day.map_or_else(String::new, |d| d.to_string())
                };
                let rows = listed
                    .iter()
                    .map(|row| {
                        vec![
                            row.shop_name.clone(),
                            row.station.clone(),
                            row.tse_serial.clone().unwrap_or_default(),
                            date(row.tse_valid_until),
                            row.warning.clone().unwrap_or_default(),
                            date(row.report_due_by),
                            if row.report_overdue { "OVERDUE" } else { "" }.to_owned(),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "SHOP",
                        "STATION",
                        "TSE",
                        "VALID UNTIL",
                        "WARNING",
                        "REPORT DUE BY",
                        "",
                    ],
                    rows,
                )
            })
        }
        DeskCommand::Report { month, csv } => {
            let mut store = store()?;
            if *csv {
                let month = month.clone().unwrap_or_else(|| {
                    chrono::Utc::now()
                        .with_timezone(&SupportCalendar::default().time_zone)
                        .format("%Y-%m")
                        .to_string()
                });
                let csv = desk::report_csv(&mut store, &month)?;
                print!("{}", String::from_utf8_lossy(&csv));
                return Ok(());
            }
            let report = desk::report(&mut store, month.as_deref())?;
            out.print(&report, || report_table(&report))
        }
        DeskCommand::DueSoon { all } => {
            let soon = desk::due_soon(&mut store()?, chrono::Utc::now(), *all)?;
            out.print(&soon, || {
                let rows = soon
                    .iter()
                    .map(|due| {
                        vec![
                            due.number.clone(),
                            due.clock.to_owned(),
                            due.due.format("%Y-%m-%d %H:%M").to_string(),
                            due.shop_name.clone(),
                            due.assignee_name.clone().unwrap_or_default(),
                            due.title.clone(),
                        ]
                    })
                    .collect();
                table(&["ticket", "clock", "due", "shop", "agent", "title"], rows)
            })
        }
        DeskCommand::SlaWarning { minutes } => {
            let mut store = store()?;
            if let Some(minutes) = minutes {
                store.set_sla_warning(*minutes)?;
            }
            let minutes = store.sla_warning()?.num_minutes();
            out.print(&serde_json::json!({ "minutes": minutes }), || {
                format!("the desk is warned {minutes} minutes before an SLA runs out")
            })
        }
        DeskCommand::Open { id } => {
            let opened = desk::open_ticket(&mut store()?, *id)?;
            out.print(&opened.ticket, || {
                format!(
                    "{} ({}) is kept here with its history; `ticket show {}` reads it",
                    opened.ticket.number, opened.ticket.shop_name, opened.ticket.number
                )
            })
        }
    }
}

fn callbacks(store: &mut Store, out: &Output) -> Result<(), CliError> {
    let callbacks = desk::callbacks(store)?;
    out.print(&callbacks, || {
        let rows = callbacks
            .iter()
            .filter_map(|t| {
                let callback = t.callback.as_ref()?;
                Some(vec![
                    t.number.clone(),
                    callback.phone.clone(),
                    t.shop_name.clone(),
                    t.station_name.clone().unwrap_or_default(),
                    callback.requested_at.format("%Y-%m-%d %H:%M").to_string(),
                    callback
                        .due_from
                        .map(|due| due.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                    t.title.clone(),
                ])
            })
            .collect();
        table(
            &[
                "ticket", "call", "shop", "station", "asked", "from", "title",
            ],
            rows,
        )
    })
}

fn queue(filter: &QueueFilter, store: &mut Store, out: &Output) -> Result<(), CliError> {
    let page = desk::queue(store, filter)?;
    out.print(&page, || {
        let rows = page
            .tickets
            .iter()
            .map(|t| {
                vec![
                    t.number.clone(),
                    t.priority.clone(),
                    t.state.clone(),
                    t.shop_name.clone(),
                    t.station_name.clone().unwrap_or_default(),
                    t.plan.clone().unwrap_or_else(|| "no contract".into()),
                    t.assignee_name.clone().unwrap_or_default(),
                    t.title.clone(),
                    t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                ]
            })
            .collect();
        let listed = table(
            &[
                "ticket", "priority", "state", "shop", "station", "plan", "agent", "title", "filed",
            ],
            rows,
        );
        match &page.next {
            Some(next) => format!("{listed}\nmore: --cursor {next}"),
            None => listed,
        }
    })
}

fn report_table(report: &DeskReport) -> String {
    let percent =
        |share: Option<rust_decimal::Decimal>| share.map_or("—".into(), |s| format!("{s} %"));
    let rows = report
        .shops
        .iter()
        .map(|shop| {
            vec![
                shop.shop_name.clone(),
                shop.tickets_opened.to_string(),
                shop.emergencies.to_string(),
                percent(shop.first_response_met_percent),
                percent(shop.resolution_met_percent),
                shop.median_first_response_minutes
                    .map_or("—".into(), |m| format!("{m} min")),
                shop.stations_under_contract.to_string(),
            ]
        })
        .collect();
    format!(
        "{}\n{}",
        report.month,
        table(
            &[
                "shop",
                "tickets",
                "emergencies",
                "1st reply in time",
                "resolved in time",
                "median 1st reply",
                "tills under contract",
            ],
            rows,
        )
    )
}
