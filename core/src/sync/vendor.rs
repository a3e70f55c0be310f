//! The vendor's side as the app reaches it: the copy of the vendor's contact and catalogue
//! every installation keeps, and the books (invoices, contracts, billing data, the vendor
//! profile) that signed-in admins read and keep on the server. The books are never copied
//! here: an invoice is the server's document, read when asked for.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use reqwest::Method;
use stationdesk_protocol::{
    BilledShop, CatalogVersion, ContractNotice, ContractOverview, Invoice, InvoicePaid, InvoiceRun,
    ShopBilling, StaffMember, VendorContact, VendorProfile,
};
use uuid::Uuid;

use super::{get, query, save_whole, send, with_token, Client, SyncError};
use crate::domain::contracts::Party;
use crate::domain::plans::Catalog;
use crate::secrets::Token;
use crate::store::{Store, VendorCopy};

/// How stale the vendor's copy may get before a sync reads it again: a changed hotline reaches
/// the tills within this, without every till's every sync asking for it.
pub const VENDOR_COPY_AGE: TimeDelta = TimeDelta::minutes(10);

/// Reads the vendor's contact and catalogue again when the copy here is older than
/// [`VENDOR_COPY_AGE`] (or `force`). A catalogue that does not pass the rules is not kept: the
/// copy stays as it was and the error says why.
pub(super) fn refresh_copy(
    store: &mut Store,
    client: &Client,
    token: &Token,
    now: DateTime<Utc>,
    force: bool,
) -> Result<bool, SyncError> {
    let fresh = store
        .vendor_copy()?
        .is_some_and(|copy| now - copy.read_at < VENDOR_COPY_AGE);
    if fresh && !force {
        return Ok(false);
    }
    let contact: Option<VendorContact> = client.get(token, "/vendor", &[])?;
    let catalog: serde_json::Value = client.get(token, "/catalog", &[])?;
    let catalog = Catalog::from_json(&catalog.to_string())
        .map_err(|e| SyncError::Garbage(format!("its catalogue: {e}")))?;
    store.keep_vendor_copy(&VendorCopy {
        contact,
        catalog,
        read_at: now,
    })?;
    Ok(true)
}

/// Reads the vendor's contact and catalogue now, whatever the age of the copy here.
pub fn refresh_vendor_copy(store: &mut Store) -> Result<VendorCopy, SyncError> {
    with_token(store, |store, client, token| {
        refresh_copy(store, client, token, Utc::now(), true)?;
        Ok(store
            .vendor_copy()?
            .expect("the copy was kept a moment ago"))
    })
}

/// An invoice's two documents, as issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceDocument {
    /// The readable one.
    Pdf,
    /// The XRechnung e-invoice.
    Xml,
}

impl InvoiceDocument {
    pub fn extension(self) -> &'static str {
        match self {
            InvoiceDocument::Pdf => "pdf",
            InvoiceDocument::Xml => "xml",
        }
    }

    /// How the document's first bytes read: anything else is not what was asked for.
    fn signature(self) -> &'static [u8] {
        match self {
            InvoiceDocument::Pdf => b"%PDF-",
            InvoiceDocument::Xml => b"<?xml",
        }
    }
}

/// `YYYY-NNNNN`: checked before it goes into a URL or a file name.
fn invoice_number(number: &str) -> Result<&str, SyncError> {
    let number = number.trim();
    let bytes = number.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    if shaped {
        Ok(number)
    } else {
        Err(SyncError::NotAnInvoiceNumber(number.to_owned()))
    }
}

/// Invoices and credit notes in number order: a shop admin's own shop's, every shop's for the
/// vendor admin (or one `shop`'s); with `overdue_on`, only those unpaid past their due date.
pub fn invoices(
    store: &mut Store,
    shop: Option<Uuid>,
    overdue_on: Option<NaiveDate>,
) -> Result<Vec<Invoice>, SyncError> {
    let query = query(&[
        ("shop_id", shop.map(|s| s.to_string())),
        ("overdue_on", overdue_on.map(|d| d.to_string())),
    ]);
    with_token(store, |_, client, token| {
        client.get(token, "/invoices", &query)
    })
}

/// Saves an invoice's document into `dir` as `NUMBER.pdf` or `NUMBER.xml`, whole or not at
/// all (written beside it first, then renamed), and answers where.
pub fn save_invoice(
    store: &mut Store,
    number: &str,
    document: InvoiceDocument,
    dir: &Path,
) -> Result<PathBuf, SyncError> {
    let number = invoice_number(number)?;
    let bytes = with_token(store, |_, client, token| {
        client.download(
            token,
            &format!("/invoices/{number}/{}", document.extension()),
        )
    })?;
    if !bytes.starts_with(document.signature()) {
        return Err(SyncError::Garbage(format!(
            "invoice {number} did not come as a {} file",
            document.extension()
        )));
    }
    save_whole(dir, &format!("{number}.{}", document.extension()), &bytes)
}

/// Issues everything due on or before `on`; answers what this run issued.
pub fn run_invoices(store: &mut Store, on: NaiveDate) -> Result<Vec<Invoice>, SyncError> {
    send(store, Method::POST, "/invoices/run", &InvoiceRun { on })
}

pub fn mark_paid(store: &mut Store, number: &str, on: NaiveDate) -> Result<Invoice, SyncError> {
    let path = format!("/invoices/{}/paid", invoice_number(number)?);
    send(store, Method::POST, &path, &InvoicePaid { on })
}

pub fn vendor_profile(store: &mut Store) -> Result<Option<VendorProfile>, SyncError> {
    get(store, "/vendor/profile", &[])
}

pub fn set_vendor_profile(
    store: &mut Store,
    profile: &VendorProfile,
) -> Result<VendorProfile, SyncError> {
    let kept: VendorProfile = send(store, Method::PUT, "/vendor/profile", profile)?;
    // The tills learn a new hotline with their next sync, this installation at once.
    refresh_vendor_copy(store)?;
    Ok(kept)
}

pub fn catalog_versions(store: &mut Store) -> Result<Vec<CatalogVersion>, SyncError> {
    get(store, "/catalog/versions", &[])
}

/// The shops the signed-in admin may see (a shop admin their own), each with whom its invoices
/// are made out to, in one request.
pub fn billed_shops(store: &mut Store) -> Result<Vec<BilledShop>, SyncError> {
    get(store, "/billing", &[])
}

/// The staff accounts the signed-in person may see: a shop admin their shop's admins, the
/// vendor's staff everyone.
pub fn staff(store: &mut Store) -> Result<Vec<StaffMember>, SyncError> {
    get(store, "/staff", &[])
}

/// Contracts with their current term, notice deadline and what a notice today would do.
pub fn contracts(store: &mut Store) -> Result<Vec<ContractOverview>, SyncError> {
    get(store, "/contracts", &[])
}

/// A written notice the vendor received for a contract (`by` the customer, or the vendor's own
/// termination): the contract as it now ends.
pub fn record_notice(
    store: &mut Store,
    contract: Uuid,
    received: NaiveDate,
    by: Party,
) -> Result<ContractOverview, SyncError> {
    let notice = ContractNotice {
        received,
        by: Some(by.as_str().to_owned()),
    };
    send(
        store,
        Method::POST,
        &format!("/contracts/{contract}/notice"),
        &notice,
    )
}

pub fn set_shop_billing(
    store: &mut Store,
    shop: Uuid,
    billing: &ShopBilling,
) -> Result<ShopBilling, SyncError> {
    send(
        store,
        Method::PUT,
        &format!("/shops/{shop}/billing"),
        billing,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_invoice_numbers_reach_a_url_or_a_file_name() {
        assert_eq!(invoice_number(" 2027-00042 ").unwrap(), "2027-00042");
        for bad in [
            "2027-0042",
            "../../etc",
            "2027/00042",
            "2027-0004a",
            "",
            "20270-0042",
        ] {
            assert!(
                matches!(invoice_number(bad), Err(SyncError::NotAnInvoiceNumber(_))),
                "{bad:?}"
            );
        }
    }
}
