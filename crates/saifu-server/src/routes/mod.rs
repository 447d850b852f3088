//! The HTTP routes: thin handlers over the database and saifu-core's rules.

mod devices;
mod events;
mod money;
mod promotions;

pub(crate) use doc::ApiDoc;

use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use saifu_api::{Health, paths};
use utoipa::OpenApi;

use crate::AppState;
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::CHALLENGES, post(devices::create_challenge))
        .route(paths::WALLETS, post(devices::create_wallet))
        .route(
            paths::DEVICES,
            get(devices::list_devices).post(devices::add_device),
        )
        .route(paths::DEVICE_LOCK, post(devices::lock_device))
        .route(paths::MERCHANTS, get(devices::list_merchants))
        .route(paths::WALLET, get(money::wallet))
        .route(paths::CARDS, get(money::list_cards).post(money::link_card))
        .route(paths::CARD, delete(money::unlink_card))
        .route(paths::TOP_UPS, post(money::top_up))
        .route(paths::QUOTES, post(money::quote))
        .route(paths::PAYMENTS, post(money::pay))
        .route(paths::HISTORY, get(money::history))
        .route(paths::PROMOTIONS, get(promotions::list_promotions))
        .route(
            paths::COUPONS,
            get(promotions::list_coupons).post(promotions::claim_coupon),
        )
        .route(paths::EVENTS, get(events::events))
        .route(paths::OPENAPI, get(openapi))
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Fills `buffer` from the operating system's randomness.
pub(crate) fn random_bytes(buffer: &mut [u8]) -> Result<(), ApiError> {
    getrandom::fill(buffer).map_err(|error| {
        tracing::error!(%error, "no randomness from the operating system");
        ApiError::internal()
    })
}

/// `bytes` random bytes as base64url: ids and challenges nobody can guess.
pub(crate) fn random_token(bytes: usize) -> Result<String, ApiError> {
    let mut buffer = vec![0_u8; bytes];
    random_bytes(&mut buffer)?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

mod doc {
    use super::{devices, events, money, promotions};

    /// The service's OpenAPI document, from the handlers' annotations and the wire types.
    #[derive(utoipa::OpenApi)]
    #[openapi(
        info(
            title = "Saifu wallet service",
            description = "Every /v1 request but challenges and wallets is signed by a registered device: headers x-saifu-device, x-saifu-timestamp, x-saifu-nonce and x-saifu-signature over the canonical bytes of saifu_core::auth (saifu-request-v1)."
        ),
        paths(
            super::health,
            devices::create_challenge,
            devices::create_wallet,
            devices::add_device,
            devices::list_devices,
            devices::lock_device,
            devices::list_merchants,
            money::wallet,
            money::link_card,
            money::list_cards,
            money::unlink_card,
            money::top_up,
            money::quote,
            money::pay,
            money::history,
            promotions::list_promotions,
            promotions::claim_coupon,
            promotions::list_coupons,
            events::events,
        )
    )]
    pub(crate) struct ApiDoc;
}
