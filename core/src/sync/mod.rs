//! Sync with the central server, the only module that speaks HTTP: enrolment; pushing the
//! outbox in batches, each change settled by what the server answered for it; pulling the
//! server's changes page by page from a cursor; the vendor's contact, catalogue and books
//! ([`vendor`]).
//!
//! A network error, a 5xx or an answer that is not what the protocol says keeps the batch in
//! the outbox for the next try: nothing is lost and, since the server applies a change id once,
//! nothing is duplicated by the retry.

pub mod accounts;
pub mod backoff;
mod client;
pub mod desk;
pub mod mail;
pub mod vendor;

pub use client::Client;

use std::io::BufRead;

use stationdesk_protocol::{
    ChangeResult, FirstRunSetup, NewShop, NewStaff, Outcome, Role, BLOB_CHUNK, MAX_PUSH_BATCH,
};
use thiserror::Error;
use uuid::Uuid;

use crate::domain::stations::clean_station_name;
use crate::secrets::{self, Account, SecretsError, Token};
use crate::store::{Applied, Settled, Staff, Store, StoreError, SyncFailure, SyncState};

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("the server at {url} cannot be reached ({detail}); changes stay saved here and are sent later")]
    Unreachable { url: String, detail: String },
    #[error("the server refused: {message}")]
    Refused { status: u16, message: String },
    #[error("the server at {url} is not trusted: {problem}; nothing was sent")]
    Untrusted { url: String, problem: String },
    #[error("{0} is not encrypted (http://); use the server's https:// address (plain http is only for a server on this computer)")]
    NotEncrypted(String),
    #[error(
        "{url:?} is not a server address ({detail}); it looks like https://support.example.com"
    )]
    BadAddress { url: String, detail: String },
    #[error("the vendor's CA certificate cannot be used: {0}; ask the vendor for its CA certificate as a PEM file")]
    BadCertificateFile(String),
    /// The server no longer accepts this installation's token: a till disconnected by an
    /// admin, a session that expired or was ended. Nothing saved here is lost; the message
    /// says whether to sign in or enrol again.
    #[error("{message}")]
    AccessEnded { message: String },
    #[error("{0}")]
    TwoFactorRequired(String),
    #[error("the server failed ({status}): {message}; changes stay saved here and are sent later")]
    ServerFailed { status: u16, message: String },
    #[error("the server answered something that is not stationdesk's protocol ({0}); changes stay saved here and are sent later")]
    Garbage(String),
    #[error(
        "this installation is not enrolled with a server; enrol it with a code from the shop admin, or sign in"
    )]
    NotEnrolled,
    #[error("the keyring holds no token for {0}; sign in or enrol this installation again")]
    NoToken(String),
    #[error("{0:?} is not an invoice number; they read like 2027-00042")]
    NotAnInvoiceNumber(String),
    #[error("cannot save {path}: {source}; free some space or check the folder, then try again")]
    Save {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The query string of a read, from the parameters that are set.
fn query(pairs: &[(&'static str, Option<String>)]) -> Vec<(&'static str, String)> {
    pairs
        .iter()
        .filter_map(|(name, value)| value.clone().map(|value| (*name, value)))
        .collect()
}

/// Trusts the vendor's own CA certificate (PEM) for its server from now on, besides the
/// system's roots: for a vendor whose server's certificate is not from a public authority.
pub fn trust_vendor_ca(store: &mut Store, pem: &str) -> Result<(), SyncError> {
    client::vendor_certificate(pem)?;
    store.set_server_ca(Some(pem.trim()))?;
    Ok(())
}

/// Enrols this installation as a station of a shop: the keyring is checked first (so a
/// one-time code is not spent on a token that could not be kept), then the code is used, the
/// token goes to the keyring and the server's address to the store, and this PC becomes the
/// till of its station. A station of that name made here before is the one enrolled, so the
/// server's record and this PC's are one.
pub fn enrol(
    store: &mut Store,
    server_url: &str,
    code: &str,
    station_name: &str,
) -> Result<SyncState, SyncError> {
    let server_url = server_url.trim_end_matches('/').to_owned();
    let station_name = clean_station_name(station_name).map_err(StoreError::from)?;
    secrets::check_available(&server_url)?;
    let known_here = store.station(&station_name).ok().map(|station| station.id);
    let enrolled = Client::new(&server_url, store.server_ca()?.as_deref())?.enrol(
        code,
        &station_name,
        known_here,
    )?;
    secrets::store_token(
        &server_url,
        &Account::Device(enrolled.station_id),
        &enrolled.device_token,
    )?;
    let state = SyncState {
        server_url,
        shop_id: Some(enrolled.shop_id),
        station_id: Some(enrolled.station_id),
        pull_cursor: 0,
        staff: None,
    };
    store.set_enrolment(&state)?;
    store.become_till_of(enrolled.station_id, &station_name)?;
    Ok(state)
}

/// What a new user types on the first-run screen.
pub struct FirstRun<'a> {
    pub shop_name: &'a str,
    pub admin_name: &'a str,
    pub admin_email: &'a str,
    pub admin_password: &'a str,
    pub station_name: &'a str,
}

/// On a server of its own (the README's run command): creates the first shop and its admin,
/// enrols this installation as the shop's first till and signs the admin in, so sync works
/// from the first minute. The keyring is checked before anything is created.
pub fn first_run(
    store: &mut Store,
    server_url: &str,
    setup: &FirstRun<'_>,
) -> Result<SyncState, SyncError> {
    let server_url = server_url.trim_end_matches('/');
    secrets::check_available(server_url)?;
    let done =
        Client::new(server_url, store.server_ca()?.as_deref())?.first_run(&FirstRunSetup {
            shop: NewShop {
                name: setup.shop_name.trim().to_owned(),
                second_level: false,
            },
            admin: NewStaff {
                email: setup.admin_email.trim().to_lowercase(),
                name: setup.admin_name.trim().to_owned(),
                role: Role::ShopAdmin,
                shop_id: None,
                password: setup.admin_password.to_owned(),
                named_contact: true,
            },
        })?;
    enrol(
        store,
        server_url,
        &done.enrolment_code.code,
        setup.station_name,
    )?;
    login(
        store,
        server_url,
        setup.admin_email,
        setup.admin_password,
        None,
    )
}

/// Signs a staff member in on this installation: the session token goes to the keyring, and
/// from now on sync speaks for them (a shop admin reads the whole shop, support staff every
/// shop). An enrolled till keeps its enrolment for when they sign out. The history is read
/// again from the start, since they may see more than the till did, and changes refused
/// earlier get another go under their name.
pub fn login(
    store: &mut Store,
    server_url: &str,
    email: &str,
    password: &str,
    two_factor_code: Option<&str>,
) -> Result<SyncState, SyncError> {
    let server_url = server_url.trim_end_matches('/').to_owned();
    secrets::check_available(&server_url)?;
    let email = email.trim().to_lowercase();
    let session = Client::new(&server_url, store.server_ca()?.as_deref())?.login(
        &email,
        password,
        two_factor_code,
    )?;
    secrets::store_token(&server_url, &Account::Staff(email.clone()), &session.token)?;
    let till = store
        .enrolment()?
        .filter(|state| state.server_url == server_url)
        .and_then(|state| state.station_id);
    let state = SyncState {
        server_url,
        shop_id: session.shop_id,
        station_id: till,
        pull_cursor: 0,
        staff: Some(Staff {
            id: session.account_id,
            email,
            name: session.name,
            role: session.role,
        }),
    };
    store.set_enrolment(&state)?;
    store.retry_rejected()?;
    Ok(state)
}

/// Signs the staff member out: the server revokes the session, the keyring forgets it, and an
/// enrolled till speaks for itself again. Signing out works offline too; the session is then
/// only forgotten here, and the error says so.
pub fn logout(store: &mut Store) -> Result<SyncState, SyncError> {
    let mut state = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
    let Some(staff) = state.staff.take() else {
        return Ok(state);
    };
    let account = Account::Staff(staff.email);
    let revoked = match secrets::token(&state.server_url, &account)? {
        Some(token) => Client::new(&state.server_url, store.server_ca()?.as_deref())?
            .logout(&token)
            .map(drop),
        None => Ok(()),
    };
    secrets::forget_token(&state.server_url, &account)?;
    store.set_enrolment(&state)?;
    revoked.map(|()| state)
}

/// What one push round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pushed {
    pub accepted: usize,
    pub rejected: usize,
    /// Still waiting (only after an error).
    pub pending: i64,
}

/// What one sync did: the outbox sent, the server's changes pulled, attachment contents moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Synced {
    pub pushed: Pushed,
    pub pulled: Applied,
    pub contents: Transferred,
}

/// Attachment contents moved in one sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Transferred {
    /// Bytes sent: an upload cut off before goes on where the server says it stopped.
    pub uploaded_bytes: u64,
    pub uploaded: usize,
    pub downloaded: usize,
}

/// Sends the contents of attachments made here (their metadata went with the outbox), each
/// from where the server's copy stops, in parts of at most [`BLOB_CHUNK`]; then fetches the
/// contents of attachments pulled from elsewhere, each checked against its hash.
fn transfer_contents(
    store: &mut Store,
    client: &Client,
    token: &Token,
) -> Result<Transferred, SyncError> {
    let mut moved = Transferred::default();
    for (sha256, size) in store.contents_to_upload()? {
        let content = store.attachment_content(&sha256)?;
        let mut status = match client.blob_status(token, &sha256) {
            // The server has no attachment of this content from here (its metadata was
            // refused, say): nothing to send it for.
            Err(SyncError::Refused { status: 404, .. }) => continue,
            other => other?,
        };
        while !status.complete {
            let from = usize::try_from(status.received)
                .unwrap_or(usize::MAX)
                .min(content.len());
            let part = &content[from..content.len().min(from + BLOB_CHUNK)];
            status = client.put_blob(token, &sha256, status.received, size, part)?;
            moved.uploaded_bytes += part.len() as u64;
        }
        store.mark_transferred(&sha256)?;
        moved.uploaded += 1;
    }
    for (sha256, _) in store.contents_to_download()? {
        // The same content attached elsewhere too: it is here already.
        if store.attachment_path(&sha256).exists() {
            store.mark_transferred(&sha256)?;
            continue;
        }
        let content = match client.get_blob(token, &sha256) {
            // Not uploaded yet by whoever attached it (or not this shop's to read): next time.
            Err(SyncError::Refused { status: 404, .. }) => continue,
            other => other?,
        };
        store.keep_downloaded(&sha256, &content)?;
        moved.downloaded += 1;
    }
    Ok(moved)
}

/// Sends the whole outbox, batch by batch, then pulls what is new. An error leaves the rest
/// for the next try and is recorded for the UI to show in words.
pub fn sync(store: &mut Store) -> Result<Synced, SyncError> {
    recorded(store, |store, client, token| {
        open_tse_tickets(store)?;
        let pushed = push_all(store, client, token)?;
        let pulled = if works_the_desk(store)? {
            desk::follow_all(store, client, token)?
        } else {
            pull_all(store, client, token)?
        };
        let contents = transfer_contents(store, client, token)?;
        // Last, so that a catalogue the rules refuse holds up nothing else.
        vendor::refresh_copy(store, client, token, chrono::Utc::now(), false)?;
        Ok(Synced {
            pushed,
            pulled,
            contents,
        })
    })
}

/// Listens to the server's event stream as whoever is signed in here and calls `on_changes`
/// whenever the server has changes this installation has not pulled yet (at once if it has
/// some already). Returns when the stream breaks; the caller listens again after a pause.
pub fn listen(store: &mut Store, mut on_changes: impl FnMut()) -> Result<(), SyncError> {
    let cursor = store
        .enrolment()?
        .ok_or(SyncError::NotEnrolled)?
        .pull_cursor;
    let stream = with_token(store, |_, client, token| client.events(token, cursor))?;
    for line in stream.lines() {
        let line = line.map_err(|e| SyncError::Unreachable {
            url: "the event stream".into(),
            detail: e.to_string(),
        })?;
        if line.trim_end() == "event: changes" {
            on_changes();
        }
    }
    Err(SyncError::Unreachable {
        url: "the event stream".into(),
        detail: "the server closed it".into(),
    })
}

/// A signed-in read of `path` as whoever is signed in here.
pub(crate) fn get<T: serde::de::DeserializeOwned>(
    store: &mut Store,
    path: &str,
    query: &[(&str, String)],
) -> Result<T, SyncError> {
    with_token(store, |_, client, token| client.get(token, path, query))
}

/// A signed-in write of `body` to `path` as whoever is signed in here.
pub(crate) fn send<T: serde::de::DeserializeOwned>(
    store: &mut Store,
    method: reqwest::Method,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<T, SyncError> {
    with_token(store, |_, client, token| {
        client.send(token, method, path, body)
    })
}

/// Writes `bytes` as `dir/name`, whole or not at all: a file cut off by a full disk or a crash
/// is never left under the name.
pub fn save_whole(
    dir: &std::path::Path,
    name: &str,
    bytes: &[u8],
) -> Result<std::path::PathBuf, SyncError> {
    let path = dir.join(name);
    let partial = dir.join(format!(".{name}.part"));
    let saved = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&partial, bytes))
        .and_then(|()| std::fs::rename(&partial, &path));
    if let Err(source) = saved {
        let _ = std::fs::remove_file(&partial);
        return Err(SyncError::Save { path, source });
    }
    Ok(path)
}

/// Only the push half of [`sync`] (for measuring it on its own).
pub fn push(store: &mut Store) -> Result<Pushed, SyncError> {
    recorded(store, push_all)
}

/// Runs `work` against the server as whoever is signed in here, and records how it went.
fn recorded<T>(
    store: &mut Store,
    work: impl FnOnce(&mut Store, &Client, &Token) -> Result<T, SyncError>,
) -> Result<T, SyncError> {
    let outcome = with_token(store, work);
    let failure = outcome.as_ref().err().map(|error| SyncFailure {
        message: error.to_string(),
        access_ended: matches!(error, SyncError::AccessEnded { .. }),
    });
    store.record_sync(failure.as_ref())?;
    outcome
}

/// Runs `work` with a client for the server and the token of whoever is signed in here (a
/// staff member, else the till).
fn with_token<T>(
    store: &mut Store,
    work: impl FnOnce(&mut Store, &Client, &Token) -> Result<T, SyncError>,
) -> Result<T, SyncError> {
    let state = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
    let account = match (&state.staff, state.station_id) {
        (Some(staff), _) => Account::Staff(staff.email.clone()),
        (None, Some(station)) => Account::Device(station),
        (None, None) => return Err(SyncError::NotEnrolled),
    };
    let token = secrets::token(&state.server_url, &account)?
        .ok_or_else(|| SyncError::NoToken(state.server_url.clone()))?;
    let client = Client::new(&state.server_url, store.server_ca()?.as_deref())?;
    work(store, &client, &token)
}

/// Opens the ticket of each TSE whose certificate ends within 90 days, as the last pull left
/// the records: the shop admin's app watches every till of the shop, a till itself. The first
/// to notice files it; the others send the same change ids, which the server keeps once.
fn open_tse_tickets(store: &mut Store) -> Result<(), SyncError> {
    let Some(state) = store.enrolment()? else {
        return Ok(());
    };
    let only = match (state.staff.map(|staff| staff.role), state.station_id) {
        (Some(Role::ShopAdmin), _) => None,
        (None, Some(till)) => Some(till),
        _ => return Ok(()),
    };
    let today = store.today()?;
    store.open_tse_tickets(only, today, chrono::Utc::now())?;
    Ok(())
}

/// Support staff work from the server's queue and keep only the tickets they open; everyone
/// else keeps their whole reach.
fn works_the_desk(store: &Store) -> Result<bool, SyncError> {
    Ok(store
        .enrolment()?
        .and_then(|state| state.staff)
        .is_some_and(|staff| staff.role == Role::SupportStaff))
}

/// Pulls page after page from the stored cursor; each page is applied with its cursor in one
/// transaction, so an interrupted pull starts again where the last applied page ended.
fn pull_all(store: &mut Store, client: &Client, token: &Token) -> Result<Applied, SyncError> {
    let from = store
        .enrolment()?
        .ok_or(SyncError::NotEnrolled)?
        .pull_cursor;
    let mut total = Applied {
        catching_up: from == 0,
        ..Applied::default()
    };
    loop {
        let cursor = store
            .enrolment()?
            .ok_or(SyncError::NotEnrolled)?
            .pull_cursor;
        let page = client.pull(token, cursor)?;
        if page.cursor < cursor {
            return Err(SyncError::Garbage(format!(
                "the server's cursor went back from {cursor} to {}",
                page.cursor
            )));
        }
        let applied = store.apply_pulled(&page.changes, page.cursor)?;
        total.applied += applied.applied;
        total.skipped += applied.skipped;
        total.set_aside += applied.set_aside;
        total.emergencies.extend(applied.emergencies);
        total.moved_on |= page.cursor > cursor;
        if !page.more {
            return Ok(total);
        }
    }
}

fn push_all(store: &mut Store, client: &Client, token: &Token) -> Result<Pushed, SyncError> {
    let mut pushed = Pushed::default();
    loop {
        let (sent, changes): (Vec<Uuid>, Vec<_>) =
            store.outbox_batch(MAX_PUSH_BATCH)?.into_iter().unzip();
        if changes.is_empty() {
            return Ok(pushed);
        }
        let settled = settle(&sent, client.push(token, changes)?)?;
        for (_, outcome) in &settled {
            match outcome {
                Settled::Accepted => pushed.accepted += 1,
                Settled::Rejected(_) => pushed.rejected += 1,
            }
        }
        store.settle_outbox(&settled)?;
    }
}

/// What the server's answers to a pushed batch mean for each change sent: accepted (now or
/// before) or refused for good. An answer that does not match what was sent, change for
/// change, settles nothing: the batch stays for the next try.
fn settle(sent: &[Uuid], results: Vec<ChangeResult>) -> Result<Vec<(Uuid, Settled)>, SyncError> {
    if results.len() != sent.len() || results.iter().zip(sent).any(|(r, id)| r.change_id != *id) {
        return Err(SyncError::Garbage(
            "the answer does not match the changes sent".into(),
        ));
    }
    Ok(results
        .into_iter()
        .map(|result| {
            let settled = match result.outcome {
                Outcome::Applied { .. } | Outcome::AlreadyApplied { .. } => Settled::Accepted,
                Outcome::Rejected { reason } => Settled::Rejected(reason),
            };
            (result.change_id, settled)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_settles_its_change_and_a_mismatch_settles_none() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let answers = vec![
            ChangeResult {
                change_id: a,
                outcome: Outcome::AlreadyApplied { revision: 3 },
            },
            ChangeResult {
                change_id: b,
                outcome: Outcome::Rejected {
                    reason: "a till may not change a contract".into(),
                },
            },
        ];
        assert_eq!(
            settle(&[a, b], answers.clone()).unwrap(),
            vec![
                (a, Settled::Accepted),
                (
                    b,
                    Settled::Rejected("a till may not change a contract".into())
                )
            ]
        );
        assert!(matches!(
            settle(&[b, a], answers.clone()),
            Err(SyncError::Garbage(_))
        ));
        assert!(matches!(settle(&[a], answers), Err(SyncError::Garbage(_))));
    }
}
