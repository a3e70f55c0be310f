//! Accounts, sessions, tills and the security log in SQLite. A session's public id is the
//! first half of its token's hash: it names the session and opens nothing.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use stationdesk_protocol::{SecurityEvent, SecurityPolicy, StaffSession, Till};
use uuid::Uuid;

use super::{role_of, utc_text, uuid_of, SqliteStorage};
use crate::accounts::{random_secret, secret_hash};
use crate::storage::{
    Account, AccountBook, Caller, Ending, SecurityNote, StorageError, TokenState,
};

const SESSION_ID_LEN: usize = 32;
const TWO_FACTOR_POLICY: &str = "two_factor_for_vendor_staff";

fn session_id(token_hash: &str) -> &str {
    &token_hash[..SESSION_ID_LEN]
}

/// Whose the token with this hash is, or why it stopped working.
pub(super) fn token_state(conn: &Connection, hash: &str) -> Result<TokenState, StorageError> {
    // account, role, shop, station, name, named contact, last used, ends by, setup only,
    // revoked why
    type TokenRow = (
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        bool,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        bool,
        Option<String>,
    );
    let found: Option<TokenRow> = conn
        .prepare_cached(
            "SELECT coalesce(t.station_id, t.user_id), t.role, t.shop_id, t.station_id, t.name,
                    coalesce(u.named_contact, 0), coalesce(t.last_used_at, t.created_at),
                    t.ends_by, t.setup_only,
                    CASE WHEN t.revoked_at IS NULL THEN NULL ELSE coalesce(t.revoked_why, 'revoked') END
             FROM tokens t LEFT JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1",
        )?
        .query_row([hash], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .optional()?;
    let Some((
        account,
        role,
        shop,
        station,
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
            station: station.is_some(),
        });
    }
    Ok(TokenState::Active(Caller {
        account: uuid_of(Some(account))?.expect("selected"),
        role: role_of(&role)?,
        shop_id: uuid_of(shop)?,
        station_id: uuid_of(station)?,
        name,
        named_contact,
        last_used_at,
        ends_by,
        setup_only,
    }))
}

fn account_where(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> Result<Option<Account>, StorageError> {
    type AccountRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        bool,
        String,
        bool,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let row: Option<AccountRow> = conn
        .query_row(
            &format!(
                "SELECT id, email, name, role, shop_id, named_contact, password_hash, active,
                        totp_secret, totp_pending
                 FROM users WHERE {condition}"
            ),
            [value],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            },
        )
        .optional()?;
    let Some((id, email, name, role, shop, named_contact, password_hash, active, secret, pending)) =
        row
    else {
        return Ok(None);
    };
    Ok(Some(Account {
        id: uuid_of(Some(id))?.expect("selected"),
        email,
        name,
        role: role_of(&role)?,
        shop_id: uuid_of(shop)?,
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

impl AccountBook for SqliteStorage {
    fn account_by_email(&self, email: &str) -> Result<Option<Account>, StorageError> {
        account_where(&self.conn(), "email = ?1", email.trim())
    }

    fn account(&self, id: Uuid) -> Result<Option<Account>, StorageError> {
        account_where(&self.conn(), "id = ?1", &id.to_string())
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
        self.conn().execute(
            "INSERT INTO tokens (token_hash, role, shop_id, user_id, name, created_at,
                                 last_used_at, ends_by, address, setup_only)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)",
            params![
                secret_hash(&token),
                account.role.as_str(),
                account.shop_id.map(|s| s.to_string()),
                account.id.to_string(),
                account.name,
                utc_text(now),
                utc_text(ends_by),
                address,
                setup_only,
            ],
        )?;
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
        self.conn().execute(
            "UPDATE tokens SET last_used_at = ?2 WHERE token_hash = ?1",
            params![secret_hash(token), utc_text(now)],
        )?;
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
            let conn = self.conn();
            let mut stmt = conn.prepare(&format!(
                "UPDATE tokens SET revoked_at = ?1, revoked_why = ?2
                 WHERE revoked_at IS NULL AND {condition} AND token_hash IS NOT ?4
                 RETURNING token_hash"
            ))?;
            let params = params![utc_text(now), why, value, except];
            let hashes = stmt.query_map(params, |r| r.get(0))?;
            hashes.collect::<Result<_, _>>()?
        };
        self.callers
            .forget_where(|hash, _| ended.iter().any(|ended| ended == hash));
        Ok(ended.len())
    }

    fn tills(&self, shop: Option<Uuid>) -> Result<Vec<Till>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.id, s.shop_id, s.name, min(t.created_at), max(t.last_used_at),
                    CASE WHEN count(t.revoked_at) = count(*) THEN max(t.revoked_at) END
             FROM stations s JOIN tokens t ON t.station_id = s.id
             WHERE ?1 IS NULL OR s.shop_id = ?1
             GROUP BY s.id ORDER BY s.name, s.id",
        )?;
        let rows = stmt.query_map([shop.map(|s| s.to_string())], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.map(|row| {
            let (station, shop, name, enrolled_at, last_seen_at, revoked_at) = row?;
            Ok(Till {
                station_id: uuid_of(Some(station))?.expect("selected"),
                shop_id: uuid_of(Some(shop))?.expect("selected"),
                name,
                enrolled_at,
                last_seen_at,
                revoked_at,
            })
        })
        .collect()
    }

    fn sessions(
        &self,
        shop: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StaffSession>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT t.token_hash, u.id, u.name, u.email, u.role, u.shop_id, t.created_at,
                    coalesce(t.last_used_at, t.created_at), t.ends_by, t.address
             FROM tokens t JOIN users u ON u.id = t.user_id
             WHERE t.revoked_at IS NULL AND (t.ends_by IS NULL OR t.ends_by > ?2)
               AND (?1 IS NULL OR u.shop_id = ?1)
             ORDER BY 8 DESC",
        )?;
        let rows = stmt.query_map(params![shop.map(|s| s.to_string()), utc_text(now)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get::<_, Option<DateTime<Utc>>>(8)?,
                r.get(9)?,
            ))
        })?;
        rows.map(|row| {
            let (hash, user, name, email, role, shop, signed_in_at, last_used_at, ends_by, address) =
                row?;
            Ok(StaffSession {
                id: session_id(&hash).to_owned(),
                user_id: uuid_of(Some(user))?.expect("selected"),
                name,
                email,
                role: role_of(&role)?,
                shop_id: uuid_of(shop)?,
                signed_in_at,
                last_used_at,
                ends_by: ends_by.unwrap_or(signed_in_at),
                address,
                current: false,
            })
        })
        .collect()
    }

    fn set_active(&self, user: Uuid, active: bool) -> Result<(), StorageError> {
        let changed = self.conn().execute(
            "UPDATE users SET active = ?2 WHERE id = ?1",
            params![user.to_string(), active],
        )?;
        if changed == 0 {
            return Err(not_found(user));
        }
        Ok(())
    }

    fn set_password_hash(&self, user: Uuid, hash: &str) -> Result<(), StorageError> {
        let changed = self.conn().execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![user.to_string(), hash],
        )?;
        if changed == 0 {
            return Err(not_found(user));
        }
        Ok(())
    }

    fn begin_two_factor(&self, user: Uuid, secret: &[u8]) -> Result<(), StorageError> {
        self.conn().execute(
            "UPDATE users SET totp_pending = ?2 WHERE id = ?1",
            params![user.to_string(), secret],
        )?;
        Ok(())
    }

    fn confirm_two_factor(
        &self,
        user: Uuid,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<(), StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let confirmed = tx.execute(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?2
             WHERE id = ?1 AND totp_pending IS NOT NULL",
            params![user.to_string(), step],
        )?;
        if confirmed == 0 {
            return Err(StorageError::Conflict(
                "no two-factor set-up is waiting for a code; start it again".into(),
            ));
        }
        tx.execute(
            "DELETE FROM recovery_codes WHERE user_id = ?1",
            [user.to_string()],
        )?;
        for hash in recovery_hashes {
            tx.execute(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)",
                params![user.to_string(), hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn end_two_factor(&self, user: Uuid) -> Result<(), StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
             WHERE id = ?1",
            [user.to_string()],
        )?;
        tx.execute(
            "DELETE FROM recovery_codes WHERE user_id = ?1",
            [user.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn use_totp_step(&self, user: Uuid, step: i64) -> Result<bool, StorageError> {
        let accepted = self.conn().execute(
            "UPDATE users SET totp_last_step = ?2
             WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
            params![user.to_string(), step],
        )?;
        Ok(accepted == 1)
    }

    fn use_recovery_code(&self, user: Uuid, hash: &str) -> Result<bool, StorageError> {
        let used = self.conn().execute(
            "DELETE FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2",
            params![user.to_string(), hash],
        )?;
        Ok(used == 1)
    }

    fn security_policy(&self) -> Result<SecurityPolicy, StorageError> {
        let required: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM security_settings WHERE key = ?1",
                [TWO_FACTOR_POLICY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(SecurityPolicy {
            two_factor_for_vendor_staff: required.as_deref() == Some("true"),
        })
    }

    fn set_security_policy(&self, policy: &SecurityPolicy) -> Result<(), StorageError> {
        self.conn().execute(
            "INSERT INTO security_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![
                TWO_FACTOR_POLICY,
                policy.two_factor_for_vendor_staff.to_string()
            ],
        )?;
        Ok(())
    }

    fn log_security(&self, note: SecurityNote, now: DateTime<Utc>) -> Result<(), StorageError> {
        self.conn().execute(
            "INSERT INTO security_log (at, kind, subject, shop_id, actor, address, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                utc_text(now),
                note.kind,
                note.subject,
                note.shop_id.map(|s| s.to_string()),
                note.actor,
                note.address,
                note.detail
            ],
        )?;
        Ok(())
    }

    fn security_log(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<SecurityEvent>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, kind, subject, shop_id, actor, address, detail FROM security_log
             WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![before, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )?;
        rows.map(|row| {
            let (id, at, kind, subject, shop, actor, address, detail) = row?;
            Ok(SecurityEvent {
                id,
                at,
                kind,
                subject,
                shop_id: uuid_of(shop)?,
                actor,
                address,
                detail,
            })
        })
        .collect()
    }
}
