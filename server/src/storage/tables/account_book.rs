//! Accounts, sessions, tills and the security log in SQLite. A session's public id is the
//! first half of its token's hash: it names the session and opens nothing.

use chrono::{DateTime, Utc};
use stationdesk_protocol::{SecurityEvent, SecurityPolicy, StaffSession, Till};
use uuid::Uuid;

use super::{role_of, SqlStorage};
use crate::accounts::{random_secret, secret_hash};
use crate::args;
use crate::storage::sql::Sql;
use crate::storage::{
    Account, AccountBook, Caller, Ending, SecurityNote, StorageError, TokenState,
};

const SESSION_ID_LEN: usize = 32;
const TWO_FACTOR_POLICY: &str = "two_factor_for_vendor_staff";

fn session_id(token_hash: &str) -> &str {
    &token_hash[..SESSION_ID_LEN]
}

/// Whose the token with this hash is, or why it stopped working.
pub(super) fn token_state(db: &dyn Sql, hash: &str) -> Result<TokenState, StorageError> {
    // account, role, shop, station, name, named contact, last used, ends by, setup only,
    // revoked why
    type TokenRow = (
        Uuid,
        String,
        Option<Uuid>,
        Option<Uuid>,
        String,
        bool,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        bool,
        Option<String>,
    );
    let found: Option<TokenRow> = db.row(
        "SELECT coalesce(t.station_id, t.user_id), t.role, t.shop_id, t.station_id, t.name,
                coalesce(u.named_contact, ?2), coalesce(t.last_used_at, t.created_at),
                t.ends_by, t.setup_only,
                CASE WHEN t.revoked_at IS NULL THEN NULL ELSE coalesce(t.revoked_why, 'revoked') END
         FROM tokens t LEFT JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ?1",
        args![hash, false],
    )?;
    let Some((
        account,
        role,
        shop_id,
        station_id,
        name,
        named_contact,
        last_used_at,
        ends_by,
        setup_only,
        ended,
    )) = found
    else {
        return Ok(TokenState::Unknown);
    };
    if let Some(why) = ended {
        return Ok(TokenState::Ended {
            why,
            station: station_id.is_some(),
        });
    }
    Ok(TokenState::Active(Caller {
        account,
        role: role_of(&role)?,
        shop_id,
        station_id,
        name,
        named_contact,
        last_used_at,
        ends_by,
        setup_only,
    }))
}

fn account_where(
    db: &dyn Sql,
    condition: &str,
    value: &str,
) -> Result<Option<Account>, StorageError> {
    type AccountRow = (
        Uuid,
        String,
        String,
        String,
        Option<Uuid>,
        bool,
        String,
        bool,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let row: Option<AccountRow> = db.row(
        &format!(
            "SELECT id, email, name, role, shop_id, named_contact, password_hash, active,
                    totp_secret, totp_pending
             FROM users WHERE {condition}"
        ),
        args![value],
    )?;
    let Some((
        id,
        email,
        name,
        role,
        shop_id,
        named_contact,
        password_hash,
        active,
        secret,
        pending,
    )) = row
    else {
        return Ok(None);
    };
    Ok(Some(Account {
        id,
        email,
        name,
        role: role_of(&role)?,
        shop_id,
        named_contact,
        password_hash,
        active,
        totp_secret: secret,
        totp_pending: pending,
    }))
}

fn not_found(user: Uuid) -> StorageError {
    StorageError::NotFound(format!("there is no staff account {user}"))
}

impl AccountBook for SqlStorage {
    fn account_by_email(&self, email: &str) -> Result<Option<Account>, StorageError> {
        // Addresses are told apart without regard to case, as SQLite's NOCASE column did.
        self.read(|db| account_where(db, "lower(email) = lower(?1)", email.trim()))
    }

    fn account(&self, id: Uuid) -> Result<Option<Account>, StorageError> {
        self.read(|db| account_where(db, "id = ?1", &id.to_string()))
    }

    fn open_session(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        ends_by: DateTime<Utc>,
        address: Option<&str>,
        setup_only: bool,
    ) -> Result<(String, Caller), StorageError> {
        let token = random_secret();
        self.write_leaving_callers(|db| {
            db.run(
                "INSERT INTO tokens (token_hash, role, shop_id, user_id, name, created_at,
                                 last_used_at, ends_by, address, setup_only)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)",
                args![
                    secret_hash(&token),
                    account.role.as_str(),
                    account.shop_id,
                    account.id,
                    &account.name,
                    now,
                    ends_by,
                    address,
                    setup_only,
                ],
            )
        })?;
        let caller = Caller {
            account: account.id,
            role: account.role,
            shop_id: account.shop_id,
            station_id: None,
            name: account.name.clone(),
            named_contact: account.named_contact,
            last_used_at: now,
            ends_by: Some(ends_by),
            setup_only,
        };
        self.callers.remember(&token, caller.clone());
        Ok((token, caller))
    }

    fn touch(&self, token: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
        self.write_leaving_callers(|db| {
            db.run(
                "UPDATE tokens SET last_used_at = ?2 WHERE token_hash = ?1",
                args![secret_hash(token), now],
            )
        })?;
        self.callers.touch(token, now);
        Ok(())
    }

    fn end_tokens(
        &self,
        which: Ending<'_>,
        why: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StorageError> {
        let (condition, value, except) = match which {
            Ending::Token(token) => ("token_hash = ?3", secret_hash(token), None),
            Ending::Session(id) => (
                "substr(token_hash, 1, 32) = ?3 AND user_id IS NOT NULL",
                id.to_owned(),
                None,
            ),
            Ending::Station(station) => ("station_id = ?3", station.to_string(), None),
            Ending::User { user, except } => {
                ("user_id = ?3", user.to_string(), except.map(secret_hash))
            }
        };
        let ended: Vec<String> = {
            self.write(|db| {
                db.all(
                    &format!(
                        "UPDATE tokens SET revoked_at = ?1, revoked_why = ?2
                     WHERE revoked_at IS NULL AND {condition}
                       AND token_hash IS DISTINCT FROM CAST(?4 AS TEXT)
                     RETURNING token_hash"
                    ),
                    args![now, why, value, except],
                )
            })?
        };
        self.callers
            .forget_where(|hash, _| ended.iter().any(|ended| ended == hash));
        Ok(ended.len())
    }

    fn tills(&self, shop: Option<Uuid>) -> Result<Vec<Till>, StorageError> {
        // station, shop, name, enrolled, last seen, revoked
        type TillRow = (
            Uuid,
            Uuid,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let rows: Vec<TillRow> = self.read(|db| {
            db.all(
                "SELECT s.id, s.shop_id, s.name, min(t.created_at), max(t.last_used_at),
                    CASE WHEN count(t.revoked_at) = count(*) THEN max(t.revoked_at) END
             FROM stations s JOIN tokens t ON t.station_id = s.id
             WHERE CAST(?1 AS TEXT) IS NULL OR s.shop_id = ?1
             GROUP BY s.id ORDER BY s.name, s.id",
                args![shop],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(station_id, shop_id, name, enrolled_at, last_seen_at, revoked_at)| Till {
                    station_id,
                    shop_id,
                    name,
                    enrolled_at,
                    last_seen_at,
                    revoked_at,
                },
            )
            .collect())
    }

    fn sessions(
        &self,
        shop: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StaffSession>, StorageError> {
        type SessionRow = (
            String,
            Uuid,
            String,
            String,
            String,
            Option<Uuid>,
            DateTime<Utc>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<String>,
        );
        let rows: Vec<SessionRow> = self.read(|db| {
            db.all(
                "SELECT t.token_hash, u.id, u.name, u.email, u.role, u.shop_id, t.created_at,
                    coalesce(t.last_used_at, t.created_at), t.ends_by, t.address
             FROM tokens t JOIN users u ON u.id = t.user_id
             WHERE t.revoked_at IS NULL AND (t.ends_by IS NULL OR t.ends_by > ?2)
               AND (CAST(?1 AS TEXT) IS NULL OR u.shop_id = ?1)
             ORDER BY 8 DESC",
                args![shop, now],
            )
        })?;
        rows.into_iter()
            .map(
                |(
                    hash,
                    user_id,
                    name,
                    email,
                    role,
                    shop_id,
                    signed_in_at,
                    last_used_at,
                    ends_by,
                    address,
                )| {
                    Ok(StaffSession {
                        id: session_id(&hash).to_owned(),
                        user_id,
                        name,
                        email,
                        role: role_of(&role)?,
                        shop_id,
                        signed_in_at,
                        last_used_at,
                        ends_by: ends_by.unwrap_or(signed_in_at),
                        address,
                        current: false,
                    })
                },
            )
            .collect()
    }

    fn set_active(&self, user: Uuid, active: bool) -> Result<(), StorageError> {
        let changed = self.write(|db| {
            db.run(
                "UPDATE users SET active = ?2 WHERE id = ?1",
                args![user, active],
            )
        })?;
        if changed == 0 {
            return Err(not_found(user));
        }
        Ok(())
    }

    fn set_password_hash(&self, user: Uuid, hash: &str) -> Result<(), StorageError> {
        let changed = self.write(|db| {
            db.run(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                args![user, hash],
            )
        })?;
        if changed == 0 {
            return Err(not_found(user));
        }
        Ok(())
    }

    fn begin_two_factor(&self, user: Uuid, secret: &[u8]) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE users SET totp_pending = ?2 WHERE id = ?1",
                args![user, secret],
            )
        })?;
        Ok(())
    }

    fn confirm_two_factor(
        &self,
        user: Uuid,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<(), StorageError> {
        self.write(|db| {
            let confirmed = db.run(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?2
             WHERE id = ?1 AND totp_pending IS NOT NULL",
            args![user, step],
        )?;
            if confirmed == 0 {
                return Err(StorageError::Conflict(
                    "no two-factor set-up is waiting for a code; start it again".into(),
                ));
            }
            db.run("DELETE FROM recovery_codes WHERE user_id = ?1", args![user])?;
            for hash in recovery_hashes {
                db.run(
                    "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)",
                    args![user, hash],
                )?;
            }
            Ok(())
        })
    }

    fn end_two_factor(&self, user: Uuid) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
             WHERE id = ?1",
                args![user],
            )?;
            db.run("DELETE FROM recovery_codes WHERE user_id = ?1", args![user])?;
            Ok(())
        })
    }

    fn use_totp_step(&self, user: Uuid, step: i64) -> Result<bool, StorageError> {
        let accepted = self.write(|db| {
            db.run(
                "UPDATE users SET totp_last_step = ?2
             WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                args![user, step],
            )
        })?;
        Ok(accepted == 1)
    }

    fn use_recovery_code(&self, user: Uuid, hash: &str) -> Result<bool, StorageError> {
        let used = self.write(|db| {
            db.run(
                "DELETE FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2",
                args![user, hash],
            )
        })?;
        Ok(used == 1)
    }

    fn security_policy(&self) -> Result<SecurityPolicy, StorageError> {
        let required: Option<String> = self.read(|db| {
            db.row(
                "SELECT value FROM security_settings WHERE key = ?1",
                args![TWO_FACTOR_POLICY],
            )
        })?;
        Ok(SecurityPolicy {
            two_factor_for_vendor_staff: required.as_deref() == Some("true"),
        })
    }

    fn set_security_policy(&self, policy: &SecurityPolicy) -> Result<(), StorageError> {
        self.write(|db| {
            db.run(
                "INSERT INTO security_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                args![
                    TWO_FACTOR_POLICY,
                    policy.two_factor_for_vendor_staff.to_string()
                ],
            )
        })?;
        Ok(())
    }

    fn log_security(&self, note: SecurityNote, now: DateTime<Utc>) -> Result<(), StorageError> {
        self.write_leaving_callers(|db| {
            db.run(
                "INSERT INTO security_log (at, kind, subject, shop_id, actor, address, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![
                    now,
                    note.kind,
                    note.subject,
                    note.shop_id,
                    note.actor,
                    note.address,
                    note.detail
                ],
            )
        })?;
        Ok(())
    }

    fn security_log(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<SecurityEvent>, StorageError> {
        type LogRow = (
            i64,
            DateTime<Utc>,
            String,
            String,
            Option<Uuid>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<LogRow> = self.read(|db| {
            db.all(
                "SELECT id, at, kind, subject, shop_id, actor, address, detail FROM security_log
             WHERE CAST(?1 AS BIGINT) IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2",
                args![before, i64::try_from(limit).unwrap_or(i64::MAX)],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(id, at, kind, subject, shop_id, actor, address, detail)| SecurityEvent {
                    id,
                    at,
                    kind,
                    subject,
                    shop_id,
                    actor,
                    address,
                    detail,
                },
            )
            .collect())
    }
}
