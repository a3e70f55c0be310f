//! Rules for attachment contents, for every backend: who may go on with an upload, how long an
//! unfinished one is kept, and how much a shop keeps.

use chrono::{DateTime, Duration, Utc};

/// An upload that has not moved for this long may be started again by another device.
pub const STALLED_AFTER: Duration = Duration::minutes(10);
/// Unfinished uploads are thrown away after a day.
pub const UNFINISHED_KEPT: Duration = Duration::hours(24);
/// What one shop's attachment contents may take on the server, unfinished uploads counted at
/// the size they announced.
pub const SHOP_QUOTA: u64 = 2 * 1024 * 1024 * 1024;

pub enum Upload {
    GoOn,
    /// Another device's upload has stalled; this one starts it again.
    TakeOver,
    Refused(String),
}

/// Whether `me` may add to an unfinished upload that `uploader` began and last moved at `moved`.
pub fn may_go_on(uploader: &str, me: &str, moved: DateTime<Utc>, now: DateTime<Utc>) -> Upload {
    if uploader == me {
        Upload::GoOn
    } else if now - moved >= STALLED_AFTER {
        Upload::TakeOver
    } else {
        Upload::Refused(format!(
            "another device of the shop is uploading this content; it goes on from there, or after {} minutes without progress this device may start it again",
            STALLED_AFTER.num_minutes()
        ))
    }
}

/// Whether a new upload of `size` bytes fits beside the `held` bytes the shop keeps.
pub fn within_quota(held: u64, size: u64) -> Result<(), String> {
    if held.saturating_add(size) <= SHOP_QUOTA {
        Ok(())
    } else {
        Err(format!(
            "the shop's attachments on the server take {} MiB of its {} MiB; ask the vendor to make room before attaching more",
            held / 1_048_576,
            SHOP_QUOTA / 1_048_576
        ))
    }
}
