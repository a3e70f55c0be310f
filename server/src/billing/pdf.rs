//! The readable copy of an invoice: one A4 page with what §14 UStG requires (both parties'
//! names and addresses, the vendor's VAT ID, date, number, the service and its period, net,
//! rate, VAT, gross, payment terms and IBAN). The figures are the e-invoice's own.
//!
//! Helvetica is one of PDF's standard fonts, so nothing is embedded; text is WinAnsi-encoded,
//! which holds German (and Danish) letters and the euro sign.

use chrono::NaiveDate;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rust_decimal::Decimal;
use stationdesk_core::domain::money::round_to_cents;
use stationdesk_protocol::{Invoice, InvoiceKind};

const PAGE: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 56.0;
const RIGHT: f32 = 539.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// The PDF of `invoice`.
pub fn render(invoice: &Invoice) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let page_id = Ref::new(3);
    let regular_id = Ref::new(4);
    let bold_id = Ref::new(5);
    let content_id = Ref::new(6);
    let info_id = Ref::new(7);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(pages_id);
    pdf.pages(pages_id).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
        .parent(pages_id)
        .contents(content_id);
    page.resources()
        .fonts()
        .pair(REGULAR, regular_id)
        .pair(BOLD, bold_id);
    page.finish();
    for (id, name) in [(regular_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("{} {}", heading(invoice), invoice.number);
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .author(TextStr(&invoice.seller.name));
    let mut page = Sheet {
        content: Content::new(),
    };
    layout(&mut page, invoice);
    pdf.stream(content_id, &page.content.finish());
    pdf.finish()
}

fn heading(invoice: &Invoice) -> &'static str {
    match invoice.kind {
        InvoiceKind::Invoice => "Rechnung",
        InvoiceKind::CreditNote => "Gutschrift",
    }
}

struct Sheet {
    content: Content,
}

impl Sheet {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.content
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, y)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    /// Text whose right edge is at `x`: columns of amounts line up.
    fn right(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.text(x - width(text, size), y, size, bold, text);
    }

    fn rule(&mut self, y: f32) {
        self.content
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
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

/// WinAnsiEncoding (PDF 1.7, annex D): Latin-1 where the two agree, the euro sign and the
/// typographic dashes and quotes at their own codes, `?` for what it cannot show.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            ' '..='~' | '\u{a0}'..='\u{ff}' => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Helvetica's advance widths (its AFM, per 1000 units of the font size) for printable ASCII;
/// other letters are taken as wide as a digit, which is close for the accented ones.
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

fn width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            ' '..='~' => u32::from(HELVETICA_ASCII[c as usize - 32]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
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

    #[test]
    fn text_is_win_ansi() {
        assert_eq!(win_ansi("Fällig 5 €"), b"F\xe4llig 5 \x80");
        assert_eq!(win_ansi("→"), b"?");
    }
}
