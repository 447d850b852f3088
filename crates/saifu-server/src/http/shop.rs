//! The shop's money as its tills see it: the feed (a page at a time, and live), the day's,
//! week's and month's takings, and an owner's statement as CSV.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use saifu_api::{ErrorResponse, Feed, FeedEntry, Summary};
use serde::Deserialize;

use crate::service::{Period, Pushed, Service, ServiceError, SignedTillRequest};

#[derive(Debug, Deserialize)]
pub(super) struct FeedQuery {
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/merchant/feed", params(("cursor" = Option<String>, Query)), responses((status = 200, body = Feed), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn feed(
    State(service): State<Service>,
    Query(query): Query<FeedQuery>,
    request: SignedTillRequest,
) -> Result<Json<Feed>, ServiceError> {
    Ok(Json(service.feed(request, query.cursor).await?))
}

/// Each payment and refund of the shop as it commits, named `payment` or `refund`; after a
/// `lagged` event, or a lost connection, the feed's first page fills the gap.
#[utoipa::path(get, path = "/v1/merchant/events", responses((status = 200, description = "Server-sent events, each a FeedEntry named by its kind", content_type = "text/event-stream", body = FeedEntry), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn events(
    State(service): State<Service>,
    request: SignedTillRequest,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = service.shop_events(request).map(|pushed| {
        Ok(match pushed {
            Pushed::Event(entry) => {
                let name = match *entry {
                    FeedEntry::Payment { .. } => "payment",
                    FeedEntry::Refund { .. } => "refund",
                };
                Event::default()
                    .event(name)
                    .json_data(&*entry)
                    .unwrap_or_default()
            }
            Pushed::Lagged(missed) => Event::default().event("lagged").data(missed.to_string()),
        })
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

#[utoipa::path(get, path = "/v1/merchant/summary", responses((status = 200, body = Summary), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn summary(
    State(service): State<Service>,
    request: SignedTillRequest,
) -> Result<Json<Summary>, ServiceError> {
    Ok(Json(service.summary(request).await?))
}

#[derive(Debug, Deserialize)]
pub(super) struct StatementQuery {
    day: Option<String>,
    month: Option<String>,
}

/// One line per payment and refund, oldest first, then the totals: an owner's till only.
#[utoipa::path(get, path = "/v1/merchant/statement", params(("day" = Option<String>, Query, description = "YYYY-MM-DD"), ("month" = Option<String>, Query, description = "YYYY-MM")), responses((status = 200, description = "The statement", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn statement(
    State(service): State<Service>,
    Query(query): Query<StatementQuery>,
    request: SignedTillRequest,
) -> Result<impl IntoResponse, ServiceError> {
    let period = Period::parse(query.day.as_deref(), query.month.as_deref())?;
    let csv = service.statement(request, period).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}
