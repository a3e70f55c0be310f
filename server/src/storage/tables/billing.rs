//! The vendor's books in SQLite: its profile, the catalogue's versions, the shops' billing
//! data, contracts the vendor makes, and invoices, each issued in a transaction of its own that
//! also takes its number.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use stationdesk_core::domain::billing::periods_due;
use stationdesk_core::domain::contracts::{Contract, Party};
use stationdesk_core::domain::plans::Catalog;
use stationdesk_core::wire::ChangeBody;
use stationdesk_protocol::{
    BilledShop, CatalogVersion, ContractOrder, ContractOverview, Invoice, InvoiceKind, NewContract,
    ShopBilling, VendorProfile,
};
use uuid::Uuid;

use super::changes::{append_by_server, json, owner_of, to_json, Tables};
use super::{shop_exists, SqlStorage};
use crate::args;
use crate::billing::{self, Parties};
use crate::door::Refusal;
use crate::policy::Owner;
use crate::storage::sql::{Access, Sql};
use crate::storage::{Document, Storage, StorageError, VendorBooks};

/// The catalogue in force on `day`: the newest version valid from it or before, else the
/// built-in one.
pub(super) fn catalog_on(db: &dyn Sql, day: NaiveDate) -> Result<Catalog, StorageError> {
    let record: Option<String> = db.row(
        "SELECT record FROM catalog_versions WHERE valid_from <= ?1 ORDER BY valid_from DESC LIMIT 1",
        args![day],
    )?;
    match record {
        Some(record) => Catalog::from_json(&record)
            .map_err(|e| StorageError::Backend(format!("a stored catalogue: {e}"))),
        None => Ok(Catalog::builtin()),
    }
}

fn profile(db: &dyn Sql) -> Result<Option<VendorProfile>, StorageError> {
    let record: Option<String> = db.row("SELECT record FROM vendor_profile WHERE id = 1", &[])?;
    record.map(|r| json(&r)).transpose()
}

fn billing_of(db: &dyn Sql, shop: Uuid) -> Result<Option<ShopBilling>, StorageError> {
    let record: Option<String> = db.row(
        "SELECT record FROM shop_billing WHERE shop_id = ?1",
        args![shop],
    )?;
    record.map(|r| json(&r)).transpose()
}

fn refused(refusal: Refusal) -> StorageError {
    match refusal {
        Refusal::Rejected(reason) => StorageError::Invalid(reason),
        Refusal::Failed(error) => error,
    }
}

const INVOICE_COLUMNS: &str = "record, paid_on, cancelled_by";

/// An invoice's record, when it was paid, the credit note that cancelled it.
type InvoiceRow = (String, Option<NaiveDate>, Option<String>);

/// The invoice as issued, with what happened to it since (paid, cancelled).
fn read_invoice((record, paid_on, cancelled_by): InvoiceRow) -> Result<Invoice, StorageError> {
    let mut invoice: Invoice = json(&record)?;
    invoice.paid_on = paid_on;
    invoice.cancelled_by = cancelled_by;
    Ok(invoice)
}

fn invoice_by_number(db: &dyn Sql, number: &str) -> Result<Invoice, StorageError> {
    let row: InvoiceRow = db
        .row(
            &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE number = ?1"),
            args![number],
        )?
        .ok_or_else(|| StorageError::NotFound(format!("no invoice {number}")))?;
    read_invoice(row)
}

/// Takes the next number of `year` inside the caller's transaction: rolled back with it, so
/// an invoice that was not stored took no number. The row stays locked until then, so two
/// runs (two processes on one PostgreSQL among them) never take the same number.
fn next_number(db: &dyn Sql, year: i32) -> Result<(i64, String), StorageError> {
    let seq: i64 = db.one(
        "INSERT INTO invoice_numbers (year, last) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last = invoice_numbers.last + 1 RETURNING last",
        args![i64::from(year)],
    )?;
    Ok((seq, billing::number(year, seq)))
}

fn store_invoice(db: &dyn Sql, invoice: &Invoice, seq: i64) -> Result<(), StorageError> {
    let kind = match invoice.kind {
        InvoiceKind::Invoice => "invoice",
        InvoiceKind::CreditNote => "credit_note",
    };
    let xml = billing::cii::render(invoice).into_bytes();
    let pdf = billing::pdf::render(invoice);
    db.run(
        "INSERT INTO invoices (number, year, seq, kind, shop_id, contract_id, period_start, issued_on, due_on, record, xml, pdf, refers_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        args![
            &invoice.number,
            i64::from(invoice.issued_on.year()),
            seq,
            kind,
            invoice.shop_id,
            invoice.contract_id,
            invoice.period_start,
            invoice.issued_on,
            invoice.due_on,
            to_json(invoice),
            &xml,
            &pdf,
            invoice.refers_to.as_ref(),
        ],
    )?;
    super::mail::queue_notices(
        db,
        super::mail::Notice::Invoice {
            shop: invoice.shop_id,
            number: &invoice.number,
        },
        &invoice.seller.name,
        &format!(
            "{} {}: {} {}, {} {}",
            match invoice.kind {
                InvoiceKind::Invoice => "Rechnung / Invoice",
                InvoiceKind::CreditNote => "Gutschrift / Credit note",
            },
            invoice.number,
            invoice.gross,
            invoice.currency,
            "fällig / due",
            invoice.due_on
        ),
        chrono::Utc::now(),
    )
}

fn contract_of(db: &dyn Sql, id: Uuid) -> Result<(Contract, Uuid), StorageError> {
    let (record, shop): (String, Uuid) = db
        .row(
            "SELECT record, shop_id FROM contracts WHERE id = ?1",
            args![id],
        )?
        .ok_or_else(|| StorageError::NotFound(format!("no contract {id}")))?;
    Ok((json(&record)?, shop))
}

impl SqlStorage {
    /// Records a contract the server confirmed (its own change, pulled by the shop).
    fn confirm(
        &self,
        build: impl FnOnce(&dyn Sql) -> Result<(Contract, Owner), StorageError>,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError> {
        let tx = self.db.begin(Access::Write)?;
        // Before the checks: another process's contract for the same till waits until this
        // one is in.
        tx.lock_history()?;
        let (contract, owner) = build(&*tx)?;
        let committed = append_by_server(
            &*tx,
            ChangeBody::ContractConfirmed {
                contract: contract.clone(),
            },
            owner,
            now,
        )?;
        tx.committed(&[committed]);
        tx.commit()?;
        self.heads.record(&[committed]);
        Ok(contract)
    }
}

impl VendorBooks for SqlStorage {
    fn vendor_profile(&self) -> Result<Option<VendorProfile>, StorageError> {
        self.read(profile)
    }

    fn set_vendor_profile(&self, profile: VendorProfile) -> Result<VendorProfile, StorageError> {
        let profile = billing::checked_profile(profile).map_err(StorageError::Invalid)?;
        self.write(|db| db.run(
            "INSERT INTO vendor_profile (id, record, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
            args![to_json(&profile), Utc::now()],
        ))?;
        Ok(profile)
    }

    fn catalog_versions(&self) -> Result<Vec<CatalogVersion>, StorageError> {
        let rows: Vec<(NaiveDate, String)> = self.read(|db| {
            db.all(
                "SELECT valid_from, record FROM catalog_versions ORDER BY valid_from",
                &[],
            )
        })?;
        rows.into_iter()
            .map(|(valid_from, record)| {
                Ok(CatalogVersion {
                    valid_from,
                    catalog: json(&record)?,
                })
            })
            .collect()
    }

    fn add_catalog_version(
        &self,
        valid_from: NaiveDate,
        catalog: &serde_json::Value,
    ) -> Result<(), StorageError> {
        let text = catalog.to_string();
        Catalog::from_json(&text).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.write(|db| db.run(
            "INSERT INTO catalog_versions (valid_from, record, created_at) VALUES (?1, ?2, ?3)",
            args![valid_from, text, Utc::now()],
        ))
        .map_err(|error| match error {
            StorageError::Conflict(_) => StorageError::Conflict(format!(
                "a catalogue valid from {valid_from} exists; versions are never changed, add one from a later day"
            )),
            other => other,
        })?;
        Ok(())
    }

    fn catalog_on(&self, day: NaiveDate) -> Result<Catalog, StorageError> {
        self.read(|db| catalog_on(db, day))
    }

    fn shop_billing(&self, shop: Uuid) -> Result<Option<ShopBilling>, StorageError> {
        self.read(|db| {
            shop_exists(db, shop)?;
            billing_of(db, shop)
        })
    }

    fn billed_shops(&self, only: Option<Uuid>) -> Result<Vec<BilledShop>, StorageError> {
        let shops = self.shops(only)?;
        self.read(|db| {
            shops
                .into_iter()
                .map(|shop| {
                    let billing = billing_of(db, shop.id)?;
                    Ok(BilledShop { shop, billing })
                })
                .collect()
        })
    }

    fn set_shop_billing(
        &self,
        shop: Uuid,
        billing: ShopBilling,
    ) -> Result<ShopBilling, StorageError> {
        let billing = billing::checked_billing(billing).map_err(StorageError::Invalid)?;
        self.write(|db| {
        shop_exists(db, shop)?;
        db.run(
            "INSERT INTO shop_billing (shop_id, record, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (shop_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at",
            args![shop, to_json(&billing), Utc::now()],
        )?;
        Ok(())
        })?;
        Ok(billing)
    }

    fn create_contract(
        &self,
        new: &NewContract,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError> {
        self.confirm(
            |tx| {
                shop_exists(tx, new.shop_id)?;
                let order = ContractOrder {
                    contract_id: Uuid::now_v7(),
                    plan_id: new.plan_id.clone(),
                    start: new.start,
                    station_ids: new.station_ids.clone(),
                };
                let catalog = catalog_on(tx, today)?;
                let contract = crate::door::confirm_order(
                    &order,
                    new.shop_id,
                    &Tables::new(tx),
                    &catalog,
                    now,
                )
                .map_err(refused)?;
                let owner = Owner {
                    shop: new.shop_id,
                    station: None,
                };
                Ok((contract, owner))
            },
            now,
        )
    }

    fn give_notice(
        &self,
        contract_id: Uuid,
        received: NaiveDate,
        by: Party,
        now: DateTime<Utc>,
    ) -> Result<Contract, StorageError> {
        self.confirm(
            |tx| {
                let (mut contract, _) = contract_of(tx, contract_id)?;
                contract
                    .give_notice(received, by)
                    .map_err(|e| StorageError::Invalid(e.to_string()))?;
                let owner = owner_of(tx, contract_id)?
                    .ok_or_else(|| StorageError::NotFound(format!("no contract {contract_id}")))?;
                Ok((contract, owner))
            },
            now,
        )
    }

    fn contracts_overview(
        &self,
        shop: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Vec<ContractOverview>, StorageError> {
        let rows: Vec<(String, Uuid, String)> = self.read(|db| {
            db.all(
            "SELECT c.record, c.shop_id, s.name FROM contracts c JOIN shops s ON s.id = c.shop_id
             WHERE CAST(?1 AS TEXT) IS NULL OR c.shop_id = ?1 ORDER BY s.name, c.start_date",
            args![shop],
        )
        })?;
        rows.into_iter()
            .map(|(record, shop_id, shop_name)| {
                let contract: Contract = json(&record)?;
                let status = contract
                    .status_on(today)
                    .map_err(|e| StorageError::Backend(e.to_string()))?;
                let snapshot = &contract.plan;
                let units = u32::try_from(contract.station_ids.len()).unwrap_or(u32::MAX);
                Ok(ContractOverview {
                    contract_id: contract.id,
                    shop_id,
                    shop_name,
                    plan_id: snapshot.plan.id.0.clone(),
                    plan_name: snapshot.plan.name.clone(),
                    period: serde_json::to_value(snapshot.plan.period)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    stations: contract.station_ids.len(),
                    start: contract.start,
                    state: serde_json::to_value(status.state)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    term_start: status.terms.term_start,
                    term_end: status.terms.term_end,
                    notice_deadline: status.terms.notice_deadline,
                    next_renewal: status.terms.next_renewal,
                    ends_on: contract.ends_on(),
                    notice_today_ends_on: status.notice_today_ends_on,
                    price: snapshot.price_for(units).map(|m| m.amount),
                    currency: snapshot.currency.code().to_owned(),
                })
            })
            .collect()
    }

    fn invoice_run(&self, on: NaiveDate) -> Result<Vec<Invoice>, StorageError> {
        let contracts: Vec<(Uuid, String)> = self.read(|db| {
            db.all(
                "SELECT shop_id, record FROM contracts ORDER BY shop_id, start_date, id",
                &[],
            )
        })?;
        let mut issued = Vec::new();
        for (shop, record) in contracts {
            let contract: Contract = json(&record)?;
            let due =
                periods_due(&contract, on).map_err(|e| StorageError::Backend(e.to_string()))?;
            for period in due {
                // One transaction per invoice: a run stopped half-way keeps what it issued, and
                // the next run goes on from there.
                let tx = self.db.begin(Access::Write)?;
                let db: &dyn Sql = &*tx;
                // The number first: it locks the year's counter, so a run in another process
                // waits here and then sees this invoice. Not used, it is given back with the
                // transaction.
                let (seq, number) = next_number(db, on.year())?;
                let live: bool = db.one(
                    "SELECT EXISTS (SELECT 1 FROM invoices WHERE contract_id = ?1 AND period_start = ?2
                     AND kind = 'invoice' AND cancelled_by IS NULL)",
                    args![contract.id, period.start],
                )?;
                if live {
                    continue;
                }
                let seller = profile(db)?.ok_or_else(|| {
                    StorageError::Invalid(
                        "the vendor profile is missing; set it first (vendor set), invoices need the vendor's address, VAT ID and IBAN".into(),
                    )
                })?;
                let Some(buyer) = billing_of(db, shop)? else {
                    tracing::warn!(shop_id = %shop, "no billing data for the shop; its invoices wait");
                    break;
                };
                // Issued on the run's day: a run that catches up dates its invoices today.
                let period = stationdesk_core::domain::billing::DuePeriod {
                    issue_on: on,
                    ..period
                };
                let parties = Parties {
                    shop_id: shop,
                    seller: &seller,
                    buyer: &buyer,
                };
                let Some(invoice) = billing::invoice_for(&contract, &period, &parties, number)
                    .map_err(StorageError::Invalid)?
                else {
                    break;
                };
                store_invoice(db, &invoice, seq)?;
                tx.commit()?;
                issued.push(invoice);
            }
        }
        Ok(issued)
    }

    fn invoices(
        &self,
        shop: Option<Uuid>,
        overdue_on: Option<NaiveDate>,
    ) -> Result<Vec<Invoice>, StorageError> {
        let rows: Vec<InvoiceRow> = self.read(|db| {
            db.all(
                &format!(
                    "SELECT {INVOICE_COLUMNS} FROM invoices
                 WHERE (CAST(?1 AS TEXT) IS NULL OR shop_id = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR (kind = 'invoice' AND paid_on IS NULL
                        AND cancelled_by IS NULL AND due_on < ?2))
                 ORDER BY year, seq"
                ),
                args![shop, overdue_on],
            )
        })?;
        rows.into_iter().map(read_invoice).collect()
    }

    fn invoice(&self, number: &str) -> Result<Invoice, StorageError> {
        self.read(|db| invoice_by_number(db, number))
    }

    fn invoice_document(&self, number: &str, document: Document) -> Result<Vec<u8>, StorageError> {
        let column = match document {
            Document::Xml => "xml",
            Document::Pdf => "pdf",
        };
        self.read(|db| {
            db.row(
                &format!("SELECT {column} FROM invoices WHERE number = ?1"),
                args![number],
            )
        })?
        .ok_or_else(|| StorageError::NotFound(format!("no invoice {number}")))
    }

    fn cancel_invoice(
        &self,
        number: &str,
        reason: &str,
        on: NaiveDate,
    ) -> Result<Invoice, StorageError> {
        let reason = billing::checked_reason(reason).map_err(StorageError::Invalid)?;
        let tx = self.db.begin(Access::Write)?;
        let db: &dyn Sql = &*tx;
        let original = invoice_by_number(db, number)?;
        if original.kind == InvoiceKind::CreditNote {
            return Err(StorageError::Invalid(format!(
                "{number} is a credit note; a credit note is not cancelled"
            )));
        }
        if let Some(note) = &original.cancelled_by {
            return Err(StorageError::Conflict(format!(
                "{number} was cancelled already by credit note {note}"
            )));
        }
        if on < original.issued_on {
            return Err(StorageError::Invalid(format!(
                "a credit note cannot be dated before its invoice ({})",
                original.issued_on
            )));
        }
        let (seq, note_number) = next_number(db, on.year())?;
        let note = billing::credit_note(&original, note_number, on, reason);
        store_invoice(db, &note, seq)?;
        db.run(
            "UPDATE invoices SET cancelled_by = ?2 WHERE number = ?1",
            args![number, &note.number],
        )?;
        tx.commit()?;
        Ok(note)
    }

    fn mark_paid(&self, number: &str, on: NaiveDate) -> Result<Invoice, StorageError> {
        let tx = self.db.begin(Access::Write)?;
        let db: &dyn Sql = &*tx;
        let invoice = invoice_by_number(db, number)?;
        if invoice.kind == InvoiceKind::CreditNote {
            return Err(StorageError::Invalid(format!(
                "{number} is a credit note; the vendor pays it back"
            )));
        }
        if let Some(paid) = invoice.paid_on {
            return Err(StorageError::Conflict(format!(
                "{number} was marked paid on {paid} already"
            )));
        }
        db.run(
            "UPDATE invoices SET paid_on = ?2 WHERE number = ?1",
            args![number, on],
        )?;
        let paid = invoice_by_number(db, number)?;
        tx.commit()?;
        Ok(paid)
    }
}
