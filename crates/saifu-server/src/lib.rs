//! Saifu's reference wallet service: devices that sign every request, their wallets, the
//! merchants they pay and the promotions that discount those payments. SQLite by default,
//! PostgreSQL by URL.
//!
//! Four floors, each using only the ones below it: [`http`] (extract, call one service
//! method, answer), [`service`] (the use cases), [`ledger`] (typed accounts and pure
//! postings) and [`store`] (every SQL string).

pub mod demo;
pub mod http;
pub mod ledger;
pub mod service;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use http::{serve, serve_with};
pub use service::{Service, ServiceError, unix_now};
pub use store::Store;
