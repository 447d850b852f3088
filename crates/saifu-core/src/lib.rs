//! Saifu's domain, shared by the app, the UI and the service.
//!
//! Pure: no IO, no clocks, no randomness, so every rule here is testable in isolation and
//! builds for `wasm32-unknown-unknown`.

pub mod auth;
pub mod card;
pub mod code;
#[cfg(feature = "draw")]
pub mod draw;
pub mod money;
pub mod paycode;
pub mod promo;
pub mod qr;
pub mod time;

/// Version of this crate, shown in the app's About panel next to the app's own.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
