-- The vendor's side: its profile, the catalogue's versions, the shops' billing data, and the
-- invoices with their documents as issued (kept 8 years, GoBD; never changed).
CREATE TABLE vendor_profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog_versions (
    valid_from TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE shop_billing (
    shop_id TEXT PRIMARY KEY REFERENCES shops(id),
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The last number taken per year: taken in the same transaction as its invoice, so a number
-- is never skipped, doubled or reused.
CREATE TABLE invoice_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE invoices (
    number TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    shop_id TEXT NOT NULL REFERENCES shops(id),
    contract_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    record TEXT NOT NULL,
    xml BLOB NOT NULL,
    pdf BLOB NOT NULL,
    refers_to TEXT REFERENCES invoices(number),
    cancelled_by TEXT REFERENCES invoices(number),
    paid_on TEXT,
    UNIQUE (year, seq)
);
-- One live invoice per contract and period: a second run issues nothing, and only a credit
-- note frees the period for a new invoice.
CREATE UNIQUE INDEX invoices_once_per_period ON invoices (contract_id, period_start)
    WHERE kind = 'invoice' AND cancelled_by IS NULL;
CREATE INDEX invoices_by_shop ON invoices (shop_id, issued_on);

CREATE TRIGGER issued_invoices_are_never_changed
BEFORE UPDATE OF number, year, seq, kind, shop_id, contract_id, period_start, issued_on, due_on, record, xml, pdf, refers_to ON invoices
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed; cancel it with a credit note');
END;

CREATE TRIGGER issued_invoices_are_kept
BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are kept for 8 years');
END;
