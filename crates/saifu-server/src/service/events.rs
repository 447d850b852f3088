//! The wallet's events as they happen, for its devices' streams.

use futures_util::Stream;
use saifu_api::WalletEvent;
use tokio::sync::broadcast::error::RecvError;

use super::{Service, SignedRequest};

/// What a device's stream carries.
#[derive(Clone, Debug)]
pub enum Pushed {
    Event(Box<WalletEvent>),
    /// This many events were missed: the device refreshes what it shows.
    Lagged(u64),
}

impl Service {
    /// The asking wallet's events from now on, until the service closes.
    pub fn events(&self, request: SignedRequest) -> impl Stream<Item = Pushed> + Send + use<> {
        let wallet_id = request.device.wallet_id;
        futures_util::stream::unfold(self.subscribe(), move |(mut events, mut closing)| {
            let wallet_id = wallet_id.clone();
            async move {
                loop {
                    let received = tokio::select! {
                        received = events.recv() => received,
                        _ = closing.wait_for(|closing| *closing) => return None,
                    };
                    let pushed = match received {
                        Ok((wallet, event)) if wallet == wallet_id => {
                            Pushed::Event(Box::new(event))
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(missed)) => Pushed::Lagged(missed),
                        Err(RecvError::Closed) => return None,
                    };
                    return Some((pushed, (events, closing)));
                }
            }
        })
    }
}
