//! Integration tests of stationdesk-core against real SQLite files and the real CLI binary.
//!
//! - `store`: stations and contracts through the public store API, its rules across rows, and
//!   what happens to bad or foreign database files.
//! - `tickets`: tickets, their audit trail and outbox, views, search, the emergency press.
//! - `crash`: an emergency press survives SIGKILL right after it reported success.
//! - `cli`: `stationdesk-cli` as a script calls it: the documented JSON, the tables, the errors.

mod cli;
mod crash;
mod store;
mod tickets;
