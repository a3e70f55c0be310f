//! An invoice as an XRechnung 3.0 e-invoice in UN/CEFACT CII syntax (EN 16931): the elements
//! in the order the D16B schema wants them, with what KoSIT's rules add (buyer reference,
//! seller contact, electronic addresses, SEPA payment instructions).

use std::io;

use chrono::NaiveDate;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use rust_decimal::Decimal;
use stationdesk_protocol::{Invoice, InvoiceKind};

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const PEPPOL_BILLING: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
const XRECHNUNG_3: &str = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// UNTDID 1001: commercial invoice, credit note.
const TYPE_INVOICE: &str = "380";
const TYPE_CREDIT_NOTE: &str = "381";
/// UNTDID 4461: SEPA credit transfer.
const SEPA_CREDIT_TRANSFER: &str = "58";
/// UN/ECE Rec 20: one (piece).
const UNIT_ONE: &str = "C62";

type Xml = Writer<Vec<u8>>;

/// The CII XML of `invoice`.
pub fn render(invoice: &Invoice) -> String {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    document(&mut xml, invoice).expect("writing XML to memory does not fail");
    String::from_utf8(xml.into_inner()).expect("the writer writes UTF-8")
}

fn text(xml: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    xml.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn with<F>(xml: &mut Xml, name: &str, inner: F) -> io::Result<()>
where
    F: FnOnce(&mut Xml) -> io::Result<()>,
{
    xml.create_element(name).write_inner_content(inner)?;
    Ok(())
}

fn amount(value: Decimal) -> String {
    stationdesk_core::domain::money::round_to_cents(value).to_string()
}

fn date(xml: &mut Xml, name: &str, day: NaiveDate) -> io::Result<()> {
    with(xml, name, |xml| {
        xml.create_element("udt:DateTimeString")
            .with_attribute(("format", "102"))
            .write_text_content(BytesText::new(&day.format("%Y%m%d").to_string()))?;
        Ok(())
    })
}

fn id_with_scheme(xml: &mut Xml, name: &str, scheme: &str, value: &str) -> io::Result<()> {
    xml.create_element(name)
        .with_attribute(("schemeID", scheme))
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn vat_category(xml: &mut Xml, percent: Decimal) -> io::Result<()> {
    text(xml, "ram:CategoryCode", "S")?;
    text(
        xml,
        "ram:RateApplicablePercent",
        &percent.normalize().to_string(),
    )
}

fn address(
    xml: &mut Xml,
    postcode: &str,
    street: &str,
    city: &str,
    country: &str,
) -> io::Result<()> {
    with(xml, "ram:PostalTradeAddress", |xml| {
        text(xml, "ram:PostcodeCode", postcode)?;
        text(xml, "ram:LineOne", street)?;
        text(xml, "ram:CityName", city)?;
        text(xml, "ram:CountryID", country)
    })
}

fn document(xml: &mut Xml, invoice: &Invoice) -> io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("rsm:CrossIndustryInvoice")
        .with_attributes([
            ("xmlns:rsm", RSM),
            ("xmlns:ram", RAM),
            ("xmlns:udt", UDT),
            ("xmlns:qdt", QDT),
        ])
        .write_inner_content(|xml| {
            with(xml, "rsm:ExchangedDocumentContext", |xml| {
                with(
                    xml,
                    "ram:BusinessProcessSpecifiedDocumentContextParameter",
                    |xml| text(xml, "ram:ID", PEPPOL_BILLING),
                )?;
                with(
                    xml,
                    "ram:GuidelineSpecifiedDocumentContextParameter",
                    |xml| text(xml, "ram:ID", XRECHNUNG_3),
                )
            })?;
            with(xml, "rsm:ExchangedDocument", |xml| {
                text(xml, "ram:ID", &invoice.number)?;
                let type_code = match invoice.kind {
                    InvoiceKind::Invoice => TYPE_INVOICE,
                    InvoiceKind::CreditNote => TYPE_CREDIT_NOTE,
                };
                text(xml, "ram:TypeCode", type_code)?;
                date(xml, "ram:IssueDateTime", invoice.issued_on)?;
                if let Some(reason) = &invoice.reason {
                    with(xml, "ram:IncludedNote", |xml| {
                        text(xml, "ram:Content", reason)
                    })?;
                }
                Ok(())
            })?;
            with(xml, "rsm:SupplyChainTradeTransaction", |xml| {
                transaction(xml, invoice)
            })
        })?;
    Ok(())
}

fn transaction(xml: &mut Xml, invoice: &Invoice) -> io::Result<()> {
    for (index, line) in invoice.lines.iter().enumerate() {
        with(xml, "ram:IncludedSupplyChainTradeLineItem", |xml| {
            with(xml, "ram:AssociatedDocumentLineDocument", |xml| {
                text(xml, "ram:LineID", &(index + 1).to_string())
            })?;
            with(xml, "ram:SpecifiedTradeProduct", |xml| {
                text(xml, "ram:Name", &line.description)
            })?;
            with(xml, "ram:SpecifiedLineTradeAgreement", |xml| {
                with(xml, "ram:NetPriceProductTradePrice", |xml| {
                    text(
                        xml,
                        "ram:ChargeAmount",
                        &line.unit_price.normalize().to_string(),
                    )
                })
            })?;
            with(xml, "ram:SpecifiedLineTradeDelivery", |xml| {
                xml.create_element("ram:BilledQuantity")
                    .with_attribute(("unitCode", UNIT_ONE))
                    .write_text_content(BytesText::new(&line.quantity.normalize().to_string()))?;
                Ok(())
            })?;
            with(xml, "ram:SpecifiedLineTradeSettlement", |xml| {
                with(xml, "ram:ApplicableTradeTax", |xml| {
                    text(xml, "ram:TypeCode", "VAT")?;
                    vat_category(xml, invoice.vat_percent)
                })?;
                with(
                    xml,
                    "ram:SpecifiedTradeSettlementLineMonetarySummation",
                    |xml| text(xml, "ram:LineTotalAmount", &amount(line.net)),
                )
            })
        })?;
    }
    let seller = &invoice.seller;
    let buyer = &invoice.buyer;
    with(xml, "ram:ApplicableHeaderTradeAgreement", |xml| {
        text(xml, "ram:BuyerReference", &invoice.buyer_reference)?;
        with(xml, "ram:SellerTradeParty", |xml| {
            text(xml, "ram:Name", &seller.name)?;
            with(xml, "ram:DefinedTradeContact", |xml| {
                text(xml, "ram:PersonName", &seller.contact)?;
                with(xml, "ram:TelephoneUniversalCommunication", |xml| {
                    text(xml, "ram:CompleteNumber", &seller.phone)
                })?;
                with(xml, "ram:EmailURIUniversalCommunication", |xml| {
                    text(xml, "ram:URIID", &seller.email)
                })
            })?;
            address(
                xml,
                &seller.postcode,
                &seller.street,
                &seller.city,
                &seller.country,
            )?;
            with(xml, "ram:URIUniversalCommunication", |xml| {
                id_with_scheme(xml, "ram:URIID", "EM", &seller.email)
            })?;
            with(xml, "ram:SpecifiedTaxRegistration", |xml| {
                id_with_scheme(xml, "ram:ID", "VA", &seller.vat_id)
            })
        })?;
        with(xml, "ram:BuyerTradeParty", |xml| {
            text(xml, "ram:Name", &buyer.legal_name)?;
            address(
                xml,
                &buyer.postcode,
                &buyer.street,
                &buyer.city,
                &buyer.country,
            )?;
            with(xml, "ram:URIUniversalCommunication", |xml| {
                id_with_scheme(xml, "ram:URIID", "EM", &buyer.email)
            })?;
            if let Some(vat_id) = &buyer.vat_id {
                with(xml, "ram:SpecifiedTaxRegistration", |xml| {
                    id_with_scheme(xml, "ram:ID", "VA", vat_id)
                })?;
            }
            Ok(())
        })
    })?;
    xml.create_element("ram:ApplicableHeaderTradeDelivery")
        .write_empty()?;
    with(xml, "ram:ApplicableHeaderTradeSettlement", |xml| {
        text(xml, "ram:InvoiceCurrencyCode", &invoice.currency)?;
        with(xml, "ram:SpecifiedTradeSettlementPaymentMeans", |xml| {
            text(xml, "ram:TypeCode", SEPA_CREDIT_TRANSFER)?;
            with(xml, "ram:PayeePartyCreditorFinancialAccount", |xml| {
                text(xml, "ram:IBANID", &seller.iban)
            })?;
            if let Some(bic) = &seller.bic {
                with(
                    xml,
                    "ram:PayeeSpecifiedCreditorFinancialInstitution",
                    |xml| text(xml, "ram:BICID", bic),
                )?;
            }
            Ok(())
        })?;
        with(xml, "ram:ApplicableTradeTax", |xml| {
            text(xml, "ram:CalculatedAmount", &amount(invoice.vat))?;
            text(xml, "ram:TypeCode", "VAT")?;
            text(xml, "ram:BasisAmount", &amount(invoice.net))?;
            vat_category(xml, invoice.vat_percent)
        })?;
        with(xml, "ram:BillingSpecifiedPeriod", |xml| {
            date(xml, "ram:StartDateTime", invoice.period_start)?;
            date(xml, "ram:EndDateTime", invoice.period_end)
        })?;
        with(xml, "ram:SpecifiedTradePaymentTerms", |xml| {
            text(xml, "ram:Description", &super::payment_terms(invoice))?;
            date(xml, "ram:DueDateDateTime", invoice.due_on)
        })?;
        with(
            xml,
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            |xml| {
                text(xml, "ram:LineTotalAmount", &amount(invoice.net))?;
                text(xml, "ram:TaxBasisTotalAmount", &amount(invoice.net))?;
                xml.create_element("ram:TaxTotalAmount")
                    .with_attribute(("currencyID", invoice.currency.as_str()))
                    .write_text_content(BytesText::new(&amount(invoice.vat)))?;
                text(xml, "ram:GrandTotalAmount", &amount(invoice.gross))?;
                text(xml, "ram:DuePayableAmount", &amount(invoice.gross))
            },
        )?;
        if let Some(original) = &invoice.refers_to {
            with(xml, "ram:InvoiceReferencedDocument", |xml| {
                text(xml, "ram:IssuerAssignedID", original)
            })?;
        }
        Ok(())
    })
}
