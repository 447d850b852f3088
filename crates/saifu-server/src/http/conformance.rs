//! For tests (feature `testing`): every response the router gives, seen whole by a check.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

/// What a check sees of one exchange.
pub struct Exchange<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// `None` for a stream (server-sent events), which is never read whole.
    pub body: Option<&'a [u8]>,
}

pub type Check = Arc<dyn Fn(Exchange<'_>) + Send + Sync>;

/// `router` with every response handed to `check` before it is sent.
pub fn checked(router: Router, check: Check) -> Router {
    router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let check = check.clone();
        async move {
            let method = request.method().as_str().to_owned();
            let path = request.uri().path().to_owned();
            // The console's files are no part of the API.
            if path == "/merchant" || path.starts_with("/merchant/") {
                return next.run(request).await;
            }
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let content_type = parts
                .headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            let streamed = content_type
                .as_deref()
                .is_some_and(|kind| kind.starts_with("text/event-stream"));
            let exchange = |body| Exchange {
                method: &method,
                path: &path,
                status: parts.status.as_u16(),
                content_type: content_type.as_deref(),
                body,
            };
            if streamed {
                check(exchange(None));
                return Response::from_parts(parts, body);
            }
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            check(exchange(Some(&bytes)));
            Response::from_parts(parts, Body::from(bytes))
        }
    }))
}
