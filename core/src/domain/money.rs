//! Money with an explicit currency, and VAT as a rate on a document.
//!
//! Amounts keep full precision while they are added up; they are rounded half-up to cents only
//! when a document shows them ([`Money::rounded`]), so a sum of many lines never drifts.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::DomainError;

/// An ISO 4217 currency code such as `EUR` or `DKK`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn new(code: &str) -> Result<Self, DomainError> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(code.to_owned()))
        } else {
            Err(DomainError::InvalidCurrency(code.to_owned()))
        }
    }

    pub fn eur() -> Self {
        Currency("EUR".to_owned())
    }

    pub fn code(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::new(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in one currency. Arithmetic across currencies is an error, never a silent mix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, DomainError> {
        if self.currency != other.currency {
            return Err(DomainError::CurrencyMismatch {
                left: self.currency.clone(),
                right: other.currency.clone(),
            });
        }
        Ok(Money::new(
            self.amount + other.amount,
            self.currency.clone(),
        ))
    }

    pub fn times(&self, factor: u32) -> Money {
        Money::new(self.amount * Decimal::from(factor), self.currency.clone())
    }

    /// Rounded half-up (away from zero) to cents, as a document shows it.
    pub fn rounded(&self) -> Money {
        Money::new(round_to_cents(self.amount), self.currency.clone())
    }
}

/// An amount as a person types it: `180`, `180.5` or the German `180,50`; at most two
/// decimals, no thousands separators, no sign.
pub fn parse_typed_amount(text: &str) -> Result<Decimal, DomainError> {
    let typed = text.trim();
    let unreadable = || DomainError::UnreadableAmount {
        given: typed.chars().take(40).collect(),
    };
    if typed.is_empty()
        || !typed
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(unreadable());
    }
    let amount: Decimal = typed
        .replacen(',', ".", 1)
        .parse()
        .map_err(|_| unreadable())?;
    if amount.scale() > 2 {
        return Err(unreadable());
    }
    Ok(amount)
}

/// Half-up to two decimals, always with two decimals (`899` -> `899.00`).
pub fn round_to_cents(amount: Decimal) -> Decimal {
    let mut cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    cents.rescale(2);
    cents
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", round_to_cents(self.amount), self.currency)
    }
}

/// A VAT rate as a fraction (0.19 for 19 %). It belongs to a document, not to a price: plan
/// prices are net.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatRate(Decimal);

impl VatRate {
    /// The German standard rate.
    pub const DE_STANDARD: VatRate = VatRate(Decimal::from_parts(19, 0, 0, false, 2));

    pub fn from_percent(percent: Decimal) -> Result<Self, DomainError> {
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(DomainError::InvalidVatRate(percent));
        }
        Ok(VatRate(percent / Decimal::ONE_HUNDRED))
    }

    pub fn percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }
}

/// Net, VAT and gross of a document, each rounded to cents the way an invoice shows them: VAT is
/// computed on the rounded net total, and gross is the sum of the two shown figures, so the
/// three always add up on paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VatBreakdown {
    pub net: Money,
    pub vat_percent: Decimal,
    pub vat: Money,
    pub gross: Money,
}

pub fn vat_breakdown(net: &Money, rate: VatRate) -> VatBreakdown {
    let net_shown = net.rounded();
    let vat = Money::new(
        round_to_cents(net_shown.amount * rate.0),
        net.currency.clone(),
    );
    let gross = Money::new(net_shown.amount + vat.amount, net.currency.clone());
    VatBreakdown {
        net: net_shown,
        vat_percent: rate.percent(),
        vat,
        gross,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::prelude::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_up_to_cents_only_when_shown() {
        let third = Money::new(dec("0.005"), Currency::eur());
        assert_eq!(third.rounded().amount.to_string(), "0.01");
        assert_eq!(
            Money::new(dec("-0.005"), Currency::eur())
                .rounded()
                .amount
                .to_string(),
            "-0.01"
        );
        assert_eq!(
            Money::new(dec("0.0049"), Currency::eur())
                .rounded()
                .amount
                .to_string(),
            "0.00"
        );
        assert_eq!(
            Money::new(dec("899"), Currency::eur()).to_string(),
            "899.00 EUR"
        );
    }

    #[test]
    fn adding_two_currencies_is_an_error() {
        let eur = Money::new(dec("1"), Currency::eur());
        let dkk = Money::new(dec("1"), Currency::new("DKK").unwrap());
        assert!(matches!(
            eur.checked_add(&dkk),
            Err(DomainError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn currency_codes_are_three_capital_letters() {
        for bad in ["", "eur", "EURO", "E1R", "€"] {
            assert!(Currency::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn vat_on_a_second_level_contract() {
        let net = Money::new(dec("650"), Currency::eur());
        let doc = vat_breakdown(&net, VatRate::DE_STANDARD);
        assert_eq!(doc.vat.amount.to_string(), "123.50");
        assert_eq!(doc.gross.amount.to_string(), "773.50");
        assert_eq!(doc.vat_percent.to_string(), "19");
    }

    #[test]
    fn vat_rate_outside_0_to_100_is_refused() {
        assert!(VatRate::from_percent(dec("-1")).is_err());
        assert!(VatRate::from_percent(dec("100.01")).is_err());
        assert_eq!(
            VatRate::from_percent(dec("19")).unwrap(),
            VatRate::DE_STANDARD
        );
    }

    #[test]
    fn a_typed_amount_reads_with_a_point_or_a_comma_and_nothing_else() {
        for (typed, read) in [("180", "180"), (" 180,50 ", "180.50"), ("0.5", "0.5")] {
            assert_eq!(parse_typed_amount(typed).unwrap(), dec(read), "{typed}");
        }
        for typed in ["", "-5", "1.000,00", "1,2,3", "12.345", "180 EUR", "1e3"] {
            let refused = parse_typed_amount(typed).unwrap_err().to_string();
            assert!(refused.contains("180,50"), "{typed}: {refused}");
        }
    }

    proptest! {
        /// Any amount in cents reads back from how it is written, with a point or a comma.
        #[test]
        fn an_amount_in_cents_reads_back_as_written(cents in 0i64..10_000_000_000) {
            let amount = Decimal::new(cents, 2);
            prop_assert_eq!(parse_typed_amount(&amount.to_string()).unwrap(), amount);
            prop_assert_eq!(parse_typed_amount(&amount.to_string().replace('.', ",")).unwrap(), amount);
        }

        /// Whatever the amounts, a shown document adds up to the cent and is never more than
        /// half a cent away from the exact figure.
        #[test]
        fn shown_vat_documents_add_up(cents in 0i64..100_000_000, extra_milli in 0i64..10, percent in 0u32..=100) {
            let net = Money::new(Decimal::new(cents * 10 + extra_milli, 3), Currency::eur());
            let rate = VatRate::from_percent(Decimal::from(percent)).unwrap();
            let doc = vat_breakdown(&net, rate);
            prop_assert_eq!(doc.net.amount + doc.vat.amount, doc.gross.amount);
            prop_assert!((doc.net.amount - net.amount).abs() <= dec("0.005"));
            prop_assert_eq!(doc.gross.amount.scale(), 2);
        }

        /// Rounding a sum of exact line amounts differs from the sum of rounded lines by at most
        /// half a cent per line: the reason we round only at the end.
        #[test]
        fn rounding_once_is_within_half_a_cent(lines in proptest::collection::vec(0i64..1_000_000, 1..20)) {
            let exact: Decimal = lines.iter().map(|m| Decimal::new(*m, 3)).sum();
            let shown = round_to_cents(exact);
            prop_assert!((shown - exact).abs() <= dec("0.005"));
        }
    }
}
