//! Saifu's reference wallet service: devices that sign every request, their wallets, the
//! merchants they pay and the promotions that discount those payments. SQLite by default,
//! PostgreSQL by URL.

pub mod db;
pub mod demo;
mod error;
mod issuer;
pub mod ledger;
pub mod promotions;
mod routes;
mod signed;

use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use saifu_api::WalletEvent;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, broadcast, watch};

pub use db::Db;
pub use error::ApiError;

/// How many wallet events may wait for a slow listener before it is told it lagged.
const EVENT_BUFFER: usize = 256;

/// How many payments and top-ups are checked and written at once; more wait their turn.
/// Their commits are serial on SQLite (and share the pool on PostgreSQL): letting every
/// request verify its signature meanwhile only takes the cores from the commits, and on
/// two cores halved the rate at 32 clients. Eight fill a batch of commits.
const MONEY_MOVES_AT_ONCE: usize = 8;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    /// Every wallet's events; each listener keeps its own wallet's.
    events: broadcast::Sender<(String, WalletEvent)>,
    /// Turns true when the service shuts down, ending the event streams.
    closing: watch::Receiver<bool>,
    /// Permits for payments and top-ups under way: [`MONEY_MOVES_AT_ONCE`].
    money_moves: Arc<Semaphore>,
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
            events: broadcast::channel(EVENT_BUFFER).0,
            closing: watch::channel(false).1,
            money_moves: Arc::new(Semaphore::new(MONEY_MOVES_AT_ONCE)),
        }
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Tells the wallet's listening devices; nobody listening is fine.
    pub fn publish(&self, wallet_id: &str, event: WalletEvent) {
        let _ = self.events.send((wallet_id.to_owned(), event));
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
    mut state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closing, closed) = watch::channel(false);
    state.closing = closed;
    // Event streams never end by themselves: close them, or shutting down would wait forever.
    let shutdown = async move {
        shutdown.await;
        let _ = closing.send(true);
    };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
