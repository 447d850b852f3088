//! Events as they happen: a wallet's for its devices' streams, a shop's for its tills'.

use futures_util::Stream;
use saifu_api::{FeedEntry, WalletEvent};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

use super::{Service, SignedRequest, SignedTillRequest};

/// What a device's or a till's stream carries.
#[derive(Clone, Debug)]
pub enum Pushed<E> {
    Event(Box<E>),
    /// This many events were missed: the listener refreshes what it shows.
    Lagged(u64),
}

impl Service {
    /// The asking wallet's events from now on, until the service closes.
    pub fn events(
        &self,
        request: SignedRequest,
    ) -> impl Stream<Item = Pushed<WalletEvent>> + Send + use<> {
        let (events, closing) = self.subscribe();
        only_for(request.device.wallet_id, events, closing)
    }

    /// The asking till's shop's payments and refunds from now on, until the service closes.
    pub fn shop_events(
        &self,
        request: SignedTillRequest,
    ) -> impl Stream<Item = Pushed<FeedEntry>> + Send + use<> {
        let (events, closing) = self.subscribe_shops();
        only_for(request.till.merchant_id, events, closing)
    }
}

/// The events of `events` addressed to `whose`, until `closing` turns true.
fn only_for<E: Clone + Send + 'static>(
    whose: String,
    events: broadcast::Receiver<(String, E)>,
    closing: watch::Receiver<bool>,
) -> impl Stream<Item = Pushed<E>> + Send {
    futures_util::stream::unfold((events, closing), move |(mut events, mut closing)| {
        let whose = whose.clone();
        async move {
            loop {
                let received = tokio::select! {
                    received = events.recv() => received,
                    _ = closing.wait_for(|closing| *closing) => return None,
                };
                let pushed = match received {
                    Ok((to, event)) if to == whose => Pushed::Event(Box::new(event)),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => Pushed::Lagged(missed),
                    Err(RecvError::Closed) => return None,
                };
                return Some((pushed, (events, closing)));
            }
        }
    })
}
