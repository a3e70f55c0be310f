//! The vendor's side: its profile and hotline, the catalogue, the shops' billing data, the
//! contracts it sells and its invoices. Vendor admins keep all of it; a shop admin reads and
//! downloads their own shop's; every signed-in caller learns whom to call.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use stationdesk_core::domain::contracts::Party;
use stationdesk_protocol::{
    BilledShop, CancelInvoice, CatalogVersion, ContractNotice, ContractOverview, ErrorBody,
    Invoice, InvoicePaid, InvoiceRun, NewContract, Role, ShopBilling, VendorContact, VendorProfile,
};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::billing::vendor_today;
use crate::error::ApiError;
use crate::storage::{Caller, Document, Storage, StorageError};
use crate::{blocking, body, policy};

pub fn router() -> OpenApiRouter<Arc<dyn Storage>> {
    OpenApiRouter::new()
        .routes(routes!(vendor_contact))
        .routes(routes!(get_profile, set_profile))
        .routes(routes!(catalog_in_force))
        .routes(routes!(catalog_versions, add_catalog_version))
        .routes(routes!(billed_shops))
        .routes(routes!(get_billing, set_billing))
        .routes(routes!(list_contracts, create_contract))
        .routes(routes!(contract_notice))
        .routes(routes!(invoice_run))
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice))
        .routes(routes!(invoice_xml))
        .routes(routes!(invoice_pdf))
        .routes(routes!(cancel_invoice))
        .routes(routes!(invoice_paid))
        .routes(routes!(export_invoices))
}

const VENDOR: [Role; 1] = [Role::VendorAdmin];
const BOOKS: [Role; 2] = [Role::ShopAdmin, Role::VendorAdmin];

/// Whom to call, for every signed-in caller (the tills show the hotline).
#[utoipa::path(get, path = "/v1/vendor", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "The vendor's name, hotline, e-mail and support hours; null before the vendor set its profile", body = Option<VendorContact>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn vendor_contact(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(_, _): Authenticated,
) -> Result<Json<Option<VendorContact>>, ApiError> {
    let profile = blocking(move || storage.vendor_profile()).await?;
    Ok(Json(profile.map(|p| VendorContact {
        name: p.name,
        hotline: p.hotline,
        email: p.email,
        support_hours: p.support_hours,
    })))
}

#[utoipa::path(get, path = "/v1/vendor/profile", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "The vendor profile (vendor admins), null before it is set", body = Option<VendorProfile>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn get_profile(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Option<VendorProfile>>, ApiError> {
    policy::require(&caller, &VENDOR, "read the vendor profile")?;
    Ok(Json(blocking(move || storage.vendor_profile()).await?))
}

#[utoipa::path(put, path = "/v1/vendor/profile", tag = "vendor", security(("bearer" = [])),
    request_body = VendorProfile,
    responses((status = 200, description = "The profile as kept (IBAN checked and without spaces)", body = VendorProfile),
        (status = 400, description = "A field is missing or invalid; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn set_profile(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<VendorProfile>, JsonRejection>,
) -> Result<Json<VendorProfile>, ApiError> {
    policy::require(&caller, &VENDOR, "keep the vendor profile")?;
    let profile = body(request)?;
    Ok(Json(
        blocking(move || storage.set_vendor_profile(profile)).await?,
    ))
}

/// The catalogue in force today, in the format the advisor reads.
#[utoipa::path(get, path = "/v1/catalog", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "The plans and prices in force today", body = Object),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody)))]
async fn catalog_in_force(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(_, _): Authenticated,
) -> Result<Json<serde_json::Value>, ApiError> {
    let catalog = blocking(move || storage.catalog_on(vendor_today())).await?;
    Ok(Json(
        serde_json::to_value(catalog).expect("a catalogue serialises"),
    ))
}

#[utoipa::path(get, path = "/v1/catalog/versions", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "Every version with the day it is valid from", body = Vec<CatalogVersion>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn catalog_versions(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<CatalogVersion>>, ApiError> {
    policy::require(&caller, &VENDOR, "read the catalogue's versions")?;
    Ok(Json(blocking(move || storage.catalog_versions()).await?))
}

#[utoipa::path(post, path = "/v1/catalog/versions", tag = "vendor", security(("bearer" = [])),
    request_body = CatalogVersion,
    responses((status = 200, description = "Every version, the new one among them", body = Vec<CatalogVersion>),
        (status = 400, description = "The catalogue is not valid; the message says why", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 409, description = "A version from that day exists; versions are never changed", body = ErrorBody)))]
async fn add_catalog_version(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<CatalogVersion>, JsonRejection>,
) -> Result<Json<Vec<CatalogVersion>>, ApiError> {
    policy::require(&caller, &VENDOR, "add catalogue versions")?;
    let version = body(request)?;
    Ok(Json(
        blocking(move || {
            storage.add_catalog_version(version.valid_from, &version.catalog)?;
            storage.catalog_versions()
        })
        .await?,
    ))
}

/// Every shop with its billing data for the vendor admin (one request for the vendor's list,
/// however many shops), a shop admin's own.
#[utoipa::path(get, path = "/v1/billing", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "The shops the caller may see, each with whom its invoices are made out to", body = Vec<BilledShop>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins and shop admins", body = ErrorBody)))]
async fn billed_shops(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<Json<Vec<BilledShop>>, ApiError> {
    policy::require(&caller, &BOOKS, "read billing data")?;
    let shop = policy::shop_filter(&caller, None)?;
    Ok(Json(blocking(move || storage.billed_shops(shop)).await?))
}

#[utoipa::path(get, path = "/v1/shops/{shop_id}/billing", tag = "vendor", security(("bearer" = [])),
    params(("shop_id" = Uuid, Path, description = "The shop")),
    responses((status = 200, description = "Whom the shop's invoices are made out to; null before it is set", body = Option<ShopBilling>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins, or the shop's own admins", body = ErrorBody),
        (status = 404, description = "No such shop", body = ErrorBody)))]
async fn get_billing(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(shop_id): Path<Uuid>,
) -> Result<Json<Option<ShopBilling>>, ApiError> {
    policy::require(&caller, &BOOKS, "read billing data")?;
    let shop = policy::shop_for(&caller, Some(shop_id))?;
    Ok(Json(blocking(move || storage.shop_billing(shop)).await?))
}

#[utoipa::path(put, path = "/v1/shops/{shop_id}/billing", tag = "vendor", security(("bearer" = [])),
    params(("shop_id" = Uuid, Path, description = "The shop")), request_body = ShopBilling,
    responses((status = 200, description = "The billing data as kept", body = ShopBilling),
        (status = 400, description = "A field is missing or invalid; the message says which", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins, or the shop's own admins", body = ErrorBody),
        (status = 404, description = "No such shop", body = ErrorBody)))]
async fn set_billing(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(shop_id): Path<Uuid>,
    request: Result<Json<ShopBilling>, JsonRejection>,
) -> Result<Json<ShopBilling>, ApiError> {
    policy::require(&caller, &BOOKS, "keep billing data")?;
    let shop = policy::shop_for(&caller, Some(shop_id))?;
    let billing = body(request)?;
    Ok(Json(
        blocking(move || storage.set_shop_billing(shop, billing)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ShopFilter {
    /// One shop (a shop admin's own is implied).
    shop_id: Option<Uuid>,
    /// Only unpaid invoices past their due date on this day.
    overdue_on: Option<NaiveDate>,
}

/// Contracts across shops for the vendor admin, a shop admin's own.
#[utoipa::path(get, path = "/v1/contracts", tag = "vendor", security(("bearer" = [])),
    params(ShopFilter),
    responses((status = 200, description = "Each contract with its current term, notice deadline and what a notice today would do", body = Vec<ContractOverview>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins and shop admins", body = ErrorBody)))]
async fn list_contracts(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Query(filter): Query<ShopFilter>,
) -> Result<Json<Vec<ContractOverview>>, ApiError> {
    policy::require(&caller, &BOOKS, "list contracts")?;
    let shop = policy::shop_filter(&caller, filter.shop_id)?;
    Ok(Json(
        blocking(move || storage.contracts_overview(shop, vendor_today())).await?,
    ))
}

#[utoipa::path(post, path = "/v1/contracts", tag = "vendor", security(("bearer" = [])),
    request_body = NewContract,
    responses((status = 200, description = "The contract, priced from the catalogue in force, as the shop will see it", body = ContractOverview),
        (status = 400, description = "The plan, the stations or the start do not fit; the message says why", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn create_contract(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<NewContract>, JsonRejection>,
) -> Result<Json<ContractOverview>, ApiError> {
    policy::require(&caller, &VENDOR, "sell contracts")?;
    let new = body(request)?;
    blocking(move || {
        let contract = storage.create_contract(&new, vendor_today(), Utc::now())?;
        one_contract(&*storage, new.shop_id, contract.id)
    })
    .await
    .map(Json)
}

fn one_contract(
    storage: &dyn Storage,
    shop: Uuid,
    id: Uuid,
) -> Result<ContractOverview, StorageError> {
    storage
        .contracts_overview(Some(shop), vendor_today())?
        .into_iter()
        .find(|c| c.contract_id == id)
        .ok_or_else(|| StorageError::NotFound(format!("no contract {id}")))
}

/// A written notice the vendor received, or the vendor's own termination.
#[utoipa::path(post, path = "/v1/contracts/{contract_id}/notice", tag = "vendor", security(("bearer" = [])),
    params(("contract_id" = Uuid, Path, description = "The contract")), request_body = ContractNotice,
    responses((status = 200, description = "The contract with the day it ends", body = ContractOverview),
        (status = 400, description = "Notice was given already, or the day does not fit", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 404, description = "No such contract", body = ErrorBody)))]
async fn contract_notice(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(contract_id): Path<Uuid>,
    request: Result<Json<ContractNotice>, JsonRejection>,
) -> Result<Json<ContractOverview>, ApiError> {
    policy::require(&caller, &VENDOR, "record notices")?;
    let notice = body(request)?;
    let by: Party = notice
        .by
        .as_deref()
        .unwrap_or("customer")
        .parse()
        .map_err(ApiError::BadRequest)?;
    blocking(move || {
        let shop = storage
            .contracts_overview(None, vendor_today())?
            .into_iter()
            .find(|c| c.contract_id == contract_id)
            .map(|c| c.shop_id)
            .ok_or_else(|| StorageError::NotFound(format!("no contract {contract_id}")))?;
        storage.give_notice(contract_id, notice.received, by, Utc::now())?;
        one_contract(&*storage, shop, contract_id)
    })
    .await
    .map(Json)
}

/// Issues every invoice due on or before the day; a second run for the same day issues nothing.
#[utoipa::path(post, path = "/v1/invoices/run", tag = "vendor", security(("bearer" = [])),
    request_body = InvoiceRun,
    responses((status = 200, description = "The invoices this run issued, and nothing else", body = Vec<Invoice>),
        (status = 400, description = "The vendor profile is missing", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn invoice_run(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    request: Result<Json<InvoiceRun>, JsonRejection>,
) -> Result<Json<Vec<Invoice>>, ApiError> {
    policy::require(&caller, &VENDOR, "run invoices")?;
    let run = body(request)?;
    let issued = blocking(move || storage.invoice_run(run.on)).await?;
    tracing::info!(issued = issued.len(), on = %run.on, "invoice run");
    Ok(Json(issued))
}

#[utoipa::path(get, path = "/v1/invoices", tag = "vendor", security(("bearer" = [])),
    params(ShopFilter),
    responses((status = 200, description = "Invoices and credit notes in number order", body = Vec<Invoice>),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins and shop admins (their own shop's)", body = ErrorBody)))]
async fn list_invoices(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Query(filter): Query<ShopFilter>,
) -> Result<Json<Vec<Invoice>>, ApiError> {
    policy::require(&caller, &BOOKS, "list invoices")?;
    let shop = policy::shop_filter(&caller, filter.shop_id)?;
    Ok(Json(
        blocking(move || storage.invoices(shop, filter.overdue_on)).await?,
    ))
}

/// The invoice, if the caller may read it: another shop's is answered as not there.
fn readable(storage: &dyn Storage, caller: &Caller, number: &str) -> Result<Invoice, StorageError> {
    let invoice = storage.invoice(number)?;
    match caller.shop_id {
        Some(shop) if shop != invoice.shop_id => {
            Err(StorageError::NotFound(format!("no invoice {number}")))
        }
        _ => Ok(invoice),
    }
}

#[utoipa::path(get, path = "/v1/invoices/{number}", tag = "vendor", security(("bearer" = [])),
    params(("number" = String, Path, description = "e.g. 2027-00042")),
    responses((status = 200, description = "The invoice as issued, with its payment", body = Invoice),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins and shop admins", body = ErrorBody),
        (status = 404, description = "No such invoice of the caller's", body = ErrorBody)))]
async fn get_invoice(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(number): Path<String>,
) -> Result<Json<Invoice>, ApiError> {
    policy::require(&caller, &BOOKS, "read invoices")?;
    Ok(Json(
        blocking(move || readable(&*storage, &caller, &number)).await?,
    ))
}

async fn document(
    storage: Arc<dyn Storage>,
    caller: Caller,
    number: String,
    document: Document,
) -> Result<impl IntoResponse, ApiError> {
    policy::require(&caller, &BOOKS, "download invoices")?;
    let (content_type, extension) = match document {
        Document::Xml => ("application/xml", "xml"),
        Document::Pdf => ("application/pdf", "pdf"),
    };
    let disposition = format!("attachment; filename=\"{number}.{extension}\"");
    let bytes = blocking(move || {
        readable(&*storage, &caller, &number)?;
        storage.invoice_document(&number, document)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

#[utoipa::path(get, path = "/v1/invoices/{number}/xml", tag = "vendor", security(("bearer" = [])),
    params(("number" = String, Path, description = "e.g. 2027-00042")),
    responses((status = 200, description = "The XRechnung 3.0 e-invoice (UN/CEFACT CII) as issued", body = String, content_type = "application/xml"),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 404, description = "No such invoice of the caller's", body = ErrorBody)))]
async fn invoice_xml(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(number): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    document(storage, caller, number, Document::Xml).await
}

#[utoipa::path(get, path = "/v1/invoices/{number}/pdf", tag = "vendor", security(("bearer" = [])),
    params(("number" = String, Path, description = "e.g. 2027-00042")),
    responses((status = 200, description = "The readable PDF as issued", body = Vec<u8>, content_type = "application/pdf"),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 404, description = "No such invoice of the caller's", body = ErrorBody)))]
async fn invoice_pdf(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(number): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    document(storage, caller, number, Document::Pdf).await
}

/// Cancels an invoice with a credit note of its own number; its period may be invoiced anew.
#[utoipa::path(post, path = "/v1/invoices/{number}/cancel", tag = "vendor", security(("bearer" = [])),
    params(("number" = String, Path, description = "e.g. 2027-00042")), request_body = CancelInvoice,
    responses((status = 200, description = "The credit note", body = Invoice),
        (status = 400, description = "No reason, a credit note, or a day before the invoice", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 404, description = "No such invoice", body = ErrorBody),
        (status = 409, description = "Cancelled already", body = ErrorBody)))]
async fn cancel_invoice(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(number): Path<String>,
    request: Result<Json<CancelInvoice>, JsonRejection>,
) -> Result<Json<Invoice>, ApiError> {
    policy::require(&caller, &VENDOR, "cancel invoices")?;
    let cancel = body(request)?;
    let on = cancel.on.unwrap_or_else(vendor_today);
    Ok(Json(
        blocking(move || storage.cancel_invoice(&number, &cancel.reason, on)).await?,
    ))
}

#[utoipa::path(post, path = "/v1/invoices/{number}/paid", tag = "vendor", security(("bearer" = [])),
    params(("number" = String, Path, description = "e.g. 2027-00042")), request_body = InvoicePaid,
    responses((status = 200, description = "The invoice, paid", body = Invoice),
        (status = 400, description = "A credit note", body = ErrorBody),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody),
        (status = 404, description = "No such invoice", body = ErrorBody),
        (status = 409, description = "Marked paid already", body = ErrorBody)))]
async fn invoice_paid(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
    Path(number): Path<String>,
    request: Result<Json<InvoicePaid>, JsonRejection>,
) -> Result<Json<Invoice>, ApiError> {
    policy::require(&caller, &VENDOR, "record payments")?;
    let paid = body(request)?;
    Ok(Json(
        blocking(move || storage.mark_paid(&number, paid.on)).await?,
    ))
}

/// For the bookkeeper: every invoice and credit note (credit notes negative).
#[utoipa::path(get, path = "/v1/exports/invoices.csv", tag = "vendor", security(("bearer" = [])),
    responses((status = 200, description = "number, kind, issued_on, shop_id, shop, currency, net, vat, gross, refers_to, paid_on", body = String, content_type = "text/csv"),
        (status = 401, description = "No valid, unrevoked token", body = ErrorBody),
        (status = 403, description = "Vendor admins only", body = ErrorBody)))]
async fn export_invoices(
    State(storage): State<Arc<dyn Storage>>,
    Authenticated(caller, _): Authenticated,
) -> Result<impl IntoResponse, ApiError> {
    policy::require(&caller, &VENDOR, "export invoices")?;
    let csv = blocking(move || storage.invoices_csv()).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}
