//! The wallet's server-sent events: payments, top-ups, cards and devices, as they happen.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use saifu_api::{ErrorResponse, WalletEvent};

use crate::service::{Pushed, Service, SignedRequest};

#[utoipa::path(get, path = "/v1/events", responses((status = 200, description = "Server-sent events, each a WalletEvent named by its type", content_type = "text/event-stream", body = WalletEvent), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn stream(
    State(service): State<Service>,
    request: SignedRequest,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = service.events(request).map(|pushed| {
        Ok(match pushed {
            Pushed::Event(event) => Event::default()
                .event(event.name())
                .json_data(&*event)
                .unwrap_or_default(),
            Pushed::Lagged(missed) => Event::default().event("lagged").data(missed.to_string()),
        })
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
