//! A lost phone: the "Lock my wallet" page and the lock code it sends, the recovery code
//! that lifts a suspension, and a new recovery sheet.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{Extensions, header};
use axum::response::{Html, IntoResponse};
use saifu_api::{ErrorResponse, LockWallet, RecoverySheet, Wallet, WalletLocked};

use super::error::json_rejection;
use crate::service::{Service, ServiceError, SignedWhileSuspended, SignedWrite};

/// The page: plain HTML and a few lines of script, in the three languages, from any browser.
const LOCK_PAGE: &str = include_str!("../../assets/lock.html");

/// "Lock my wallet": a page for any browser, in English, 简体中文 and 日本語, that sends the
/// lock code to `/v1/lock`.
#[utoipa::path(get, path = "/lock", responses((status = 200, description = "The page", content_type = "text/html", body = String)))]
pub(super) async fn page() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], Html(LOCK_PAGE))
}

/// Suspends the wallet whose lock code is given; no device signs this (the phone is lost).
#[utoipa::path(post, path = "/v1/lock", request_body = LockWallet, responses((status = 200, body = WalletLocked), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn lock(
    State(service): State<Service>,
    extensions: Extensions,
    body: Result<Json<LockWallet>, JsonRejection>,
) -> Result<Json<WalletLocked>, ServiceError> {
    let Json(lock) = body.map_err(json_rejection)?;
    // Where the request came from, for the pause after too many wrong codes.
    let source = extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(
        || "unknown".to_owned(),
        |ConnectInfo(peer)| peer.ip().to_string(),
    );
    Ok(Json(service.lock_wallet(lock, &source).await?))
}

/// Lifts the suspension of the signing device's wallet with its recovery code.
#[utoipa::path(post, path = "/v1/wallet/resume", request_body = saifu_api::ResumeWallet, responses((status = 200, body = Wallet), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn resume(
    State(service): State<Service>,
    SignedWhileSuspended(request): SignedWhileSuspended,
) -> Result<Json<Wallet>, ServiceError> {
    Ok(Json(service.resume_wallet(request).await?))
}

/// New lock and recovery codes; the old ones stop working.
#[utoipa::path(post, path = "/v1/recovery-sheet", responses((status = 200, body = RecoverySheet), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn recovery_sheet(
    State(service): State<Service>,
    write: SignedWrite,
) -> Result<Json<RecoverySheet>, ServiceError> {
    Ok(Json(service.issue_recovery_sheet(write).await?))
}

impl FromRequest<Service> for SignedWhileSuspended {
    type Rejection = ServiceError;

    async fn from_request(request: Request, service: &Service) -> Result<Self, ServiceError> {
        service
            .authenticate_suspended(super::signed::raw(request).await?)
            .await
    }
}
