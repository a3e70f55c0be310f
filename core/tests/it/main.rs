//! Integration tests of stationdesk-core against real SQLite files and the real CLI binary.
//!
//! - `store`: stations and contracts through the public store API, its rules across rows, and
//!   what happens to bad or foreign database files.
//! - `tickets`: tickets, their audit trail and outbox, views, search, the emergency press.
//! - `crash`: an emergency press survives SIGKILL right after it reported success.
//! - `cli`: `stationdesk-cli` as a script calls it: the documented JSON, the tables, the errors.
//! - `remote`: connecting with each remote tool (played by executables that record what they
//!   get), hostile ids, the cashier's consent and the session records.
//! - `secrets`: enrolment without a reachable keyring fails early and clearly.
//! - `vnc`: a real VNC session: Xvfb, x11vnc on loopback, Remmina opened through `gio open`.

mod cli;
mod crash;
mod remote;
mod secrets;
mod store;
mod tickets;
mod vnc;
