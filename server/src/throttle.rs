//! Failed sign-ins slow down whoever makes them: per account (so guessing one person's password
//! is slow) and per client address (so guessing many accounts' passwords is slow too). The
//! back-off doubles with each failure past a few free ones; an account's is capped at a minute,
//! so an attacker cannot keep a real user out for long, an address's at a quarter hour. A
//! right password ends the account's back-off. Kept in memory: a restart forgets it, which
//! costs an attacker nothing they could not get by waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ACCOUNT_FREE: u32 = 5;
const ACCOUNT_MAX_WAIT: Duration = Duration::from_secs(60);
const ADDRESS_FREE: u32 = 20;
const ADDRESS_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Failures this old no longer count.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Past this many entries, old ones are dropped (an attacker trying a million addresses).
const PRUNE_ABOVE: usize = 10_000;

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Default)]
pub struct Throttle(Mutex<HashMap<Key, Failures>>);

fn keys(email: &str, address: Option<IpAddr>) -> impl Iterator<Item = (Key, u32, Duration)> {
    let account = (
        Key::Account(email.trim().to_lowercase()),
        ACCOUNT_FREE,
        ACCOUNT_MAX_WAIT,
    );
    let address = address.map(|ip| (Key::Address(ip), ADDRESS_FREE, ADDRESS_MAX_WAIT));
    std::iter::once(account).chain(address)
}

fn back_off(count: u32, free: u32, max: Duration) -> Duration {
    if count < free {
        return Duration::ZERO;
    }
    let doublings = (count - free).min(20);
    Duration::from_secs(1u64 << doublings).min(max)
}

impl Throttle {
    /// How long to wait before the next attempt for this account from this address; `None`:
    /// it may be tried now.
    pub fn wait(&self, email: &str, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let failures = self.0.lock().unwrap_or_else(|p| p.into_inner());
        keys(email, address)
            .filter_map(|(key, free, max)| {
                let seen = failures.get(&key)?;
                let since = now.saturating_duration_since(seen.last);
                if since >= FORGET_AFTER {
                    return None;
                }
                back_off(seen.count, free, max).checked_sub(since)
            })
            .filter(|wait| !wait.is_zero())
            .max()
    }

    pub fn failed(&self, email: &str, address: Option<IpAddr>, now: Instant) {
        let mut failures = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, seen| now.saturating_duration_since(seen.last) < FORGET_AFTER);
        }
        for (key, _, _) in keys(email, address) {
            let seen = failures.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.saturating_duration_since(seen.last) >= FORGET_AFTER {
                seen.count = 0;
            }
            seen.count += 1;
            seen.last = now;
        }
    }

    /// The account's back-off ends; the address's does not (one good account must not clear
    /// the way for guessing others).
    pub fn succeeded(&self, email: &str) {
        let mut failures = self.0.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&Key::Account(email.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));

    #[test]
    fn five_failures_are_free_then_each_doubles_the_wait_up_to_a_minute() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..ACCOUNT_FREE {
            assert_eq!(throttle.wait("a@shop.de", HOME, start), None);
            throttle.failed("a@shop.de", HOME, start);
        }
        assert_eq!(
            throttle.wait("A@Shop.de ", HOME, start),
            Some(Duration::from_secs(1))
        );
        assert_eq!(throttle.wait("other@shop.de", HOME, start), None);
        let later = start + Duration::from_secs(1);
        assert_eq!(throttle.wait("a@shop.de", HOME, later), None);
        throttle.failed("a@shop.de", HOME, later);
        assert_eq!(
            throttle.wait("a@shop.de", HOME, later),
            Some(Duration::from_secs(2))
        );
        for _ in 0..30 {
            throttle.failed("a@shop.de", None, later);
        }
        assert_eq!(
            throttle.wait("a@shop.de", None, later),
            Some(ACCOUNT_MAX_WAIT)
        );
        throttle.succeeded("a@shop.de");
        assert_eq!(throttle.wait("a@shop.de", None, later), None);
        assert_eq!(throttle.wait("a@shop.de", None, later + FORGET_AFTER), None);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_slowed_for_all_of_them() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for n in 0..ADDRESS_FREE {
            throttle.failed(&format!("guess{n}@shop.de"), HOME, now);
        }
        assert_eq!(
            throttle.wait("fresh@shop.de", HOME, now),
            Some(Duration::from_secs(1))
        );
        assert_eq!(throttle.wait("fresh@shop.de", None, now), None);
        throttle.succeeded("guess1@shop.de");
        assert!(throttle.wait("fresh@shop.de", HOME, now).is_some());
    }
}
