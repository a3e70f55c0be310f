//! When to sync next: soon after a write, regularly while all is well, and after a failure
//! with exponential backoff and jitter, so a thousand tills that lost the server at the same
//! moment do not all knock at once when it comes back.

use std::time::Duration;

/// The regular interval while sync works.
pub const INTERVAL: Duration = Duration::from_secs(30);
const FIRST_RETRY: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// The wait before the next try after `failures` failures in a row (0: all is well), with
/// `jitter` in [0, 1) spreading it by up to a fifth either way.
pub fn next_try(failures: u32, jitter: f64) -> Duration {
    let base = if failures == 0 {
        INTERVAL
    } else {
        FIRST_RETRY
            .saturating_mul(1u32.checked_shl(failures - 1).unwrap_or(u32::MAX))
            .min(LONGEST_WAIT)
    };
    base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_each_failure_up_to_five_minutes() {
        let middle = |failures| next_try(failures, 0.5);
        assert_eq!(middle(0), INTERVAL);
        assert_eq!(middle(1), Duration::from_secs(2));
        assert_eq!(middle(2), Duration::from_secs(4));
        assert_eq!(middle(5), Duration::from_secs(32));
        assert_eq!(middle(9), LONGEST_WAIT);
        assert_eq!(middle(200), LONGEST_WAIT);
    }

    #[test]
    fn jitter_spreads_by_a_fifth_either_way() {
        assert_eq!(next_try(3, 0.0), Duration::from_millis(6400));
        assert_eq!(next_try(3, 1.0), Duration::from_millis(9600));
        assert_eq!(next_try(3, 7.0), Duration::from_millis(9600), "clamped");
    }
}
