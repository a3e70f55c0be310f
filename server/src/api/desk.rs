//! The support desk's workspace: the queue across every shop, answered by the server.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use stationdesk_core::domain::report::parse_month;
use stationdesk_core::domain::support_hours::SupportCalendar;
use stationdesk_protocol::{
    DeskChanges, DeskCompliance, DeskFollowed, DeskPage, DeskReport, DeskShop, DeskTicket,
    DeskTicketInContext, ErrorBody, FollowedTicket, Role, MAX_FOLLOWED,
};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::desk::{DeskQuery, RawDeskQuery};
use crate::error::ApiError;
use crate::storage::{Caller, Storage};
use crate::{blocking, policy};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(ticket_in_context))
        .routes(routes!(shop))
        .routes(routes!(callbacks))
        .routes(routes!(compliance))
        .routes(routes!(followed))
        .routes(routes!(report))
        .routes(routes!(report_csv))
}

/// The roles that work the desk.
const DESK: [Role; 2] = [Role::SupportStaff, Role::VendorAdmin];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct QueueParams {
    /// States, comma-separated (`new,open`); the active ones (new, open, waiting for the
    /// customer) when left out.
    state: Option<String>,
    /// `emergency`, `high` or `normal`.
    priority: Option<String>,
    shop_id: Option<Uuid>,
    station_id: Option<Uuid>,
    /// `emergency_button`, `form`, `phone` or `email`.
    channel: Option<String>,
    /// `me` (the signed-in agent's), `none` (waiting to be taken) or a staff account's id;
    /// anyone's when left out.
    assignee: Option<String>,
    /// Text the title contains.
    q: Option<String>,
    /// Tickets per page, 1 to 200 (50 when left out).
    limit: Option<usize>,
    /// The `next` of the page before; left out for the first page.
    cursor: Option<String>,
}

/// The queue across every shop for the vendor's support staff and admins: emergencies first,
/// then by priority, the ticket waiting longest first; each with its shop, station and the
/// plan covering that station today.
#[utoipa::path(get, path = "/v1/desk/tickets", tag = "desk", security(("bearer" = [])),
    params(QueueParams),
    responses((status = 200, description = "One page of the queue", body = DeskPage),
        (status = 400, description = "A parameter is malformed; the message says what to send", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the queue", body = ErrorBody)))]
async fn queue(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Json<DeskPage>, ApiError> {
    policy::require(&caller, &DESK, "work the support desk's queue")?;
    let Query(params) = params.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let query = DeskQuery::parse(RawDeskQuery {
        state: params.state.as_deref(),
        priority: params.priority.as_deref(),
        shop: params.shop_id,
        station: params.station_id,
        channel: params.channel.as_deref(),
        assignee: params.assignee.as_deref(),
        text: params.q.as_deref(),
        limit: params.limit,
        cursor: params.cursor.as_deref(),
    })?;
    Ok(Json(
        blocking(move || {
            storage.desk_queue(
                &query,
                caller.account,
                Utc::now(),
                &SupportCalendar::default(),
            )
        })
        .await?,
    ))
}

/// The callback service's list: the numbers tills left outside support hours that nobody has
/// called back yet, the longest waiting first, each with when support is open for it.
#[utoipa::path(get, path = "/v1/desk/callbacks", tag = "desk", security(("bearer" = [])),
    responses((status = 200, description = "The callbacks still to make", body = Vec<DeskTicket>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the desk", body = ErrorBody)))]
async fn callbacks(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<DeskTicket>>, ApiError> {
    policy::require(&caller, &DESK, "work the support desk's callbacks")?;
    Ok(Json(
        blocking(move || storage.desk_callbacks(Utc::now(), &SupportCalendar::default())).await?,
    ))
}

/// The cash-register law across every shop: the tills whose TSE certificate ends within 180
/// days or has ended, and those whose site's report to the tax office is due or overdue; the
/// most urgent first.
#[utoipa::path(get, path = "/v1/desk/compliance", tag = "desk", security(("bearer" = [])),
    responses((status = 200, description = "The tills that need attention", body = Vec<DeskCompliance>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the desk", body = ErrorBody)))]
async fn compliance(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<DeskCompliance>>, ApiError> {
    policy::require(&caller, &DESK, "see the tills' compliance across shops")?;
    let today = Utc::now()
        .with_timezone(&SupportCalendar::default().time_zone)
        .date_naive();
    Ok(Json(
        blocking(move || storage.desk_compliance(None, today)).await?,
    ))
}

/// One ticket as the queue lists it, with its shop beside it: the shop's tills (remote tool,
/// when each last reached the server), contracts, named admins and other open tickets; and the
/// ticket's whole history, internal notes included, for the desk's app to keep.
#[utoipa::path(get, path = "/v1/desk/tickets/{ticket_id}", tag = "desk", security(("bearer" = [])),
    params(("ticket_id" = Uuid, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket, its shop and its history", body = DeskTicketInContext),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the desk", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody)))]
async fn ticket_in_context(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(ticket_id): Path<Uuid>,
) -> Result<Json<DeskTicketInContext>, ApiError> {
    policy::require(&caller, &DESK, "work the support desk's tickets")?;
    let found = blocking(move || {
        let (now, calendar) = (Utc::now(), SupportCalendar::default());
        let Some(ticket) = storage.desk_ticket(ticket_id, now, &calendar)? else {
            return Ok(None);
        };
        let Some(shop) = storage.desk_shop(ticket.shop_id, now, &calendar)? else {
            return Ok(None);
        };
        let history = storage
            .desk_history(&[FollowedTicket {
                id: ticket_id,
                after: 0,
            }])?
            .changes;
        Ok(Some(DeskTicketInContext {
            ticket,
            shop,
            history,
        }))
    })
    .await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no ticket {ticket_id}")))
}

/// A shop as the desk sees it: what an agent filing a ticket from a phone call picks the till
/// from, and what stands beside a ticket.
#[utoipa::path(get, path = "/v1/desk/shops/{shop_id}", tag = "desk", security(("bearer" = [])),
    params(("shop_id" = Uuid, Path, description = "The shop")),
    responses((status = 200, description = "The shop's tills, contracts, named admins and open tickets", body = DeskShop),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the desk", body = ErrorBody),
        (status = 404, description = "No such shop", body = ErrorBody)))]
async fn shop(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(shop_id): Path<Uuid>,
) -> Result<Json<DeskShop>, ApiError> {
    policy::require(&caller, &DESK, "work the support desk's shops")?;
    blocking(move || storage.desk_shop(shop_id, Utc::now(), &SupportCalendar::default()))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no shop {shop_id}")))
}

/// What changed on the tickets the desk's app opened, after what it holds of each: the app
/// keeps those up to date (woken by the event stream) instead of pulling every shop's history.
/// A read, sent as a POST because the list can be long.
#[utoipa::path(post, path = "/v1/desk/followed", tag = "desk", security(("bearer" = [])),
    request_body = DeskFollowed,
    responses((status = 200, description = "Their changes by revision, and the cursor they are complete up to", body = DeskChanges),
        (status = 400, description = "More tickets than the server follows at once", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins work the desk", body = ErrorBody)))]
async fn followed(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    body: Result<Json<DeskFollowed>, JsonRejection>,
) -> Result<Json<DeskChanges>, ApiError> {
    policy::require(&caller, &DESK, "follow the support desk's tickets")?;
    let Json(followed) = body.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    if followed.tickets.len() > MAX_FOLLOWED {
        return Err(ApiError::BadRequest(format!(
            "{} tickets asked for; follow at most {MAX_FOLLOWED} at once",
            followed.tickets.len()
        )));
    }
    Ok(Json(
        blocking(move || storage.desk_history(&followed.tickets)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportParams {
    /// `2026-11`; the running month when left out.
    month: Option<String>,
}

/// The report of the month asked for (checked; the running month when none), for the desk.
async fn month_report(
    storage: Arc<dyn Storage>,
    caller: &Caller,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<DeskReport, ApiError> {
    policy::require(caller, &DESK, "read the support desk's report")?;
    let Query(params) = params.map_err(|r| ApiError::BadRequest(r.body_text()))?;
    let calendar = SupportCalendar::default();
    let month = params.month.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&calendar.time_zone)
            .format("%Y-%m")
            .to_string()
    });
    let month = parse_month(&month).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    blocking(move || storage.desk_report(month, Utc::now(), &calendar)).await
}

/// The vendor's monthly view per shop: tickets opened, emergencies, first-response and
/// resolution targets met, the median time to a first response in support hours, and the
/// tills under contract.
#[utoipa::path(get, path = "/v1/desk/report", tag = "desk", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, description = "Each shop's month", body = DeskReport),
        (status = 400, description = "The month is not one like 2026-11", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins read the report", body = ErrorBody)))]
async fn report(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Json<DeskReport>, ApiError> {
    Ok(Json(month_report(storage, &caller, params).await?))
}

/// The monthly report as CSV, one row per shop.
#[utoipa::path(get, path = "/v1/desk/report.csv", tag = "desk", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, description = "month, shop_id, shop, tickets_opened, emergencies, first_response_met_percent, resolution_met_percent, median_first_response_minutes, stations_under_contract", body = String, content_type = "text/csv"),
        (status = 400, description = "The month is not one like 2026-11", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Only the vendor's support staff and admins read the report", body = ErrorBody)))]
async fn report_csv(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let report = month_report(storage, &caller, params).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        crate::desk::report_csv(&report),
    ))
}
