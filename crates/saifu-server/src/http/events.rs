//! The wallet's server-sent events: payments, top-ups, cards and devices, as they happen.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use saifu_api::{ErrorResponse, WalletEvent};
use tokio::sync::broadcast::error::RecvError;

use crate::service::{Service, SignedRequest};

#[utoipa::path(get, path = "/v1/events", responses((status = 200, description = "Server-sent events, each a WalletEvent named by its type", content_type = "text/event-stream", body = WalletEvent), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn stream(
    State(service): State<Service>,
    request: SignedRequest,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let wallet_id = request.device.wallet_id;
    let stream =
        futures_util::stream::unfold(service.subscribe(), move |(mut events, mut closing)| {
            let wallet_id = wallet_id.clone();
            async move {
                loop {
                    let received = tokio::select! {
                        received = events.recv() => received,
                        _ = closing.wait_for(|closing| *closing) => return None,
                    };
                    let event = match received {
                        Ok((wallet, event)) if wallet == wallet_id => {
                            let data = serde_json::to_string(&event).ok()?;
                            Event::default().event(event.name()).data(data)
                        }
                        Ok(_) => continue,
                        // Missed events: the device refreshes what it shows.
                        Err(RecvError::Lagged(missed)) => {
                            Event::default().event("lagged").data(missed.to_string())
                        }
                        Err(RecvError::Closed) => return None,
                    };
                    return Some((Ok(event), (events, closing)));
                }
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
