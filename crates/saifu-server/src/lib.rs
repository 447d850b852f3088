//! Saifu's reference wallet service: devices that sign every request, their wallets, and
//! the merchants they pay. SQLite by default, PostgreSQL by URL.

pub mod db;
pub mod demo;
mod error;
mod issuer;
pub mod ledger;
mod routes;
mod signed;

use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use tokio::net::TcpListener;

pub use db::Db;
pub use error::ApiError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(db: Db) -> Self {
        Self::with_clock(db, unix_now)
    }

    /// A state whose clock is `clock` (Unix seconds), for tests of time windows.
    pub fn with_clock(db: Db, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            db,
            clock: Arc::new(clock),
        }
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

pub fn router(state: AppState) -> Router {
    routes::router().with_state(state)
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests under way.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
