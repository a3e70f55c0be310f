//! Plain A4 documents as PDF: the invoice's readable copy on the server, a till's TSE outage
//! log on the client. Helvetica is one of PDF's standard fonts, so nothing is embedded; text
//! is WinAnsi-encoded, which holds German, Danish and Finnish letters and the euro sign.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4, in points.
pub const PAGE: (f32, f32) = (595.0, 842.0);
pub const LEFT: f32 = 56.0;
pub const RIGHT: f32 = 539.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// One page being written.
pub struct Sheet {
    content: Content,
}

impl Default for Sheet {
    fn default() -> Sheet {
        Sheet::new()
    }
}

impl Sheet {
    pub fn new() -> Sheet {
        Sheet {
            content: Content::new(),
        }
    }

    pub fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.content
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, y)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    /// Text whose right edge is at `x`: columns of amounts line up.
    pub fn right(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.text(x - width(text, size), y, size, bold, text);
    }

    pub fn rule(&mut self, y: f32) {
        self.content
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
    }
}

/// The pages as one PDF file, with the document's title and author.
pub fn document(pages: Vec<Sheet>, title: &str, author: &str) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let page_ids: Vec<(Ref, Ref)> = (0..pages.len())
        .map(|i| {
            let first = 6 + 2 * i32::try_from(i).expect("a document of sane length");
            (Ref::new(first), Ref::new(first + 1))
        })
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(pages_id);
    pdf.pages(pages_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_ids.len()).expect("a document of sane length"));
    for (sheet, (page_id, content_id)) in pages.into_iter().zip(&page_ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .parent(pages_id)
            .contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular_id)
            .pair(BOLD, bold_id);
        page.finish();
        pdf.stream(*content_id, &sheet.content.finish());
    }
    for (id, name) in [(regular_id, "Helvetica"), (bold_id, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info_id)
        .title(TextStr(title))
        .author(TextStr(author));
    pdf.finish()
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
    fn text_is_win_ansi() {
        assert_eq!(win_ansi("Fällig 5 €"), b"F\xe4llig 5 \x80");
        assert_eq!(win_ansi("→"), b"?");
    }

    #[test]
    fn every_page_is_in_the_file() {
        let pages: Vec<Sheet> = (0..3)
            .map(|n| {
                let mut sheet = Sheet::new();
                sheet.text(LEFT, 700.0, 10.0, false, &format!("Seite {n}"));
                sheet
            })
            .collect();
        let pdf = document(pages, "Titel", "Autor");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 3"), "{text}");
    }
}
