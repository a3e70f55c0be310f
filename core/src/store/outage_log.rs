//! A till's TSE outage log on paper (PDF), as a tax inspector asks for it at a
//! Kassen-Nachschau: the till and its TSEs, then every outage with its start, its end and its
//! cause. In German, the inspector's language; times in the shop's zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::compliance::TseOutage;
use crate::domain::compliance::Tse;
use crate::domain::stations::Station;
use crate::pdf::{self, Sheet, LEFT, RIGHT};

const TOP: f32 = 780.0;
const BOTTOM: f32 = 70.0;
const LINE: f32 = 14.0;
const COLUMNS: [f32; 4] = [LEFT, LEFT + 70.0, LEFT + 185.0, LEFT + 300.0];

pub(super) fn render(
    till: &Station,
    outages: &[TseOutage],
    zone: Tz,
    printed_at: DateTime<Utc>,
) -> Vec<u8> {
    let time = |at: DateTime<Utc>| at.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string();
    let facts = till.compliance.clone().unwrap_or_default();
    let mut pages = vec![Sheet::new()];
    let mut y = TOP;
    let sheet = pages.last_mut().expect("a first page");
    sheet.text(
        LEFT,
        y,
        16.0,
        true,
        &format!("Protokoll der TSE-Ausfälle: {}", till.name),
    );
    y -= 20.0;
    let mut facts_lines = vec![
        format!("Seriennummer der Kasse: {}", or_dash(&facts.serial)),
        format!(
            "Betriebsstätte: {}",
            facts.site.as_ref().map_or("–".to_owned(), |site| {
                [site.name.as_str(), site.street.as_str(), site.city.as_str()]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        ),
    ];
    facts_lines.extend(
        facts.tse.iter().map(|tse| tse_line("TSE", tse)).chain(
            facts
                .retired_tses
                .iter()
                .rev()
                .map(|tse| tse_line("Frühere TSE", tse)),
        ),
    );
    facts_lines.push(format!("Erstellt am {} ({zone})", time(printed_at)));
    for line in &facts_lines {
        sheet.text(LEFT, y, 9.0, false, line);
        y -= LINE;
    }
    y -= 10.0;
    header(sheet, y);
    y -= 8.0;
    if outages.is_empty() {
        y -= LINE;
        sheet.text(LEFT, y, 9.0, false, "Keine Ausfälle aufgezeichnet.");
    }
    for outage in outages {
        let cause = outage
            .cause
            .clone()
            .unwrap_or_else(|| "noch nicht behoben".to_owned());
        let cause_lines = wrap(&cause, 48);
        if y - LINE * (cause_lines.len() as f32) < BOTTOM {
            pages.push(Sheet::new());
            y = TOP;
            header(pages.last_mut().expect("just pushed"), y);
            y -= 8.0;
        }
        let sheet = pages.last_mut().expect("a page");
        y -= LINE;
        sheet.text(COLUMNS[0], y, 9.0, false, &outage.number);
        sheet.text(COLUMNS[1], y, 9.0, false, &time(outage.began_at));
        sheet.text(
            COLUMNS[2],
            y,
            9.0,
            false,
            &outage.ended_at.map_or("–".to_owned(), time),
        );
        for (i, line) in cause_lines.iter().enumerate() {
            sheet.text(COLUMNS[3], y - LINE * i as f32, 9.0, false, line);
        }
        y -= LINE * (cause_lines.len() as f32 - 1.0);
    }
    let count = pages.len();
    for (number, sheet) in pages.iter_mut().enumerate() {
        sheet.right(
            RIGHT,
            40.0,
            8.0,
            false,
            &format!("Seite {} von {count}", number + 1),
        );
    }
    pdf::document(pages, &format!("TSE-Ausfälle {}", till.name), "stationdesk")
}

fn header(sheet: &mut Sheet, y: f32) {
    for (x, title) in COLUMNS
        .into_iter()
        .zip(["Ticket", "Beginn", "Ende", "Ursache"])
    {
        sheet.text(x, y, 9.0, true, title);
    }
    sheet.rule(y - 4.0);
}

fn tse_line(label: &str, tse: &Tse) -> String {
    let day = |d: Option<chrono::NaiveDate>| {
        d.map_or("–".to_owned(), |d| d.format("%d.%m.%Y").to_string())
    };
    format!(
        "{label}: {} ({}), BSI: {}, in Betrieb {} bis {}, Zertifikat gültig bis {}",
        tse.serial,
        tse.kind.elster_name(),
        or_dash(&tse.bsi_id),
        day(tse.in_use_from),
        day(tse.in_use_until),
        day(tse.valid_until),
    )
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() {
        "–"
    } else {
        text
    }
}

/// `text` in lines of at most `width` characters, broken at spaces where there are some.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let room = if used == 0 {
                width
            } else {
                width.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word);
                break;
            }
            if used == 0 {
                line.extend(word.drain(..width));
            }
            lines.push(std::mem::take(&mut line));
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_causes_wrap_at_spaces_and_inside_overlong_words() {
        assert_eq!(wrap("TSE getauscht", 48), ["TSE getauscht"]);
        assert_eq!(wrap("eins zwei drei", 9), ["eins zwei", "drei"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
