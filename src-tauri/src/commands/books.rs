//! The vendor's books, read and kept on the server by signed-in admins: invoices (a shop
//! admin's own shop's, every shop's for the vendor admin), the invoice run, payments, the vendor
//! profile, the shops' billing data, contracts across shops and the catalogue's versions.

use chrono::NaiveDate;
use stationdesk_core::domain::contracts::Party;
use stationdesk_core::paths;
use stationdesk_core::sync::vendor::{self, InvoiceDocument};
use stationdesk_protocol::{
    BilledShop, CatalogVersion, ContractOverview, Invoice, ShopBilling, StaffMember, VendorProfile,
};
use tauri::State;
use uuid::Uuid;

use super::on_own_connection;
use crate::error::UiError;
use crate::state::AppState;

/// With `overdue`, only the unpaid ones past their due date today (the shop's today).
#[tauri::command(async)]
pub fn list_invoices(state: State<'_, AppState>, overdue: bool) -> Result<Vec<Invoice>, UiError> {
    let today = state.store().today()?;
    on_own_connection(&state, move |store| {
        vendor::invoices(store, None, overdue.then_some(today))
    })
}

/// Saves the invoice's PDF or XML, as issued, into the Downloads folder; answers the path.
#[tauri::command(async)]
pub fn save_invoice(
    state: State<'_, AppState>,
    number: String,
    document: InvoiceDocument,
) -> Result<String, UiError> {
    let dir = paths::downloads_dir()?;
    on_own_connection(&state, move |store| {
        vendor::save_invoice(store, &number, document, &dir).map(|path| path.display().to_string())
    })
}

#[tauri::command(async)]
pub fn run_invoices(state: State<'_, AppState>, on: NaiveDate) -> Result<Vec<Invoice>, UiError> {
    on_own_connection(&state, move |store| vendor::run_invoices(store, on))
}

#[tauri::command(async)]
pub fn mark_invoice_paid(
    state: State<'_, AppState>,
    number: String,
    on: NaiveDate,
) -> Result<Invoice, UiError> {
    on_own_connection(&state, move |store| vendor::mark_paid(store, &number, on))
}

#[tauri::command(async)]
pub fn vendor_profile(state: State<'_, AppState>) -> Result<Option<VendorProfile>, UiError> {
    on_own_connection(&state, vendor::vendor_profile)
}

#[tauri::command(async)]
pub fn set_vendor_profile(
    state: State<'_, AppState>,
    profile: VendorProfile,
) -> Result<VendorProfile, UiError> {
    on_own_connection(&state, move |store| {
        vendor::set_vendor_profile(store, &profile)
    })
}

#[tauri::command(async)]
pub fn catalog_versions(state: State<'_, AppState>) -> Result<Vec<CatalogVersion>, UiError> {
    on_own_connection(&state, vendor::catalog_versions)
}

#[tauri::command(async)]
pub fn vendor_contracts(state: State<'_, AppState>) -> Result<Vec<ContractOverview>, UiError> {
    on_own_connection(&state, vendor::contracts)
}

/// A written notice the vendor received (or the vendor's own termination), recorded on the server.
#[tauri::command(async)]
pub fn record_contract_notice(
    state: State<'_, AppState>,
    contract_id: Uuid,
    received: NaiveDate,
    by: Party,
) -> Result<ContractOverview, UiError> {
    on_own_connection(&state, move |store| {
        vendor::record_notice(store, contract_id, received, by)
    })
}

#[tauri::command(async)]
pub fn list_staff(state: State<'_, AppState>) -> Result<Vec<StaffMember>, UiError> {
    on_own_connection(&state, vendor::staff)
}

/// The shops the signed-in admin may see (a shop admin their own), each with whom its invoices
/// are made out to.
#[tauri::command(async)]
pub fn billing_shops(state: State<'_, AppState>) -> Result<Vec<BilledShop>, UiError> {
    on_own_connection(&state, vendor::billed_shops)
}

#[tauri::command(async)]
pub fn set_shop_billing(
    state: State<'_, AppState>,
    shop_id: Uuid,
    billing: ShopBilling,
) -> Result<ShopBilling, UiError> {
    on_own_connection(&state, move |store| {
        vendor::set_shop_billing(store, shop_id, &billing)
    })
}
