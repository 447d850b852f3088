//! The HTTP floor: one file per resource, each handler extracts, calls one service method
//! and answers. Every refusal, the router's own included (unknown routes, wrong methods,
//! wrong content types, oversized bodies), is JSON `{code, message}`.

mod cards;
#[cfg(feature = "testing")]
pub mod conformance;
mod console;
mod coupons;
mod devices;
mod error;
mod events;
mod history;
mod lost_mode;
mod merchants;
mod pay_codes;
mod payments;
mod promotions;
mod quotes;
mod refunds;
mod shop;
mod signed;
mod tills;
mod top_ups;
mod wallet;
mod wallets;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use saifu_api::{Health, paths};
use tokio::net::TcpListener;
use tokio::sync::watch;
use utoipa::OpenApi;

use crate::service::{Service, ServiceError};

pub use console::with_console;
use signed::MAX_BODY_BYTES;

/// Serves on `listener` until `shutdown` completes, then finishes the requests under way.
pub async fn serve(
    listener: TcpListener,
    service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, service, shutdown, |router| router).await
}

/// [`serve`] with the router wrapped by `wrap` (a test's checks around it).
pub async fn serve_with(
    listener: TcpListener,
    mut service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
    wrap: impl FnOnce(Router) -> Router,
) -> std::io::Result<()> {
    let (closing, closed) = watch::channel(false);
    service.close_with(closed);
    // Event streams never end by themselves: close them, or shutting down would wait forever.
    let shutdown = async move {
        shutdown.await;
        let _ = closing.send(true);
    };
    // Each request knows its peer's address: the lock page's pause is per source.
    let app = wrap(router(service)).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

pub fn router(service: Service) -> Router {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::OPENAPI, get(openapi))
        .route(paths::CHALLENGES, post(wallets::create_challenge))
        .route(paths::WALLETS, post(wallets::create_wallet))
        .route(paths::DEVICES, get(devices::list).post(devices::add))
        .route(paths::DEVICE_LOCK, post(devices::lock))
        .route(paths::MERCHANTS, get(merchants::list))
        .route(paths::WALLET, get(wallet::show))
        .route(paths::CARDS, get(cards::list).post(cards::link))
        .route(paths::CARD, axum::routing::delete(cards::unlink))
        .route(paths::TOP_UPS, post(top_ups::create))
        .route(paths::QUOTES, post(quotes::create))
        .route(paths::PAYMENTS, post(payments::create))
        .route(paths::PAYMENT, get(payments::show))
        .route(paths::LOCK_PAGE, get(lost_mode::page))
        .route(paths::LOCK, post(lost_mode::lock))
        .route(paths::RESUME, post(lost_mode::resume))
        .route(paths::RECOVERY_SHEET, post(lost_mode::recovery_sheet))
        .route(paths::PAY_CODE, post(pay_codes::issue))
        .route(
            paths::PAY_CODE_SETTINGS,
            axum::routing::put(pay_codes::settings),
        )
        .route(paths::PAY_CODE_CHARGE, post(pay_codes::answer))
        .route(paths::PAY_CODE_CHARGES, post(pay_codes::charge))
        .route(paths::HISTORY, get(history::page))
        .route(paths::PROMOTIONS, get(promotions::list))
        .route(paths::COUPONS, get(coupons::list).post(coupons::claim))
        .route(paths::EVENTS, get(events::stream))
        .route(paths::SHOP, get(tills::shop))
        .route(paths::TILLS, get(tills::list).post(tills::enrol))
        .route(paths::TILL_LOCK, post(tills::lock))
        .route(paths::INVITES, post(tills::invite))
        .route(paths::REFUNDS, post(refunds::create))
        .route(paths::FEED, get(shop::feed))
        .route(paths::SHOP_EVENTS, get(shop::events))
        .route(paths::SUMMARY, get(shop::summary))
        .route(paths::STATEMENT, get(shop::statement))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(service)
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "This document", body = Object)))]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The service's OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn unknown_route() -> ServiceError {
    ServiceError::UnknownRoute
}

async fn wrong_method() -> ServiceError {
    ServiceError::MethodNotAllowed
}

/// The service's OpenAPI document, from the handlers' annotations and the wire types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Saifu wallet service",
        description = "Every /v1 request but challenges, wallets and till enrolment is signed by a registered device, or under /v1/merchant by an enrolled till: headers x-saifu-device, x-saifu-timestamp, x-saifu-nonce and x-saifu-signature over the canonical bytes of saifu_core::auth (saifu-request-v1). Every refusal is an ErrorResponse."
    ),
    paths(
        health,
        openapi,
        wallets::create_challenge,
        wallets::create_wallet,
        devices::add,
        devices::list,
        devices::lock,
        merchants::list,
        wallet::show,
        cards::link,
        cards::list,
        cards::unlink,
        top_ups::create,
        quotes::create,
        payments::create,
        payments::show,
        lost_mode::page,
        lost_mode::lock,
        lost_mode::resume,
        lost_mode::recovery_sheet,
        pay_codes::issue,
        pay_codes::settings,
        pay_codes::answer,
        pay_codes::charge,
        history::page,
        promotions::list,
        coupons::claim,
        coupons::list,
        events::stream,
        tills::enrol,
        tills::shop,
        tills::list,
        tills::lock,
        tills::invite,
        refunds::create,
        shop::feed,
        shop::events,
        shop::summary,
        shop::statement,
    ),
    components(schemas(saifu_api::ErrorResponse))
)]
struct ApiDoc;
