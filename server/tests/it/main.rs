//! The central server's integration tests, one binary: the real `stationdesk-server` process on
//! loopback (from the end-to-end package's `TestServer`), driven over HTTP and by the real
//! client (`stationdesk-core`), plus in-process tests of the router.
//!
//! - [`accounts`]: throttled sign-in, sessions that end, revocation, passwords, two factors,
//!   the security log.
//! - [`api`]: enrolment, log-in, tokens, push and pull, tenancy, bad requests, backup, events.
//! - [`roles`]: every endpoint and every kind of change by every role, own shop and another.
//! - [`compliance`]: the cash-register law's facts of each till: a TSE swap, the site's report
//!   deadline, the ticket of an ending certificate filed once, malformed facts refused.
//! - [`desk`]: the support desk's queue: who reads it, rows, order, filters, paging,
//!   assignment.
//! - [`internal_notes`]: the desk's internal notes never reach a till or a shop admin: not by
//!   their sync, a raw pull, their export or their event streams.
//! - [`mail`]: the e-mail channel against real Dovecot and aiosmtpd: mail to tickets and
//!   replies, threading, machines' mail, unknown senders, restarts, the desk's replies out.
//! - [`door`]: hostile changes refused at the door with their reasons, nothing stored, everyone
//!   else's sync unaffected; contract orders priced from the catalogue; the server's tables.
//! - [`hardening`]: what the security review found beyond the door: uploads, reach of
//!   attachments, page sizes, named contacts, event streams, slow headers, the set-up's host.
//! - [`sync`]: the client's sync against the server, with a real keyring, faults and all.
//! - [`faults`]: processes killed mid-push and mid-pull, clocks an hour off.
//! - [`openapi`]: the served OpenAPI document describes what the server does.
//! - [`processes`]: three server processes on one database: each change once, what one
//!   applies or revokes heard by the others, pulls that skip nothing, one killed mid-push
//!   behind a load balancer.
//! - [`sql`]: the storage's one SQL layer reads and writes alike on SQLite and on a real
//!   PostgreSQL.
//! - [`tls`]: HTTPS with certificates made in the test: the vendor's CA, wrong names, expiry,
//!   unknown authorities, plain http.
//! - [`upgrade`]: an outbox and a history of the earlier version after the update; pulled
//!   changes this version cannot read set aside.
//!
//! Needs a Secret Service on the session bus (`scripts/test.sh` starts one), a PostgreSQL
//! cluster in `STATIONDESK_TEST_POSTGRES` (`scripts/with-postgres.sh` starts a throwaway one)
//! Dovecot and aiosmtpd for the mail tests, and, for the fault tests, `faketime` and the workspace's binaries built.

mod accounts;
mod api;
mod billing;
mod books;
mod common;
mod compliance;
mod desk;
mod desk_keeps;
mod door;
mod faults;
mod hardening;
mod internal_notes;
mod mail;
mod openapi;
mod processes;
mod roles;
mod sql;
mod sync;
mod tls;
mod upgrade;
