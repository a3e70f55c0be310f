//! The vendor's side of the API: its profile, the shops' billing data, the contracts it sells
//! and the invoices it issues. Amounts are decimal strings (`"249.00"`), never floats.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who issues the invoices and answers the hotline (the vendor admin keeps it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VendorProfile {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: String,
    pub vat_id: String,
    /// The person named on invoices as the seller's contact (XRechnung requires one).
    pub contact: String,
    pub email: String,
    pub phone: String,
    pub iban: String,
    #[serde(default)]
    pub bic: Option<String>,
    #[serde(default = "fourteen")]
    pub payment_days: u32,
    /// The number the tills show for support.
    #[serde(default)]
    pub hotline: Option<String>,
    /// How the support hours read, e.g. "Mo-Fr 09:00-18:00".
    #[serde(default)]
    pub support_hours: Option<String>,
    /// The VAT rate invoices carry, in percent.
    #[serde(default = "nineteen")]
    pub vat_percent: Decimal,
}

fn fourteen() -> u32 {
    14
}

fn nineteen() -> Decimal {
    Decimal::from(19)
}

/// What the tills and admins may know of the vendor: how to reach support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorContact {
    pub name: String,
    pub hotline: Option<String>,
    pub email: String,
    pub support_hours: Option<String>,
}

/// Whom a shop's invoices are made out to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopBilling {
    pub legal_name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    /// Where invoices are sent; also the buyer's electronic address in the e-invoice.
    pub email: String,
    #[serde(default)]
    pub vat_id: Option<String>,
    /// A Leitweg-ID for public buyers, else the customer number (the server's default).
    #[serde(default)]
    pub buyer_reference: Option<String>,
}

/// A shop with whom its invoices are made out to (`GET /v1/billing`), for the vendor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BilledShop {
    #[serde(flatten)]
    pub shop: crate::Shop,
    /// `None` before anyone set it: the invoice run skips the shop.
    pub billing: Option<ShopBilling>,
}

/// One version of the catalogue: the plans as JSON (the client's `Catalog` format), in force
/// from `valid_from` until the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogVersion {
    pub valid_from: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub catalog: serde_json::Value,
}

/// A contract the vendor admin makes for a shop; the server prices it from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub shop_id: Uuid,
    pub plan_id: String,
    pub station_ids: Vec<Uuid>,
    pub start: NaiveDate,
}

/// A notice the vendor received (in writing), or its own termination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractNotice {
    pub received: NaiveDate,
    /// `customer` (the default) or `vendor`.
    #[serde(default)]
    pub by: Option<String>,
}

/// A contract as the vendor admin sees it, on the day asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractOverview {
    pub contract_id: Uuid,
    pub shop_id: Uuid,
    pub shop_name: String,
    pub plan_id: String,
    pub plan_name: String,
    /// `year` or `month`.
    pub period: String,
    pub stations: usize,
    pub start: NaiveDate,
    /// `active`, `notice_given`, `terminated_by_vendor` or `ended`.
    pub state: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub notice_deadline: NaiveDate,
    pub next_renewal: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Where a notice received today would end it; none once notice was given.
    pub notice_today_ends_on: Option<NaiveDate>,
    /// Net, per period, as sold.
    pub price: Option<Decimal>,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub net: Decimal,
}

/// An invoice or credit note as issued: never changed afterwards, but for the day it was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invoice {
    /// `YYYY-NNNNN`, one unbroken sequence per year for invoices and credit notes together.
    pub number: String,
    pub kind: InvoiceKind,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub shop_id: Uuid,
    pub contract_id: Uuid,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
    pub net: Decimal,
    pub vat_percent: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    /// A credit note's invoice.
    pub refers_to: Option<String>,
    /// Why a credit note was issued.
    pub reason: Option<String>,
    /// The credit note that cancelled this invoice.
    pub cancelled_by: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub seller: VendorProfile,
    pub buyer: ShopBilling,
    /// The buyer reference the e-invoice carries (BT-10).
    pub buyer_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceRun {
    /// The vendor's day the run is for: everything due on or before it is issued.
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelInvoice {
    pub reason: String,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoicePaid {
    pub on: NaiveDate,
}
