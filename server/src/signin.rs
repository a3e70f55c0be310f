//! Signing in, for every backend alike: throttled per account and address
//! ([`crate::throttle`]), the same Argon2 work for an unknown e-mail address as for a wrong
//! password, one answer for both, two factors where the account has them, and every outcome
//! in the security log.

use std::net::IpAddr;
use std::time::Instant;

use chrono::{DateTime, Utc};
use stationdesk_protocol::Role;

use crate::accounts::{self, SessionLimits};
use crate::error::ApiError;
use crate::storage::{Account, Caller, SecurityNote, Storage};
use crate::throttle::Throttle;
use crate::two_factor;

pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub two_factor_code: Option<&'a str>,
    pub address: Option<IpAddr>,
}

impl Attempt<'_> {
    fn note(&self, kind: &'static str, account: Option<&Account>) -> SecurityNote {
        SecurityNote {
            kind,
            subject: account.map_or_else(|| self.email.trim().to_lowercase(), |a| a.email.clone()),
            shop_id: account.and_then(|a| a.shop_id),
            address: self.address.map(|ip| ip.to_string()),
            ..SecurityNote::default()
        }
    }
}

/// Whether the vendor's two-factor rule holds this account to set up two factors first.
fn must_set_up_two_factor(storage: &dyn Storage, account: &Account) -> Result<bool, ApiError> {
    Ok(account.totp_secret.is_none()
        && matches!(account.role, Role::SupportStaff | Role::VendorAdmin)
        && storage.security_policy()?.two_factor_for_vendor_staff)
}

/// Checks the attempt and opens a session: its token and caller.
pub fn sign_in(
    storage: &dyn Storage,
    throttle: &Throttle,
    limits: SessionLimits,
    attempt: &Attempt<'_>,
    now: DateTime<Utc>,
) -> Result<(String, Caller), ApiError> {
    let clock = Instant::now();
    if let Some(wait) = throttle.wait(attempt.email, attempt.address, clock) {
        let seconds = wait.as_secs_f64().ceil() as u64;
        storage.log_security(attempt.note("throttled", None), now)?;
        return Err(ApiError::Throttled(seconds.max(1)));
    }
    let account = storage.account_by_email(attempt.email)?;
    let hash = match &account {
        Some(account) => account.password_hash.as_str(),
        None => accounts::dummy_hash(),
    };
    let password_right = accounts::password_matches(attempt.password, hash)?;
    let Some(account) = account.filter(|_| password_right) else {
        throttle.failed(attempt.email, attempt.address, clock);
        storage.log_security(attempt.note("sign_in_failed", None), now)?;
        return Err(ApiError::WrongCredentials);
    };
    if !account.active {
        storage.log_security(
            SecurityNote {
                detail: Some("the account is deactivated".into()),
                ..attempt.note("sign_in_failed", Some(&account))
            },
            now,
        )?;
        return Err(ApiError::Forbidden(
            "this account is deactivated; ask your admin to reactivate it".into(),
        ));
    }
    if let Some(secret) = &account.totp_secret {
        let code = attempt
            .two_factor_code
            .filter(|code| !code.trim().is_empty())
            .ok_or(ApiError::TwoFactorRequired)?;
        let by_app = match two_factor::step_of(secret, code, now) {
            Some(step) => storage.use_totp_step(account.id, step)?,
            None => false,
        };
        if !by_app {
            if !storage.use_recovery_code(account.id, &two_factor::recovery_hash(code))? {
                throttle.failed(attempt.email, attempt.address, clock);
                storage.log_security(
                    SecurityNote {
                        detail: Some("wrong or reused two-factor code".into()),
                        ..attempt.note("sign_in_failed", Some(&account))
                    },
                    now,
                )?;
                return Err(ApiError::TwoFactorWrong);
            }
            storage.log_security(attempt.note("recovery_code_used", Some(&account)), now)?;
        }
    }
    throttle.succeeded(attempt.email);
    let setup_only = must_set_up_two_factor(storage, &account)?;
    let address = attempt.address.map(|ip| ip.to_string());
    let session = storage.open_session(
        &account,
        now,
        now + limits.lifetime,
        address.as_deref(),
        setup_only,
    )?;
    storage.log_security(attempt.note("sign_in", Some(&account)), now)?;
    Ok(session)
}
