//! What the support desk asks its queue for, and the bounds the server holds every request to:
//! the active tickets unless other states are named, pages of 1 to [`MAX_PAGE`] tickets, a
//! search of one line. The desk's client builds a [`QueueFilter`]; the server reads one from
//! the query string and checks it here.

use uuid::Uuid;

use super::tickets::{Channel, Priority, TicketState};
use super::DomainError;

/// How many tickets a page holds unless the desk asks for another number.
pub const DEFAULT_PAGE: usize = 50;
/// The most a page holds: a screen's worth many times over.
pub const MAX_PAGE: usize = 200;
/// The longest search taken: a phrase, not a document.
pub const MAX_SEARCH: usize = 200;

/// The states asked for when the desk names none: everything still to be worked on.
pub const ACTIVE: [TicketState; 3] = [
    TicketState::New,
    TicketState::Open,
    TicketState::WaitingForCustomer,
];

/// Whose tickets the desk asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignedTo {
    /// The signed-in agent's.
    Me,
    /// Nobody's yet: the tickets waiting to be taken.
    Nobody,
    /// A colleague's, by staff account.
    Agent(Uuid),
}

impl AssignedTo {
    /// As the `assignee` query parameter spells it.
    pub fn as_param(self) -> String {
        match self {
            AssignedTo::Me => "me".into(),
            AssignedTo::Nobody => "none".into(),
            AssignedTo::Agent(id) => id.to_string(),
        }
    }
}

impl std::str::FromStr for AssignedTo {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "me" => Ok(AssignedTo::Me),
            "none" => Ok(AssignedTo::Nobody),
            other => Uuid::parse_str(other).map(AssignedTo::Agent).map_err(|_| {
                DomainError::UnknownAssignee {
                    given: other.chars().take(60).collect(),
                }
            }),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// None named: [`ACTIVE`].
    pub states: Vec<TicketState>,
    pub priority: Option<Priority>,
    pub shop: Option<Uuid>,
    pub station: Option<Uuid>,
    pub channel: Option<Channel>,
    /// Anyone's when not given.
    pub assignee: Option<AssignedTo>,
    /// Text the title contains.
    pub text: Option<String>,
    /// [`DEFAULT_PAGE`] when not given.
    pub limit: Option<usize>,
    /// Where the page begins: the `next` of the page before, as the server handed it out.
    pub cursor: Option<String>,
}

impl QueueFilter {
    pub fn states(&self) -> Vec<TicketState> {
        if self.states.is_empty() {
            ACTIVE.to_vec()
        } else {
            self.states.clone()
        }
    }

    pub fn page_size(&self) -> Result<usize, DomainError> {
        let size = self.limit.unwrap_or(DEFAULT_PAGE);
        if (1..=MAX_PAGE).contains(&size) {
            Ok(size)
        } else {
            Err(DomainError::PageSize { max: MAX_PAGE })
        }
    }

    /// The search as typed without the spaces around it; none when blank.
    pub fn search(&self) -> Result<Option<&str>, DomainError> {
        let text = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > MAX_SEARCH || t.chars().any(char::is_control)) {
            return Err(DomainError::SearchTooLong { max: MAX_SEARCH });
        }
        Ok(text)
    }
}

/// The words of a search as a trigram index's query: each word of three characters or more
/// must occur, anywhere (inside longer words too), taken literally; `None` when no word is that
/// long, for the trigrams cannot find shorter ones.
pub fn trigram_query(text: &str) -> Option<String> {
    let words: Vec<String> = trigram_words(text)
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The words of a search a trigram index can find: those of three characters or more.
pub fn trigram_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|word| word.chars().count() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assignee_is_me_none_or_a_staff_id_and_reads_back_as_written() {
        let id = Uuid::now_v7();
        for assignee in [AssignedTo::Me, AssignedTo::Nobody, AssignedTo::Agent(id)] {
            assert_eq!(assignee.as_param().parse::<AssignedTo>().unwrap(), assignee);
        }
        for wrong in ["ME", "", "everyone", "1234", "me,none"] {
            let refused = wrong.parse::<AssignedTo>().unwrap_err().to_string();
            assert!(
                refused.contains("use me, none or a staff account"),
                "{refused}"
            );
        }
    }

    #[test]
    fn the_active_tickets_and_a_page_of_fifty_unless_asked_otherwise() {
        let everything = QueueFilter::default();
        assert_eq!(everything.states(), ACTIVE);
        assert_eq!(everything.page_size().unwrap(), DEFAULT_PAGE);
        assert_eq!(everything.search().unwrap(), None);
        let done = QueueFilter {
            states: vec![TicketState::Resolved, TicketState::Closed],
            limit: Some(MAX_PAGE),
            text: Some("  Drucker ".into()),
            ..QueueFilter::default()
        };
        assert_eq!(done.states(), [TicketState::Resolved, TicketState::Closed]);
        assert_eq!(done.page_size().unwrap(), MAX_PAGE);
        assert_eq!(done.search().unwrap(), Some("Drucker"));
    }

    #[test]
    fn pages_and_searches_out_of_bounds_are_refused_with_the_bound() {
        for limit in [0, MAX_PAGE + 1] {
            let asked = QueueFilter {
                limit: Some(limit),
                ..QueueFilter::default()
            };
            assert!(asked.page_size().unwrap_err().to_string().contains("200"));
        }
        for text in ["x".repeat(MAX_SEARCH + 1), "Bon\ndrucker".into()] {
            let asked = QueueFilter {
                text: Some(text),
                ..QueueFilter::default()
            };
            assert!(asked.search().unwrap_err().to_string().contains("one line"));
        }
        let blank = QueueFilter {
            text: Some("   ".into()),
            ..QueueFilter::default()
        };
        assert_eq!(blank.search().unwrap(), None);
    }

    #[test]
    fn a_search_becomes_literal_words_of_three_characters_or_more() {
        assert_eq!(
            trigram_query("Drucker  piept"),
            Some("\"Drucker\" \"piept\"".into())
        );
        assert_eq!(
            trigram_query("E-9 OR \"x*\" NEAR(a b)"),
            Some("\"E-9\" \"\"\"x*\"\"\" \"NEAR(a\"".into()),
            "operators and quotes are only text"
        );
        assert_eq!(trigram_query("Z a"), None);
    }
}
