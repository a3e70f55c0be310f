//! Integration tests of stationdesk-core against real SQLite files and the real CLI binary.
//!
//! - `store`: stations and contracts through the public store API, its rules across rows, and
//!   what happens to bad or foreign database files.
//! - `cli`: `stationdesk-cli` as a script calls it: the documented JSON, the tables, the errors.

mod cli;
mod store;
