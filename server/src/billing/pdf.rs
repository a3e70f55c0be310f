//! The readable copy of an invoice: one A4 page with what §14 UStG requires (both parties'
//! names and addresses, the vendor's VAT ID, date, number, the service and its period, net,
//! rate, VAT, gross, payment terms and IBAN). The figures are the e-invoice's own.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use stationdesk_core::domain::money::round_to_cents;
use stationdesk_core::pdf::{self, Sheet, LEFT, RIGHT};
use stationdesk_protocol::{Invoice, InvoiceKind};

/// The PDF of `invoice`.
pub fn render(invoice: &Invoice) -> Vec<u8> {
    let mut sheet = Sheet::new();
    layout(&mut sheet, invoice);
    let title = format!("{} {}", heading(invoice), invoice.number);
    pdf::document(vec![sheet], &title, &invoice.seller.name)
}

fn heading(invoice: &Invoice) -> &'static str {
    match invoice.kind {
        InvoiceKind::Invoice => "Rechnung",
        InvoiceKind::CreditNote => "Gutschrift",
    }
}

fn layout(sheet: &mut Sheet, invoice: &Invoice) {
    let seller = &invoice.seller;
    let buyer = &invoice.buyer;
    let money = |amount: Decimal| format!("{} {}", german(amount), invoice.currency);
    let mut y = 780.0;
    sheet.text(LEFT, y, 16.0, true, &seller.name);
    y -= 14.0;
    sheet.text(
        LEFT,
        y,
        8.0,
        false,
        &format!(
            "{} · {}, {} {} · {}",
            seller.name, seller.street, seller.postcode, seller.city, seller.country
        ),
    );
    // The buyer's address, where a window envelope shows it.
    y = 700.0;
    for (line, bold) in [
        (buyer.legal_name.as_str(), true),
        (buyer.street.as_str(), false),
        (&format!("{} {}", buyer.postcode, buyer.city), false),
        (buyer.country.as_str(), false),
    ] {
        sheet.text(LEFT, y, 10.0, bold, line);
        y -= 13.0;
    }
    if let Some(vat_id) = &buyer.vat_id {
        sheet.text(LEFT, y, 9.0, false, &format!("USt-IdNr.: {vat_id}"));
    }
    // What this document is, on the right.
    let facts = [
        ("Nummer", invoice.number.clone()),
        ("Datum", day(invoice.issued_on)),
        ("Kundennummer", invoice.buyer_reference.clone()),
        (
            "Leistungszeitraum",
            format!(
                "{} – {}",
                day(invoice.period_start),
                day(invoice.period_end)
            ),
        ),
        ("Fällig am", day(invoice.due_on)),
    ];
    let mut fy = 700.0;
    for (label, value) in facts {
        sheet.text(340.0, fy, 9.0, false, label);
        sheet.right(RIGHT, fy, 9.0, true, &value);
        fy -= 13.0;
    }
    y = 600.0;
    sheet.text(
        LEFT,
        y,
        14.0,
        true,
        &format!("{} {}", heading(invoice), invoice.number),
    );
    y -= 18.0;
    let service = match &invoice.refers_to {
        Some(original) => format!("zur Rechnung {original}"),
        None => "Support-Vertrag, im Voraus berechnet".to_owned(),
    };
    sheet.text(LEFT, y, 9.0, false, &service);
    y -= 12.0;
    sheet.text(
        LEFT,
        y,
        9.0,
        false,
        &format!("Vertrag {}", invoice.contract_id),
    );
    y -= 24.0;
    // The lines.
    let columns = (LEFT, LEFT + 28.0, 380.0, 460.0, RIGHT);
    sheet.text(columns.0, y, 9.0, true, "Pos.");
    sheet.text(columns.1, y, 9.0, true, "Leistung");
    sheet.right(columns.2, y, 9.0, true, "Menge");
    sheet.right(columns.3, y, 9.0, true, "Einzelpreis");
    sheet.right(columns.4, y, 9.0, true, "Betrag");
    y -= 6.0;
    sheet.rule(y);
    y -= 14.0;
    for (index, line) in invoice.lines.iter().enumerate() {
        sheet.text(columns.0, y, 9.0, false, &(index + 1).to_string());
        sheet.text(columns.1, y, 9.0, false, &line.description);
        sheet.right(
            columns.2,
            y,
            9.0,
            false,
            &line.quantity.normalize().to_string(),
        );
        sheet.right(columns.3, y, 9.0, false, &money(line.unit_price));
        sheet.right(columns.4, y, 9.0, false, &money(line.net));
        y -= 12.0;
        sheet.text(
            columns.1,
            y,
            8.0,
            false,
            &format!(
                "Zeitraum {} – {}",
                day(invoice.period_start),
                day(invoice.period_end)
            ),
        );
        y -= 16.0;
    }
    sheet.rule(y + 6.0);
    y -= 8.0;
    let rate = invoice.vat_percent.normalize();
    for (label, amount, bold) in [
        ("Nettobetrag".to_owned(), invoice.net, false),
        (format!("Umsatzsteuer {rate} %"), invoice.vat, false),
        ("Gesamtbetrag".to_owned(), invoice.gross, true),
    ] {
        sheet.text(columns.2 - 60.0, y, 10.0, bold, &label);
        sheet.right(columns.4, y, 10.0, bold, &money(amount));
        y -= 15.0;
    }
    y -= 20.0;
    if let Some(reason) = &invoice.reason {
        sheet.text(LEFT, y, 9.0, false, reason);
        y -= 14.0;
    }
    sheet.text(LEFT, y, 9.0, false, &super::payment_terms(invoice));
    y -= 12.0;
    let bank = match &seller.bic {
        Some(bic) => format!("IBAN {} · BIC {bic}", spaced(&seller.iban)),
        None => format!("IBAN {}", spaced(&seller.iban)),
    };
    sheet.text(LEFT, y, 9.0, false, &bank);
    y -= 12.0;
    sheet.text(
        LEFT,
        y,
        9.0,
        false,
        &format!("Verwendungszweck: {}", invoice.number),
    );
    // The vendor's particulars at the foot.
    sheet.rule(92.0);
    let foot = [
        format!(
            "{} · {}, {} {} · USt-IdNr. {}",
            seller.name, seller.street, seller.postcode, seller.city, seller.vat_id
        ),
        format!(
            "Ansprechpartner {} · Telefon {} · {}",
            seller.contact, seller.phone, seller.email
        ),
        "Diese Rechnung liegt auch als E-Rechnung (XRechnung 3.0, UN/CEFACT CII) vor.".to_owned(),
    ];
    let mut fy = 80.0;
    for line in foot {
        sheet.text(LEFT, fy, 7.5, false, &line);
        fy -= 10.0;
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

fn spaced(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1234.5` as a German reader writes it: `1.234,50`.
fn german(amount: Decimal) -> String {
    let text = round_to_cents(amount).to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{cents}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_the_german_way() {
        assert_eq!(german(Decimal::new(123450, 2)), "1.234,50");
        assert_eq!(german(Decimal::new(29631, 2)), "296,31");
        assert_eq!(german(Decimal::new(-100000000, 2)), "-1.000.000,00");
    }
}
