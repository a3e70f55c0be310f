//! What the server keeps, behind a trait: handlers speak to [`Storage`] and never to SQL, so a
//! PostgreSQL backend can stand beside [`sqlite::SqliteStorage`] for deployments that outgrow one
//! machine.

pub mod memory;
pub mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use stationdesk_core::domain::contracts::{Contract, Party};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_protocol::{
    BilledShop, BlobStatus, CatalogVersion, ChangeResult, ContractOverview, Invoice, Me,
    NewContract, NewShop, NewStaff, PullResponse, Role, Shop, ShopBilling, StaffMember,
    VendorProfile,
};
use thiserror::Error;
use uuid::Uuid;

/// Who is calling, from their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The station or the staff member the token belongs to.
    pub account: Uuid,
    pub role: Role,
    pub shop_id: Option<Uuid>,
    pub station_id: Option<Uuid>,
    pub name: String,
    /// A shop admin named in a Second Level contract.
    pub named_contact: bool,
}

impl From<Caller> for Me {
    fn from(caller: Caller) -> Me {
        Me {
            role: caller.role,
            shop_id: caller.shop_id,
            station_id: caller.station_id,
            name: caller.name,
        }
    }
}

/// One pushed change, as sent: the id it answers to, and the change still to be read (the
/// door reads it; one that cannot be read is refused on its own).
pub struct Pushed {
    pub change_id: Uuid,
    pub raw: Box<RawValue>,
}

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// Beyond a quota or a size the server keeps.
    #[error("{0}")]
    TooLarge(String),
    #[error("the enrolment code is unknown, used or expired; ask the shop admin for a new one")]
    BadEnrolmentCode,
    #[error("wrong e-mail address or password")]
    BadLogin,
    #[error("storage failed: {0}")]
    Backend(String),
}

/// An invoice's documents as issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// The XRechnung (CII) e-invoice.
    Xml,
    Pdf,
}

/// The vendor's books: what it sells, to whom, and what it invoiced. Rules live in
/// [`crate::billing`] and core; a backend keeps, numbers and reads back.
pub trait VendorBooks {
    fn vendor_profile(&self) -> Result<Option<VendorProfile>, StorageError>;
    /// Checks and keeps the profile; the kept one.
    fn set_vendor_profile(&self, profile: VendorProfile) -> Result<VendorProfile, StorageError>;
    fn catalog_versions(&self) -> Result<Vec<CatalogVersion>, StorageError>;
    /// A new version, never a change to one: contracts keep the price they were sold at.
    fn add_catalog_version(
        &self,
        valid_from: NaiveDate,
        catalog: &serde_json::Value,
    ) -> Result<(), StorageError>;
    /// The catalogue in force on `day` (the built-in one before any version).
    fn catalog_on(&self, day: NaiveDate) -> Result<Catalog, StorageError>;
    fn shop_billing(&self, shop: Uuid) -> Result<Option<ShopBilling>, StorageError>;
    /// One shop, or every shop when `only` is `None`, each with its billing data, by name.
    fn billed_shops(&self, only: Option<Uuid>) -> Result<Vec<BilledShop>, StorageError>;
    fn set_shop_billing(
        &self,
        shop: Uuid,
        billing: ShopBilling,
    ) -> Result<ShopBilling, StorageError>;
    /// A contract the vendor admin makes for a shop, priced from the catalogue in force
    /// `today`, and sent to the shop like every confirmed contract.
    fn create_contract(
        &self,
        new: &NewContract,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError>;
    /// A notice the vendor received on `received` (or its own termination).
    fn give_notice(
        &self,
        contract_id: Uuid,
        received: NaiveDate,
        by: Party,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError>;
    fn contracts_overview(
        &self,
        shop: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Vec<ContractOverview>, StorageError>;
    /// Issues every invoice due on or before `on` that is not issued yet; only those.
    fn invoice_run(&self, on: NaiveDate) -> Result<Vec<Invoice>, StorageError>;
    /// A shop's invoices and credit notes (every shop's for `None`), in number order; with
    /// `overdue_on`, only the unpaid invoices due before that day.
    fn invoices(
        &self,
        shop: Option<Uuid>,
        overdue_on: Option<NaiveDate>,
    ) -> Result<Vec<Invoice>, StorageError>;
    fn invoice(&self, number: &str) -> Result<Invoice, StorageError>;
    fn invoice_document(&self, number: &str, document: Document) -> Result<Vec<u8>, StorageError>;
    /// The credit note that cancels the invoice; its period may then be invoiced anew.
    fn cancel_invoice(
        &self,
        number: &str,
        reason: &str,
        on: NaiveDate,
    ) -> Result<Invoice, StorageError>;
    fn mark_paid(&self, number: &str, on: NaiveDate) -> Result<Invoice, StorageError>;
}

pub trait Storage: VendorBooks + Send + Sync + 'static {
    /// Every invoice and credit note with its shop's name, as the bookkeeper's CSV.
    fn invoices_csv(&self) -> Result<String, StorageError> {
        let shops = self.shops(None)?;
        let rows: Vec<(Invoice, String)> = self
            .invoices(None, None)?
            .into_iter()
            .map(|invoice| {
                let name = shops
                    .iter()
                    .find(|s| s.id == invoice.shop_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                (invoice, name)
            })
            .collect();
        Ok(crate::billing::csv(&rows))
    }

    /// Catches up with what another process wrote to the same database (an operator's
    /// command while the server runs), so answers from memory stay true.
    fn follow_other_writers(&self) -> Result<(), StorageError> {
        Ok(())
    }
    fn create_shop(&self, shop: &NewShop) -> Result<Uuid, StorageError>;
    /// The first shop and its admin in one go, only while the server has no accounts at all.
    fn first_run(&self, shop: &NewShop, admin: &NewStaff) -> Result<Uuid, StorageError>;
    /// One shop, or every shop when `only` is `None`.
    fn shops(&self, only: Option<Uuid>) -> Result<Vec<Shop>, StorageError>;
    /// A staff member; a shop is required for shop admins and refused for the vendor's staff.
    fn create_user(&self, staff: &NewStaff) -> Result<Uuid, StorageError>;
    /// The admins of one shop, or every staff account when `shop` is `None`, by name.
    fn staff(&self, shop: Option<Uuid>) -> Result<Vec<StaffMember>, StorageError>;
    /// A one-time code for a till of `shop`, valid until `expires_at`.
    fn issue_enrolment_code(
        &self,
        shop: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StorageError>;
    /// Uses up the code: the station of its shop this till is (`wanted`, else the shop's
    /// record of that name no till holds yet, else a new one) and the station's device token.
    fn enrol(
        &self,
        code: &str,
        station_name: &str,
        wanted: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(Uuid, Uuid, String), StorageError>;
    /// Checks the password and opens a session: the token and who it belongs to.
    fn login(&self, email: &str, password: &str) -> Result<(String, Caller), StorageError>;
    /// The caller a token belongs to when that is known without I/O (from memory); `None`
    /// means: ask [`Storage::caller`].
    fn known_caller(&self, _token: &str) -> Option<Caller> {
        None
    }
    /// The newest revision the caller may see, when that is known without I/O: a caller whose
    /// cursor is there is answered without touching the database (a no-op sync), and is told
    /// when it moves (`/v1/events`). `None` means: unknown, pull.
    fn known_head(&self, _caller: &Caller) -> Option<u64> {
        None
    }
    /// The caller a token belongs to, unless it is unknown or revoked.
    fn caller(&self, token: &str) -> Result<Option<Caller>, StorageError>;
    fn revoke(&self, token: &str) -> Result<(), StorageError>;
    /// Applies each change once, in order, as far as the door ([`crate::door::admit`]) lets
    /// the caller in; one result per change.
    fn push(
        &self,
        caller: &Caller,
        changes: &[Pushed],
        now: DateTime<Utc>,
    ) -> Result<Vec<ChangeResult>, StorageError>;
    /// The changes the caller may see ([`crate::policy::reach`]) after `after`, at most `limit`.
    fn pull(&self, caller: &Caller, after: u64, limit: usize)
        -> Result<PullResponse, StorageError>;
    /// How far the upload of a content is, as the caller may see it.
    fn blob_status(&self, caller: &Caller, sha256: &str) -> Result<BlobStatus, StorageError>;
    /// Adds `bytes` at `offset` to the content of `total` bytes with this SHA-256; when all is
    /// there, the hash is checked, and content that does not match it is thrown away.
    fn blob_append(
        &self,
        caller: &Caller,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobStatus, StorageError>;
    /// A complete content the caller may read.
    fn blob(&self, caller: &Caller, sha256: &str) -> Result<Vec<u8>, StorageError>;
    /// A consistent copy of everything into `target`, while the server keeps serving.
    fn backup(&self, target: &std::path::Path) -> Result<(), StorageError>;
}
