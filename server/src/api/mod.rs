//! The HTTP API by area, each with its `router()` (handlers with their OpenAPI description);
//! [`crate::routes`] assembles them.

pub mod accounts;
pub mod blobs;
pub mod desk;
pub mod identity;
pub mod mail;
pub mod shops;
pub mod sync;
pub mod vendor;
