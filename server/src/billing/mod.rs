//! The vendor's invoices: what one says (from a contract, its period and both parties), how it
//! reads as an e-invoice ([`cii`]) and on paper ([`pdf`]), and the checks on the data behind
//! it. No storage here; the backends number and keep what this makes.

pub mod cii;
pub mod pdf;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use stationdesk_core::domain::billing::{self, DuePeriod};
use stationdesk_core::domain::contracts::Contract;
use stationdesk_core::domain::money::VatRate;
use stationdesk_protocol::{Invoice, InvoiceKind, InvoiceLine, ShopBilling, VendorProfile};
use uuid::Uuid;

/// The vendor's day: invoices and notices are dated in the vendor's time zone.
pub fn vendor_today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&stationdesk_core::store::DEFAULT_TIME_ZONE)
        .date_naive()
}

/// `2027-00042`: the year, then the place in that year's one sequence.
pub fn number(year: i32, seq: i64) -> String {
    format!("{year}-{seq:05}")
}

/// What the shop reads about paying.
pub fn payment_terms(invoice: &Invoice) -> String {
    let due = invoice.due_on.format("%d.%m.%Y");
    match invoice.kind {
        InvoiceKind::Invoice => format!(
            "Zahlbar innerhalb von {} Tagen bis {due} ohne Abzug per Überweisung.",
            invoice.seller.payment_days
        ),
        InvoiceKind::CreditNote => {
            format!("Der Betrag wird bis {due} erstattet oder verrechnet.")
        }
    }
}

/// The buyer reference (BT-10): the shop's own (a Leitweg-ID), else its customer number.
pub fn buyer_reference(billing: &ShopBilling, shop: Uuid) -> String {
    billing
        .buyer_reference
        .clone()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| customer_number(shop))
}

/// A shop's customer number: short enough to read out on the phone, stable, from its id.
pub fn customer_number(shop: Uuid) -> String {
    let hex = shop.simple().to_string();
    format!("K-{}", hex[hex.len() - 8..].to_uppercase())
}

fn required(value: &str, what: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{what} is required on an invoice"));
    }
    if value.chars().count() > 200 || value.chars().any(char::is_control) {
        return Err(format!("{what} must be one line of at most 200 characters"));
    }
    Ok(())
}

fn country(code: &str) -> Result<(), String> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!(
            "the country {code:?} must be a two-letter ISO code such as DE"
        ))
    }
}

fn email(address: &str, what: &str) -> Result<(), String> {
    required(address, what)?;
    match address.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') => Ok(()),
        _ => Err(format!("{what} {address:?} is not an e-mail address")),
    }
}

/// An IBAN by its check digits (ISO 13616: mod 97 of the rearranged digits is 1).
fn iban(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.to_uppercase();
    let plausible = (15..=34).contains(&compact.len())
        && compact.bytes().all(|b| b.is_ascii_alphanumeric())
        && compact.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic);
    let rearranged = compact.get(4..).unwrap_or("").to_owned() + compact.get(..4).unwrap_or("");
    let remainder = rearranged.chars().try_fold(0u32, |acc, c| {
        let value = c.to_digit(36)?;
        let acc = if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        };
        Some(acc)
    });
    if plausible && remainder == Some(1) {
        Ok(compact)
    } else {
        Err(format!(
            "the IBAN {text:?} is not valid (its check digits do not match)"
        ))
    }
}

/// The vendor profile as kept: checked, the IBAN without spaces.
pub fn checked_profile(mut profile: VendorProfile) -> Result<VendorProfile, String> {
    for (value, what) in [
        (&profile.name, "the vendor's name"),
        (&profile.street, "the vendor's street"),
        (&profile.postcode, "the vendor's postcode"),
        (&profile.city, "the vendor's city"),
        (&profile.vat_id, "the vendor's VAT ID"),
        (&profile.contact, "the vendor's contact person"),
        (&profile.phone, "the vendor's phone"),
    ] {
        required(value, what)?;
    }
    country(&profile.country)?;
    email(&profile.email, "the vendor's e-mail")?;
    profile.iban = iban(&profile.iban)?;
    if !(1..=120).contains(&profile.payment_days) {
        return Err("the payment term is 1 to 120 days".into());
    }
    VatRate::from_percent(profile.vat_percent).map_err(|e| e.to_string())?;
    for optional in [&profile.bic, &profile.hotline, &profile.support_hours]
        .into_iter()
        .flatten()
    {
        required(optional, "a field of the vendor profile")?;
    }
    Ok(profile)
}

pub fn checked_billing(billing: ShopBilling) -> Result<ShopBilling, String> {
    for (value, what) in [
        (&billing.legal_name, "the shop's legal name"),
        (&billing.street, "the shop's street"),
        (&billing.postcode, "the shop's postcode"),
        (&billing.city, "the shop's city"),
    ] {
        required(value, what)?;
    }
    country(&billing.country)?;
    email(&billing.email, "the shop's e-mail for invoices")?;
    for optional in [&billing.vat_id, &billing.buyer_reference]
        .into_iter()
        .flatten()
    {
        required(optional, "the shop's VAT ID or buyer reference")?;
    }
    Ok(billing)
}

/// Everything an invoice is made of but its number.
pub struct Parties<'a> {
    pub shop_id: Uuid,
    pub seller: &'a VendorProfile,
    pub buyer: &'a ShopBilling,
}

/// The invoice for one period of `contract` (none for a contract with nothing to bill).
pub fn invoice_for(
    contract: &Contract,
    period: &DuePeriod,
    parties: &Parties<'_>,
    number: String,
) -> Result<Option<Invoice>, String> {
    let rate = VatRate::from_percent(parties.seller.vat_percent).map_err(|e| e.to_string())?;
    let units = u32::try_from(contract.station_ids.len()).unwrap_or(u32::MAX);
    let Some(figures) = billing::figures(contract, units, rate).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let lines = figures
        .lines
        .into_iter()
        .map(|line| InvoiceLine {
            description: line.description,
            quantity: line.quantity,
            unit_price: line.unit_price,
            net: line.net,
        })
        .collect();
    Ok(Some(Invoice {
        number,
        kind: InvoiceKind::Invoice,
        issued_on: period.issue_on,
        due_on: due(period.issue_on, parties.seller.payment_days),
        shop_id: parties.shop_id,
        contract_id: contract.id,
        period_start: period.start,
        period_end: period.end,
        currency: contract.plan.currency.code().to_owned(),
        lines,
        net: figures.totals.net.amount,
        vat_percent: figures.totals.vat_percent,
        vat: figures.totals.vat.amount,
        gross: figures.totals.gross.amount,
        refers_to: None,
        reason: None,
        cancelled_by: None,
        paid_on: None,
        seller: parties.seller.clone(),
        buyer: parties.buyer.clone(),
        buyer_reference: buyer_reference(parties.buyer, parties.shop_id),
    }))
}

fn due(issued: NaiveDate, days: u32) -> NaiveDate {
    issued
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(issued)
}

/// The credit note that cancels `original` in full: same lines and amounts (a credit note's
/// amounts are positive; its type says they are owed back), its own number.
pub fn credit_note(original: &Invoice, number: String, on: NaiveDate, reason: &str) -> Invoice {
    Invoice {
        number,
        kind: InvoiceKind::CreditNote,
        issued_on: on,
        due_on: due(on, original.seller.payment_days),
        refers_to: Some(original.number.clone()),
        reason: Some(format!(
            "Gutschrift zur Rechnung {}: {reason}",
            original.number
        )),
        cancelled_by: None,
        paid_on: None,
        ..original.clone()
    }
}

pub fn checked_reason(reason: &str) -> Result<&str, String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err("say why the invoice is cancelled (1 to 500 characters)".into());
    }
    Ok(reason)
}

/// The bookkeeper's export: one row per invoice and credit note.
pub fn csv(invoices: &[(Invoice, String)]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "number",
        "kind",
        "issued_on",
        "shop_id",
        "shop",
        "currency",
        "net",
        "vat",
        "gross",
        "refers_to",
        "paid_on",
    ];
    out.write_record(header).expect("writing to memory");
    for (invoice, shop) in invoices {
        let kind = match invoice.kind {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        };
        // A credit note lowers the books: negative amounts, as a bookkeeper enters them.
        let sign = match invoice.kind {
            InvoiceKind::Invoice => Decimal::ONE,
            InvoiceKind::CreditNote => Decimal::NEGATIVE_ONE,
        };
        out.write_record([
            invoice.number.clone(),
            kind.to_owned(),
            invoice.issued_on.to_string(),
            invoice.shop_id.to_string(),
            shop.clone(),
            invoice.currency.clone(),
            (invoice.net * sign).to_string(),
            (invoice.vat * sign).to_string(),
            (invoice.gross * sign).to_string(),
            invoice.refers_to.clone().unwrap_or_default(),
            invoice.paid_on.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("flushing to memory")).expect("UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_by_their_digits() {
        assert_eq!(
            iban("DE89 3704 0044 0532 0130 00").unwrap(),
            "DE89370400440532013000"
        );
        assert!(iban("DE89 3704 0044 0532 0130 01").is_err());
        assert!(iban("not an iban").is_err());
    }

    #[test]
    fn numbers_run_per_year() {
        assert_eq!(number(2027, 42), "2027-00042");
    }
}
