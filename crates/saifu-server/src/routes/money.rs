//! Cards, top-ups, quotes, payments and history: every change of money is one ledger
//! transaction, and top-ups and payments are safe to retry with an idempotency key. A quote
//! prices every way the wallet can pay with its promotions; the payment honours the offer of
//! the way it names, consuming the promotions in its own transaction.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use saifu_api::{
    Activity, ActivityKind, AppliedPromotion, Card, CardList, ErrorCode, ErrorResponse, Funding,
    History, LinkCard, Pay, Quote, QuoteOffer, QuoteRequest, RateShown, Receipt, TopUp,
    TopUpReceipt, Wallet, WalletEvent, paths,
};
use saifu_core::card::{Brand, Cvv, Expiry, Pan};
use saifu_core::money::{Currency, ExchangeRate, Money};
use saifu_core::promo::{self, FundingId, FundingOption};
use saifu_core::qr::{self, PaymentCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::devices::merchant_view;
use super::{random_bytes, random_token};
use crate::AppState;
use crate::db::MerchantRow;
use crate::demo::MERCHANT_GUID;
use crate::error::{ApiError, is_unique_violation};
use crate::issuer::{self, Rule};
use crate::ledger::{self, PostError, Posting, QuoteRow};
use crate::promotions::{self, Payer, RedeemError};
use crate::signed::{SignedRequest, SignedWrite};

/// How long a quoted price holds.
const QUOTE_SECONDS: i64 = 120;
const HISTORY_PAGE: i64 = 20;

pub(super) fn home_currency(code: Option<String>) -> Result<Currency, ApiError> {
    let code = code.ok_or_else(ApiError::internal)?;
    Currency::from_code(&code).map_err(|_| ApiError::internal())
}

#[utoipa::path(get, path = "/v1/wallet", responses((status = 200, body = Wallet), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn wallet(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<Wallet>, ApiError> {
    let wallet_id = &request.device.wallet_id;
    let currency = home_currency(ledger::wallet_currency(&state.db, wallet_id).await?)?;
    let balance = ledger::balance(&state.db, &ledger::wallet_account(wallet_id, currency)).await?;
    Ok(Json(Wallet {
        wallet_id: wallet_id.clone(),
        balance: Money::from_minor(balance, currency),
    }))
}

/// A card network as stored: its serde name.
fn stored_brand(text: &str) -> Result<Brand, ApiError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| ApiError::internal())
}

fn card_view(row: ledger::CardRow) -> Result<Card, ApiError> {
    let brand = stored_brand(&row.brand)?;
    let month = u8::try_from(row.expiry_month).map_err(|_| ApiError::internal())?;
    let year = u16::try_from(row.expiry_year).map_err(|_| ApiError::internal())?;
    Ok(Card {
        card_id: row.card_id,
        brand,
        issuer: row.issuer,
        last4: row.last4,
        expiry: Expiry::new(month, year).map_err(|_| ApiError::internal())?,
        linked_at: row.linked_at,
    })
}

/// (year, month) of a Unix time, in UTC: enough to compare with a card's expiry month.
fn year_month(unix_seconds: i64) -> (u16, u8) {
    // Civil-from-days (Howard Hinnant's algorithm), valid for every date this service sees.
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        u16::try_from(year).unwrap_or(u16::MAX),
        u8::try_from(month).unwrap_or(1),
    )
}

fn card_error(code: ErrorCode) -> impl Fn(saifu_core::card::CardError) -> ApiError {
    move |error| ApiError::new(code, error.to_string())
}

#[utoipa::path(post, path = "/v1/cards", request_body = LinkCard, responses((status = 200, body = Card), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn link_card(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<Card>, ApiError> {
    let link: LinkCard = request.json()?;
    let pan = Pan::parse(&link.number).map_err(card_error(ErrorCode::InvalidCard))?;
    let expiry = Expiry::parse(&link.expiry).map_err(card_error(ErrorCode::InvalidCard))?;
    Cvv::parse(&link.security_code, pan.brand()).map_err(card_error(ErrorCode::InvalidCard))?;
    if link.holder.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidCard,
            "The cardholder's name is missing.",
        ));
    }
    let now = state.now();
    let (year, month) = year_month(now);
    expiry
        .ensure_valid_on(year, month)
        .map_err(card_error(ErrorCode::CardExpired))?;
    let (rule, issuer_name) = issuer::decide(pan.expose_digits());
    match rule {
        Rule::Decline => {
            return Err(ApiError::new(
                ErrorCode::CardDeclined,
                "The card issuer declined this card.",
            ));
        }
        Rule::Expired => {
            return Err(ApiError::new(
                ErrorCode::CardExpired,
                "The card issuer says this card has expired.",
            ));
        }
        Rule::Approve | Rule::InsufficientFunds => {}
    }
    let key = ledger::fingerprint_key(&state.db, &random_token(32)?).await?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| ApiError::internal())?;
    mac.update(pan.expose_digits().as_bytes());
    let fingerprint = hex(&mac.finalize().into_bytes());
    let row = ledger::CardRow {
        card_id: format!("card_{}", random_token(12)?),
        wallet_id: request.device.wallet_id.clone(),
        brand: serde_json::to_value(pan.brand())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        issuer: issuer_name.to_owned(),
        last4: pan.last4().to_owned(),
        // With the last four, the most of a number PCI DSS allows to keep: for promotions
        // of one issuer's cards. Every valid number has at least 12 digits.
        bin: Some(pan.expose_digits()[..6].to_owned()),
        expiry_month: i32::from(expiry.month()),
        expiry_year: i32::from(expiry.year()),
        sandbox_rule: rule.as_str().to_owned(),
        linked_at: now,
    };
    ledger::insert_card(&state.db, &row, &fingerprint)
        .await
        .map_err(|error| {
            if is_unique_violation(&error) {
                ApiError::new(
                    ErrorCode::Conflict,
                    "This card is linked to the wallet already.",
                )
            } else {
                error.into()
            }
        })?;
    tracing::info!(
        wallet_id = row.wallet_id,
        card_id = row.card_id,
        brand = row.brand,
        "card linked"
    );
    let wallet_id = row.wallet_id.clone();
    let card = card_view(row)?;
    state.publish(&wallet_id, WalletEvent::CardLinked { card: card.clone() });
    Ok(Json(card))
}

/// History ids sort in the order entries were made (microseconds, then randomness), so a
/// page of history is newest first even within one second.
fn activity_id() -> Result<String, ApiError> {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_micros());
    Ok(format!("act_{micros:016x}_{}", random_token(8)?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[utoipa::path(get, path = "/v1/cards", responses((status = 200, body = CardList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn list_cards(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<CardList>, ApiError> {
    let rows = ledger::linked_cards(&state.db, &request.device.wallet_id).await?;
    let cards = rows.into_iter().map(card_view).collect::<Result<_, _>>()?;
    Ok(Json(CardList { cards }))
}

#[utoipa::path(delete, path = "/v1/cards/{card_id}", params(("card_id" = String, Path)), responses((status = 200, body = CardList), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn unlink_card(
    State(state): State<AppState>,
    Path(card_id): Path<String>,
    request: SignedRequest,
) -> Result<Json<CardList>, ApiError> {
    if !ledger::unlink_card(&state.db, &request.device.wallet_id, &card_id, state.now()).await? {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "The wallet has no such card.",
        ));
    }
    state.publish(
        &request.device.wallet_id,
        WalletEvent::CardUnlinked { card_id },
    );
    list_cards(State(state), request).await
}

/// A card the wallet can charge now, and whether its issuer pays.
async fn chargeable_card(
    state: &AppState,
    wallet_id: &str,
    card_id: &str,
) -> Result<ledger::CardRow, ApiError> {
    let card = ledger::linked_card(&state.db, wallet_id, card_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "The wallet has no such card."))?;
    let (year, month) = year_month(state.now());
    let expiry = Expiry::new(
        u8::try_from(card.expiry_month).unwrap_or(0),
        u16::try_from(card.expiry_year).unwrap_or(0),
    )
    .map_err(|_| ApiError::internal())?;
    expiry
        .ensure_valid_on(year, month)
        .map_err(card_error(ErrorCode::CardExpired))?;
    if Rule::from_stored(&card.sandbox_rule) == Rule::InsufficientFunds {
        return Err(ApiError::new(
            ErrorCode::InsufficientFunds,
            "The card issuer declined: insufficient funds.",
        ));
    }
    Ok(card)
}

/// The result of an idempotent request: done now, or the stored answer to an earlier try.
enum Claim<T> {
    Fresh(T),
    Done(String),
}

/// The request's idempotency key: 8 to 128 characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(paths::IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .filter(|key| (8..=128).contains(&key.len()))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request("an idempotency-key header of 8 to 128 characters is required")
        })
}

/// Claims the idempotency key of a top-up or payment in its write transaction, with the
/// `response` to store under it (empty: stored later). `Done` with the stored answer when
/// an earlier try of the same request has the key.
async fn claim(
    connection: &mut AnyConnection,
    wallet_id: &str,
    key: &str,
    request_hash: &str,
    response: &str,
    now: i64,
) -> Result<Claim<()>, ApiError> {
    if ledger::claim_idempotency_key(connection, wallet_id, key, request_hash, response, now)
        .await?
    {
        return Ok(Claim::Fresh(()));
    }
    let (stored_hash, response) = ledger::idempotent_response(&mut *connection, wallet_id, key)
        .await?
        .ok_or_else(ApiError::internal)?;
    if stored_hash != request_hash {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "This idempotency key was used for a different request.",
        ));
    }
    Ok(Claim::Done(response))
}

fn replay<T: DeserializeOwned>(response: &str) -> Result<Json<T>, ApiError> {
    serde_json::from_str(response)
        .map(Json)
        .map_err(|_| ApiError::internal())
}

/// A payment's stored receipt. One stored before promotions existed (migration 0003) has
/// no `discount` or `applied`: nothing was discounted then.
fn replay_payment(response: &str) -> Result<Json<Receipt>, ApiError> {
    let mut stored: serde_json::Value =
        serde_json::from_str(response).map_err(|_| ApiError::internal())?;
    if let Some(fields) = stored.as_object_mut()
        && !fields.contains_key("discount")
        && let Some(currency) = fields.get("price").and_then(|price| price.get("currency"))
    {
        let nothing = serde_json::json!({ "minor": 0, "currency": currency });
        fields.insert("discount".to_owned(), nothing);
        fields
            .entry("applied")
            .or_insert_with(|| serde_json::json!([]));
    }
    serde_json::from_value(stored)
        .map(Json)
        .map_err(|_| ApiError::internal())
}

fn post_error(error: PostError) -> ApiError {
    match error {
        PostError::InsufficientFunds => ApiError::new(
            ErrorCode::InsufficientFunds,
            "The balance does not cover this amount; top up first.",
        ),
        PostError::Unbalanced(currency) => {
            tracing::error!(%currency, "refused an unbalanced ledger transaction");
            ApiError::internal()
        }
        PostError::Database(error) => error.into(),
    }
}

/// A positive amount in `currency`, from what a person typed.
fn positive_amount(text: &str, currency: Currency) -> Result<Money, ApiError> {
    let amount = Money::parse(text, currency)
        .map_err(|error| ApiError::bad_request(format!("amount: {error}")))?;
    if amount.minor() <= 0 {
        return Err(ApiError::bad_request("the amount must be more than zero"));
    }
    Ok(amount)
}

#[utoipa::path(post, path = "/v1/top-ups", request_body = TopUp, params(("idempotency-key" = String, Header)), responses((status = 200, body = TopUpReceipt), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn top_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: SignedWrite,
) -> Result<Json<TopUpReceipt>, ApiError> {
    let plan = match plan_top_up(&state, &signed.request, &headers).await {
        Ok(plan) => plan,
        Err(error) => return Err(signed.refuse(&state.db, error).await),
    };
    let wallet_id = plan.wallet_id.clone();
    let now = state.now();
    let written = signed
        .write(&state.db, move |connection| {
            Box::pin(async move { write_top_up(connection, &plan, now).await })
        })
        .await?;
    let receipt = match written {
        Claim::Fresh(receipt) => receipt,
        Claim::Done(response) => return replay(&response),
    };
    tracing::info!(wallet_id, top_up_id = receipt.top_up_id, "topped up");
    state.publish(
        &wallet_id,
        WalletEvent::ToppedUp {
            receipt: receipt.clone(),
        },
    );
    Ok(Json(receipt))
}

/// A top-up checked before its write transaction.
struct TopUpPlan {
    wallet_id: String,
    amount: Money,
    card: ledger::CardRow,
    key: String,
    request_hash: String,
}

async fn plan_top_up(
    state: &AppState,
    request: &SignedRequest,
    headers: &HeaderMap,
) -> Result<TopUpPlan, ApiError> {
    let top_up: TopUp = request.json()?;
    let wallet_id = request.device.wallet_id.clone();
    let currency = home_currency(ledger::wallet_currency(&state.db, &wallet_id).await?)?;
    let amount = positive_amount(&top_up.amount, currency)?;
    let card = chargeable_card(state, &wallet_id, &top_up.card_id).await?;
    Ok(TopUpPlan {
        wallet_id,
        amount,
        card,
        key: idempotency_key(headers)?,
        request_hash: hex(&Sha256::digest(request.body())),
    })
}

async fn write_top_up(
    connection: &mut AnyConnection,
    plan: &TopUpPlan,
    now: i64,
) -> Result<Claim<TopUpReceipt>, ApiError> {
    let wallet_id = &plan.wallet_id;
    if let Claim::Done(response) = claim(
        connection,
        wallet_id,
        &plan.key,
        &plan.request_hash,
        "",
        now,
    )
    .await?
    {
        return Ok(Claim::Done(response));
    }
    let amount = plan.amount;
    let currency = amount.currency();
    let top_up_id = format!("top_{}", random_token(12)?);
    let wallet_account = ledger::wallet_account(wallet_id, currency);
    let postings = [
        Posting {
            account: ledger::card_clearing_account(currency),
            amount: Money::from_minor(-amount.minor(), currency),
        },
        Posting {
            account: wallet_account.clone(),
            amount,
        },
    ];
    ledger::post(
        &mut *connection,
        &top_up_id,
        wallet_id,
        "top_up",
        now,
        &postings,
    )
    .await
    .map_err(post_error)?;
    let title = format!("Top up from {} •••• {}", plan.card.issuer, plan.card.last4);
    ledger::insert_activity(
        &mut *connection,
        &activity_id()?,
        wallet_id,
        "top_up",
        &title,
        amount,
        now,
    )
    .await?;
    let balance: i64 = {
        use sqlx::Row as _;
        sqlx::query("SELECT balance FROM accounts WHERE account_id = $1")
            .bind(&wallet_account)
            .fetch_one(&mut *connection)
            .await?
            .try_get("balance")?
    };
    let receipt = TopUpReceipt {
        top_up_id,
        amount,
        balance: Money::from_minor(balance, currency),
        created_at: now,
    };
    let json = serde_json::to_string(&receipt).map_err(|_| ApiError::internal())?;
    ledger::store_idempotent_response(&mut *connection, wallet_id, &plan.key, &json).await?;
    Ok(Claim::Fresh(receipt))
}

#[utoipa::path(post, path = "/v1/quotes", request_body = QuoteRequest, responses((status = 200, body = Quote), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn quote(
    State(state): State<AppState>,
    request: SignedRequest,
) -> Result<Json<Quote>, ApiError> {
    let asked: QuoteRequest = request.json()?;
    let invalid = |message: String| ApiError::new(ErrorCode::InvalidPaymentCode, message);
    let code = match qr::parse(&asked.payload)
        .map_err(|error| invalid(format!("This code cannot be paid: {error}.")))?
    {
        PaymentCode::EmvMpm(code) => code,
        PaymentCode::AlipayLink { .. } => {
            return Err(invalid("This is an Alipay code: pay it in Alipay.".into()));
        }
        PaymentCode::WechatLink { .. } => {
            return Err(invalid(
                "This is a WeChat Pay code: pay it in WeChat.".into(),
            ));
        }
        other => {
            return Err(invalid(format!(
                "This is not a shop's payment code ({}).",
                other.format()
            )));
        }
    };
    let merchant_id = code
        .accounts
        .values()
        .find(|account| account.guid() == Some(MERCHANT_GUID))
        .and_then(|account| account.fields.get(&1))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownMerchant,
                "This shop does not accept Saifu.",
            )
        })?;
    let merchant = state.db.merchant(merchant_id).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownMerchant,
            "This shop does not accept Saifu.",
        )
    })?;
    if merchant.currency != code.currency.code() {
        return Err(invalid("The code's currency is not the shop's.".into()));
    }
    let price = match (code.amount, asked.amount.as_deref()) {
        (Some(fixed), Some(entered)) if positive_amount(entered, code.currency)? != fixed => {
            return Err(ApiError::bad_request(
                "The code fixes the amount; it cannot be changed.",
            ));
        }
        (Some(fixed), _) => fixed,
        (None, Some(entered)) => positive_amount(entered, code.currency)?,
        (None, None) => {
            return Err(ApiError::new(
                ErrorCode::AmountRequired,
                "Enter the amount to pay.",
            ));
        }
    };
    let wallet_id = request.device.wallet_id.clone();
    let home = home_currency(ledger::wallet_currency(&state.db, &wallet_id).await?)?;
    let rate = if home == price.currency() {
        None
    } else {
        let (text, as_of) = ledger::rate(&state.db, price.currency(), home)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidPaymentCode,
                    format!("Paying in {} is not available yet.", price.currency()),
                )
            })?;
        let rate =
            ExchangeRate::parse(price.currency(), home, &text).map_err(|_| ApiError::internal())?;
        Some((rate, as_of))
    };
    // What leaves the wallet for `due` in the shop's currency: every offer at the same rate.
    let in_home = |due: Money| match &rate {
        None => Ok(due),
        Some((rate, _)) => rate
            .convert(due)
            .map_err(|error| ApiError::bad_request(error.to_string())),
    };
    let now = state.now();
    let seed = promo_seed()?;
    let payer = Payer {
        fundings: funding_options(&state, &wallet_id).await?,
        wallet_id: wallet_id.clone(),
        home,
    };
    let context = promotions::context(&state.db, payer, &merchant, price, now, seed).await?;
    let offers = promo::offers(&context)
        .into_iter()
        .map(|offer| {
            Ok(QuoteOffer {
                pay: in_home(offer.pay)?,
                discount: offer.saving(),
                funding: match offer.funding {
                    FundingId::Balance => Funding::Balance,
                    FundingId::Card(card_id) => Funding::Card { card_id },
                },
                applied: offer
                    .applied
                    .into_iter()
                    .map(AppliedPromotion::from)
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    // The balance is always an offer.
    let pay = offers.first().ok_or_else(ApiError::internal)?.pay;
    let rate = rate.map(|(rate, as_of)| RateShown {
        text: rate.to_string(),
        as_of,
    });
    let row = QuoteRow {
        quote_id: format!("quo_{}", random_token(12)?),
        wallet_id,
        merchant_id: merchant.merchant_id.clone(),
        price,
        pay,
        rate: rate.as_ref().map(|rate| (rate.text.clone(), rate.as_of)),
        created_at: now,
        expires_at: now + QUOTE_SECONDS,
        promo_seed: i64::try_from(seed).map_err(|_| ApiError::internal())?,
        offers,
    };
    ledger::insert_quote(&state.db, &row).await?;
    Ok(Json(Quote {
        quote_id: row.quote_id,
        merchant: merchant_view(merchant)?,
        price,
        pay,
        rate,
        expires_at: row.expires_at,
        offers: row.offers,
    }))
}

/// The seed of a quote's random discounts: 63 random bits, so that it fits a BIGINT as it is.
fn promo_seed() -> Result<u64, ApiError> {
    let mut bytes = [0_u8; 8];
    random_bytes(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes) >> 1)
}

/// How the wallet can pay now, with what card promotions look at: the balance, and each
/// linked card that has not expired with its brand and BIN.
async fn funding_options(
    state: &AppState,
    wallet_id: &str,
) -> Result<Vec<FundingOption>, ApiError> {
    let (year, month) = year_month(state.now());
    let mut options = vec![FundingOption {
        id: FundingId::Balance,
        brand: None,
        bin: None,
    }];
    for card in ledger::linked_cards(&state.db, wallet_id).await? {
        let expiry = Expiry::new(
            u8::try_from(card.expiry_month).unwrap_or(0),
            u16::try_from(card.expiry_year).unwrap_or(0),
        );
        if expiry.is_ok_and(|expiry| expiry.is_valid_on(year, month)) {
            options.push(FundingOption {
                brand: Some(stored_brand(&card.brand)?),
                id: FundingId::Card(card.card_id),
                bin: card.bin,
            });
        }
    }
    Ok(options)
}

fn redeem_error(error: RedeemError) -> ApiError {
    match error {
        RedeemError::Gone {
            campaign_id,
            reason,
        } => {
            tracing::info!(
                campaign_id,
                reason,
                "a quoted promotion is no longer available"
            );
            ApiError::new(
                ErrorCode::OfferChanged,
                "A discount in this price is no longer available. Scan again for the current price.",
            )
        }
        RedeemError::Database(error) => error.into(),
    }
}

#[utoipa::path(post, path = "/v1/payments", request_body = Pay, params(("idempotency-key" = String, Header)), responses((status = 200, body = Receipt), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn pay(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: SignedWrite,
) -> Result<Json<Receipt>, ApiError> {
    // Everything is read before the write transaction, which on SQLite holds the writing
    // connection every other payment waits for; and holding it while asking the pool for a
    // second connection could deadlock once every connection waits for the write lock.
    let plan = match plan_payment(&state, &signed.request, &headers).await {
        Ok(plan) => plan,
        Err(error) => return Err(signed.refuse(&state.db, error).await),
    };
    let wallet_id = plan.wallet_id.clone();
    let written = signed
        .write(&state.db, move |connection| {
            Box::pin(async move { write_payment(connection, &plan).await })
        })
        .await?;
    let (receipt, merchant_id) = match written {
        Claim::Fresh(paid) => paid,
        Claim::Done(response) => return replay_payment(&response),
    };
    tracing::info!(
        wallet_id,
        payment_id = receipt.payment_id,
        merchant_id,
        "paid"
    );
    state.publish(
        &wallet_id,
        WalletEvent::PaymentSucceeded {
            receipt: receipt.clone(),
        },
    );
    Ok(Json(receipt))
}

/// A payment as far as it is known before its write transaction.
struct PaymentPlan {
    wallet_id: String,
    device_id: String,
    /// The card it is paid with, checked; `None` for the balance.
    card: Option<ledger::CardRow>,
    /// The wallet's quote and its merchant, if both exist.
    quote: Option<(QuoteRow, MerchantRow)>,
    key: String,
    request_hash: String,
    now: i64,
    payment_id: String,
    /// The quote's offer for the way of paying chosen, if it has one.
    priced: Option<Priced>,
}

/// A quoted offer for the way of paying chosen, the receipt paying it gives, and the
/// receipt's JSON: stored with the idempotency key as the key is claimed.
struct Priced {
    offer: QuoteOffer,
    receipt: Receipt,
    json: String,
}

async fn plan_payment(
    state: &AppState,
    request: &SignedRequest,
    headers: &HeaderMap,
) -> Result<PaymentPlan, ApiError> {
    let order: Pay = request.json()?;
    let wallet_id = request.device.wallet_id.clone();
    let card = match &order.funding {
        Funding::Balance => None,
        Funding::Card { card_id } => Some(chargeable_card(state, &wallet_id, card_id).await?),
    };
    let quote = ledger::quote_and_merchant(&state.db, &order.quote_id)
        .await?
        .filter(|(quote, _)| quote.wallet_id == wallet_id);
    let key = idempotency_key(headers)?;
    let now = state.now();
    let payment_id = format!("pay_{}", random_token(12)?);
    let priced = quote
        .as_ref()
        .and_then(|(quote, merchant)| {
            let offer = quote
                .offers
                .iter()
                .find(|offer| offer.funding == order.funding)?;
            let receipt = Receipt {
                payment_id: payment_id.clone(),
                quote_id: quote.quote_id.clone(),
                merchant_name: merchant.name.clone(),
                merchant_city: merchant.city.clone(),
                price: quote.price,
                paid: offer.pay,
                discount: offer.discount,
                applied: offer.applied.clone(),
                rate: quote
                    .rate
                    .clone()
                    .map(|(text, as_of)| RateShown { text, as_of }),
                funding: order.funding.clone(),
                created_at: now,
            };
            Some((offer.clone(), receipt))
        })
        .map(|(offer, receipt)| {
            let json = serde_json::to_string(&receipt).map_err(|_| ApiError::internal())?;
            Ok::<_, ApiError>(Priced {
                offer,
                receipt,
                json,
            })
        })
        .transpose()?;
    Ok(PaymentPlan {
        wallet_id,
        device_id: request.device.device_id.clone(),
        card,
        quote,
        key,
        request_hash: hex(&Sha256::digest(request.body())),
        now,
        payment_id,
        priced,
    })
}

/// The payment's writes, in its transaction: the idempotency key with the receipt, the
/// ledger transaction, the payment, the promotions it uses, the history line, and last the
/// balances. Returns the receipt and the merchant paid.
async fn write_payment(
    connection: &mut AnyConnection,
    plan: &PaymentPlan,
) -> Result<Claim<(Receipt, String)>, ApiError> {
    let wallet_id = &plan.wallet_id;
    let now = plan.now;
    let stored = plan
        .priced
        .as_ref()
        .map_or("", |priced| priced.json.as_str());
    if let Claim::Done(response) = claim(
        connection,
        wallet_id,
        &plan.key,
        &plan.request_hash,
        stored,
        now,
    )
    .await?
    {
        return Ok(Claim::Done(response));
    }
    // Checked after the claim, so that a retry of a payment made in time gets its receipt.
    let (quote, merchant) = plan
        .quote
        .as_ref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "There is no such price to pay."))?;
    if now > quote.expires_at {
        return Err(ApiError::new(
            ErrorCode::QuoteExpired,
            "This price has expired; scan the code again.",
        ));
    }
    let Priced { offer, receipt, .. } = plan.priced.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::FundingNotQuoted,
            "This price was quoted without this way of paying; scan again to pay with it.",
        )
    })?;
    let payment_id = &plan.payment_id;
    let campaigns = promotions::applied_campaigns(&mut *connection, &offer.applied)
        .await
        .map_err(redeem_error)?;
    let (pay, price) = (offer.pay, quote.price);
    let source = match &plan.card {
        None => ledger::wallet_account(wallet_id, pay.currency()),
        Some(_) => ledger::card_clearing_account(pay.currency()),
    };
    // The merchant gets the whole price: the wallet pays what is due after the discount,
    // each saving comes from its funder's promotion account.
    let mut postings = vec![Posting {
        account: source,
        amount: Money::from_minor(-pay.minor(), pay.currency()),
    }];
    if pay.currency() != price.currency() {
        let due = price
            .checked_sub(offer.discount)
            .map_err(|_| ApiError::internal())?;
        postings.push(Posting {
            account: ledger::fx_account(pay.currency()),
            amount: pay,
        });
        postings.push(Posting {
            account: ledger::fx_account(price.currency()),
            amount: Money::from_minor(-due.minor(), due.currency()),
        });
    }
    for (promotion, campaign) in offer.applied.iter().zip(&campaigns) {
        postings.push(Posting {
            account: ledger::promo_account(&campaign.funded_by, promotion.saving.currency()),
            amount: Money::from_minor(-promotion.saving.minor(), promotion.saving.currency()),
        });
    }
    postings.push(Posting {
        account: ledger::merchant_account(&merchant.merchant_id, price.currency()),
        amount: price,
    });
    ledger::open_transaction(&mut *connection, payment_id, wallet_id, "payment", now).await?;
    // After the ledger transaction it refers to; the unique quote refuses a second payment.
    ledger::insert_payment(
        &mut *connection,
        payment_id,
        quote,
        &plan.device_id,
        stored,
        now,
    )
    .await
    .map_err(|error| {
        if is_unique_violation(&error) {
            ApiError::new(ErrorCode::QuoteAlreadyPaid, "This price was paid already.")
        } else {
            error.into()
        }
    })?;
    // After the payment's row, so that paying a quote twice is refused as such, never as a
    // promotion used up by its first payment.
    promotions::redeem(
        &mut *connection,
        wallet_id,
        &merchant.merchant_id,
        payment_id,
        &offer.applied,
        &campaigns,
        now,
    )
    .await
    .map_err(redeem_error)?;
    let spent = Money::from_minor(-pay.minor(), pay.currency());
    ledger::insert_activity(
        &mut *connection,
        &activity_id()?,
        wallet_id,
        "payment",
        &merchant.name,
        spent,
        now,
    )
    .await?;
    // Last: the balances, the busy shop's among them, stay locked only until the commit.
    ledger::post_entries(&mut *connection, payment_id, &postings)
        .await
        .map_err(post_error)?;
    Ok(Claim::Fresh((
        receipt.clone(),
        merchant.merchant_id.clone(),
    )))
}

#[derive(Debug, Deserialize)]
pub(super) struct HistoryQuery {
    cursor: Option<String>,
}

/// A cursor is the last entry's time and id: pages stay stable while new payments arrive.
fn parse_cursor(cursor: &str) -> Result<(i64, String), ApiError> {
    let invalid = || ApiError::bad_request("invalid history cursor");
    let (time, id) = cursor.split_once('.').ok_or_else(invalid)?;
    Ok((time.parse().map_err(|_| invalid())?, id.to_owned()))
}

#[utoipa::path(get, path = "/v1/history", params(("cursor" = Option<String>, Query)), responses((status = 200, body = History), (status = "4XX", description = "Refused: see the error code", body = ErrorResponse)))]
pub(super) async fn history(
    State(state): State<AppState>,
    Query(query): Query<HistoryQuery>,
    request: SignedRequest,
) -> Result<Json<History>, ApiError> {
    let before = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let rows = ledger::activity_page(
        &state.db,
        &request.device.wallet_id,
        before,
        HISTORY_PAGE + 1,
    )
    .await?;
    let more = rows.len() > HISTORY_PAGE as usize;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows.into_iter().take(HISTORY_PAGE as usize) {
        let currency = Currency::from_code(&row.currency).map_err(|_| ApiError::internal())?;
        entries.push(Activity {
            activity_id: row.activity_id,
            kind: if row.kind == "payment" {
                ActivityKind::Payment
            } else {
                ActivityKind::TopUp
            },
            title: row.title,
            amount: Money::from_minor(row.amount_minor, currency),
            created_at: row.created_at,
        });
    }
    let next_cursor = more
        .then(|| {
            entries
                .last()
                .map(|last: &Activity| format!("{}.{}", last.created_at, last.activity_id))
        })
        .flatten();
    Ok(Json(History {
        entries,
        next_cursor,
    }))
}
