//! The service's use cases, testable without HTTP: wallets and devices, cards and their
//! issuer, quotes, payments, top-ups, history, promotions. Each takes what a request
//! carries, checks it against saifu-core's rules, moves money through the ledger, writes
//! through the store, publishes the wallet's events and answers with wire types or a
//! [`ServiceError`].

mod auth;
mod cards;
mod codes;
mod error;
mod events;
mod history;
mod issuer;
mod lost_mode;
mod money;
mod pay_codes;
mod promotions;
mod quotes;
mod refunds;
mod shop;
mod tills;
mod wallets;

pub use auth::{
    RawSignedRequest, SignedRequest, SignedTillRequest, SignedWhileSuspended, SignedWrite,
};
pub use error::ServiceError;
pub use events::Pushed;
pub use issuer::{Issuer, IssuerDecision, SandboxIssuer};
pub use money::IdempotencyKey;
pub use pay_codes::CONFIRM_SECONDS;
pub use promotions::{COUPON_SECONDS, CampaignError, upsert_campaign};
pub use refunds::REFUND_WINDOW_SECONDS;
pub use shop::Period;
pub use tills::INVITE_SECONDS;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use saifu_api::{FeedEntry, WalletEvent};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};

use crate::store::Store;

/// How many wallet events may wait for a slow listener before it is told it lagged.
const EVENT_BUFFER: usize = 256;

/// How many payments and top-ups are checked and written at once; more wait their turn.
/// Their commits are serial on SQLite (and share the pool on PostgreSQL): letting every
/// request verify its signature meanwhile only takes the cores from the commits, and on
/// two cores halved the rate at 32 clients. Eight fill a batch of commits.
const MONEY_MOVES_AT_ONCE: usize = 8;

/// The service: its store, clock, card issuer and the wallets' event channel.
#[derive(Clone)]
pub struct Service {
    store: Store,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    issuer: Arc<dyn Issuer>,
    /// Every wallet's events; each listener keeps its own wallet's.
    events: broadcast::Sender<(String, WalletEvent)>,
    /// Every shop's payments and refunds; each till keeps its own shop's.
    shop_events: broadcast::Sender<(String, FeedEntry)>,
    /// Turns true when the service shuts down, ending the event streams.
    closing: watch::Receiver<bool>,
    /// Permits for payments and top-ups under way: [`MONEY_MOVES_AT_ONCE`].
    money_moves: Arc<Semaphore>,
    /// Pay-code charges waiting for their customer to confirm.
    waiting: pay_codes::WaitingCharges,
    /// How long such a charge waits: [`CONFIRM_SECONDS`], shorter in tests.
    confirm_within: std::time::Duration,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Service {
    pub fn new(store: Store) -> Self {
        Self::with_clock(store, unix_now)
    }

    /// A service whose clock is `clock` (Unix seconds), for tests of time windows.
    pub fn with_clock(store: Store, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            store,
            clock: Arc::new(clock),
            issuer: Arc::new(SandboxIssuer),
            events: broadcast::channel(EVENT_BUFFER).0,
            shop_events: broadcast::channel(EVENT_BUFFER).0,
            closing: watch::channel(false).1,
            money_moves: Arc::new(Semaphore::new(MONEY_MOVES_AT_ONCE)),
            waiting: Arc::default(),
            confirm_within: std::time::Duration::from_secs(CONFIRM_SECONDS),
        }
    }

    /// A charge of a pay code above the no-PIN limit waits `within` for its customer.
    pub fn confirm_within(mut self, within: std::time::Duration) -> Self {
        self.confirm_within = within;
        self
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Ends the event streams when `closing` turns true.
    pub fn close_with(&mut self, closing: watch::Receiver<bool>) {
        self.closing = closing;
    }

    /// Every wallet's events from now on, and the signal that the service is closing.
    fn subscribe(
        &self,
    ) -> (
        broadcast::Receiver<(String, WalletEvent)>,
        watch::Receiver<bool>,
    ) {
        (self.events.subscribe(), self.closing.clone())
    }

    /// Every shop's feed from now on, and the signal that the service is closing.
    fn subscribe_shops(
        &self,
    ) -> (
        broadcast::Receiver<(String, FeedEntry)>,
        watch::Receiver<bool>,
    ) {
        (self.shop_events.subscribe(), self.closing.clone())
    }

    /// Tells the shop's listening tills; nobody listening is fine.
    fn publish_to_shop(&self, merchant_id: &str, entry: FeedEntry) {
        let _ = self.shop_events.send((merchant_id.to_owned(), entry));
    }

    /// Tells the wallet's listening devices; nobody listening is fine.
    fn publish(&self, wallet_id: &str, event: WalletEvent) {
        let _ = self.events.send((wallet_id.to_owned(), event));
    }

    /// A turn to check and write a payment or top-up ([`MONEY_MOVES_AT_ONCE`]).
    pub async fn money_move_permit(&self) -> Result<OwnedSemaphorePermit, ServiceError> {
        self.money_moves
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| ServiceError::internal("the money-move permits are closed", error))
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Fills `buffer` from the operating system's randomness.
fn random_bytes(buffer: &mut [u8]) -> Result<(), ServiceError> {
    getrandom::fill(buffer)
        .map_err(|error| ServiceError::internal("no randomness from the operating system", error))
}

/// `bytes` random bytes as base64url: ids and challenges nobody can guess.
fn random_token(bytes: usize) -> Result<String, ServiceError> {
    let mut buffer = vec![0_u8; bytes];
    random_bytes(&mut buffer)?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
