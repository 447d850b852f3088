//! Top-ups and payments: each one ledger transaction in one database transaction, safe to
//! retry with an idempotency key. A payment honours the quoted offer of the way of paying it
//! names, consuming its promotions in its own transaction.

use saifu_api::{Funding, Pay, QuoteOffer, RateShown, Receipt, TopUp, TopUpReceipt, WalletEvent};
use saifu_core::money::{Currency, Money};
use sha2::{Digest, Sha256};

use super::{Service, ServiceError, SignedWrite, hex, random_token};
use crate::ledger::{self, Account, Source, TransactionKind};
use crate::store::{
    CardRow, KeyScope, MerchantRow, NewActivity, NewPayment, QuoteRow, StoreError, WriteTx,
};

/// The header value that makes a top-up or payment safe to retry: 8 to 128 characters.
#[derive(Clone, Debug)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(value: Option<&str>) -> Result<IdempotencyKey, ServiceError> {
        value
            .filter(|key| (8..=128).contains(&key.len()))
            .map(|key| IdempotencyKey(key.to_owned()))
            .ok_or_else(|| {
                ServiceError::BadRequest(
                    "an idempotency-key header of 8 to 128 characters is required".into(),
                )
            })
    }
}

/// The result of an idempotent request: done now, or the stored answer to an earlier try.
pub(super) enum Claim<T> {
    Fresh(T),
    Done(String),
}

/// Claims the idempotency key of a top-up, payment or refund in its write transaction,
/// with the `response` to store under it (empty: stored later). `Done` with the stored
/// answer when an earlier try of the same request has the key.
pub(super) async fn claim(
    tx: &mut WriteTx<'_>,
    scope: KeyScope<'_>,
    key: &IdempotencyKey,
    request_hash: &str,
    response: &str,
    now: i64,
) -> Result<Claim<()>, ServiceError> {
    match tx
        .claim_idempotency_key(scope, &key.0, request_hash, response, now)
        .await
    {
        Ok(()) => return Ok(Claim::Fresh(())),
        Err(StoreError::Duplicate) => {}
        Err(other) => return Err(other.into()),
    }
    let (stored_hash, response) = tx.idempotent_response(scope, &key.0).await?;
    if stored_hash != request_hash {
        return Err(ServiceError::IdempotencyKeyReused);
    }
    Ok(Claim::Done(response))
}

pub(super) fn replay<T: serde::de::DeserializeOwned>(response: &str) -> Result<T, ServiceError> {
    serde_json::from_str(response)
        .map_err(|error| ServiceError::internal("a stored response does not decode", error))
}

/// A payment's stored receipt. One stored before promotions existed (migration 0003) has
/// no `discount` or `applied`: nothing was discounted then.
pub(super) fn stored_receipt(response: &str) -> Result<Receipt, ServiceError> {
    let mut stored: serde_json::Value = replay(response)?;
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
        .map_err(|error| ServiceError::internal("a stored receipt does not decode", error))
}

/// A positive amount in `currency` under its ceiling, from what a person typed.
pub(super) fn positive_amount(text: &str, currency: Currency) -> Result<Money, ServiceError> {
    let amount = Money::parse(text, currency).map_err(|error| match error {
        saifu_core::money::MoneyError::Overflow => {
            ServiceError::AmountOutOfRange(format!("amount {text:?} is too large"))
        }
        other => ServiceError::BadRequest(format!("amount: {other}")),
    })?;
    if amount.minor() <= 0 {
        return Err(ServiceError::BadRequest(
            "the amount must be more than zero".into(),
        ));
    }
    amount
        .within_ceiling()
        .map_err(|error| ServiceError::AmountOutOfRange(error.to_string()))
}

/// History ids sort in the order entries were made (microseconds, then randomness), so a
/// page of history is newest first even within one second.
pub(super) fn activity_id() -> Result<String, ServiceError> {
    Ok(format!("act_{:016x}_{}", micros_now(), random_token(8)?))
}

/// Microseconds since the epoch: what orders records made within one second.
pub(super) fn micros_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX)
        })
}

/// A top-up checked before its write transaction.
struct TopUpPlan {
    wallet_id: String,
    amount: Money,
    card: CardRow,
    key: IdempotencyKey,
    request_hash: String,
    top_up_id: String,
    activity_id: String,
    now: i64,
}

/// A payment as far as it is known before its write transaction.
pub(super) struct PaymentPlan {
    pub(super) wallet_id: String,
    device_id: String,
    /// The card it is paid with, checked; `None` for the balance.
    card: Option<CardRow>,
    /// The wallet's quote and its merchant, if both exist.
    quote: Option<(QuoteRow, MerchantRow)>,
    pub(super) key: IdempotencyKey,
    request_hash: String,
    now: i64,
    payment_id: String,
    activity_id: String,
    /// The quote's offer for the way of paying chosen, if it has one.
    priced: Option<Priced>,
    /// Set when a till charges the device's pay code: the code's step, used up with the
    /// payment, and the shop whose idempotency keys the till's key is among.
    pub(super) pay_code: Option<PayCodeUse>,
}

/// The pay code a till charges: `device_id`'s code of `step`, at `merchant_id`.
#[derive(Clone, Debug)]
pub(super) struct PayCodeUse {
    pub(super) device_id: String,
    pub(super) step: i64,
    pub(super) merchant_id: String,
}

/// A quoted offer for the way of paying chosen, the receipt paying it gives, and the
/// receipt's JSON: stored with the idempotency key as the key is claimed.
pub(super) struct Priced {
    offer: QuoteOffer,
    receipt: Receipt,
    json: String,
}

impl Service {
    pub async fn top_up(
        &self,
        write: SignedWrite,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<TopUpReceipt, ServiceError> {
        let plan = self.plan_top_up(&write, key).await;
        let written = self
            .transact(write, plan, |mut tx, plan| {
                Box::pin(async move { write_top_up(&mut tx, plan).await })
            })
            .await?;
        let (receipt, wallet_id) = match written {
            Claim::Fresh(done) => done,
            Claim::Done(response) => return replay(&response),
        };
        tracing::info!(wallet_id, top_up_id = receipt.top_up_id, "topped up");
        self.publish(
            &wallet_id,
            WalletEvent::ToppedUp {
                receipt: receipt.clone(),
            },
        );
        Ok(receipt)
    }

    async fn plan_top_up(
        &self,
        write: &SignedWrite,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<TopUpPlan, ServiceError> {
        let top_up: TopUp = write.json()?;
        let wallet_id = write.device.wallet_id.clone();
        let currency = self.store.wallet_currency(&wallet_id).await?;
        let amount = positive_amount(&top_up.amount, currency)?;
        let card = self.chargeable_card(&wallet_id, &top_up.card_id).await?;
        Ok(TopUpPlan {
            wallet_id,
            amount,
            card,
            key: key?,
            request_hash: hex(&Sha256::digest(write.body())),
            top_up_id: format!("top_{}", random_token(12)?),
            activity_id: activity_id()?,
            now: self.now(),
        })
    }

    pub async fn pay(
        &self,
        write: SignedWrite,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<Receipt, ServiceError> {
        // Everything is read before the write transaction, which on SQLite holds the
        // writing connection every other payment waits for.
        let plan = self.plan_payment(&write, key).await;
        let wallet_id = write.device.wallet_id.clone();
        let written = self
            .transact(write, plan, |mut tx, plan| {
                Box::pin(async move { write_payment(&mut tx, plan).await })
            })
            .await?;
        let (receipt, merchant_id) = match written {
            Claim::Fresh(paid) => paid,
            Claim::Done(response) => return stored_receipt(&response),
        };
        self.announce_payment(&wallet_id, &merchant_id, &receipt);
        Ok(receipt)
    }

    /// Tells the shop's tills and the wallet's devices of a payment just made.
    pub(super) fn announce_payment(&self, wallet_id: &str, merchant_id: &str, receipt: &Receipt) {
        tracing::info!(
            wallet_id,
            payment_id = receipt.payment_id,
            merchant_id,
            "paid"
        );
        self.publish_to_shop(merchant_id, super::shop::payment_entry(receipt, 0));
        self.publish(
            wallet_id,
            WalletEvent::PaymentSucceeded {
                receipt: Box::new(receipt.clone()),
            },
        );
    }

    async fn plan_payment(
        &self,
        write: &SignedWrite,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<PaymentPlan, ServiceError> {
        let order: Pay = write.json()?;
        let wallet_id = write.device.wallet_id.clone();
        let card = match &order.funding {
            Funding::Balance => None,
            Funding::Card { card_id } => Some(self.chargeable_card(&wallet_id, card_id).await?),
        };
        let quote = self
            .store
            .quote_and_merchant(&order.quote_id)
            .await?
            .filter(|(quote, _)| quote.wallet_id == wallet_id);
        PaymentPlan::new(
            wallet_id,
            write.device.device_id.clone(),
            card,
            quote,
            &order.funding,
            key?,
            hex(&Sha256::digest(write.body())),
            self.now(),
            None,
        )
    }
}

impl PaymentPlan {
    /// Paying `quote` with `funding`: the receipt it gives, if the quote offers that way of
    /// paying. `pay_code` is set when a till charges the device's pay code.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        wallet_id: String,
        device_id: String,
        card: Option<CardRow>,
        quote: Option<(QuoteRow, MerchantRow)>,
        funding: &Funding,
        key: IdempotencyKey,
        request_hash: String,
        now: i64,
        pay_code: Option<PayCodeUse>,
    ) -> Result<PaymentPlan, ServiceError> {
        let payment_id = format!("pay_{}", random_token(12)?);
        let priced = quote
            .as_ref()
            .and_then(|(quote, merchant)| {
                let offer = quote
                    .offers
                    .iter()
                    .find(|offer| offer.funding == *funding)?;
                let receipt = Receipt {
                    payment_id: payment_id.clone(),
                    quote_id: quote.quote_id.clone(),
                    merchant_name: merchant.name.clone(),
                    merchant_city: merchant.city.clone(),
                    merchant_local: merchant.local.clone(),
                    price: quote.price,
                    paid: offer.pay,
                    discount: offer.discount,
                    applied: offer.applied.clone(),
                    rate: quote
                        .rate
                        .as_ref()
                        .map(|(rate, as_of)| RateShown::new(rate, *as_of)),
                    funding: funding.clone(),
                    created_at: now,
                };
                Some((offer.clone(), receipt))
            })
            .map(|(offer, receipt)| {
                let json = serde_json::to_string(&receipt)
                    .map_err(|error| ServiceError::internal("receipt", error))?;
                Ok::<_, ServiceError>(Priced {
                    offer,
                    receipt,
                    json,
                })
            })
            .transpose()?;
        Ok(PaymentPlan {
            wallet_id,
            device_id,
            card,
            quote,
            key,
            request_hash,
            now,
            payment_id,
            activity_id: activity_id()?,
            priced,
            pay_code,
        })
    }

    /// The receipt paying the plan gives: `None` when its quote does not offer the way of
    /// paying chosen.
    pub(super) fn receipt(&self) -> Option<&Receipt> {
        self.priced.as_ref().map(|priced| &priced.receipt)
    }
}

/// The top-up's writes: the idempotency key, the ledger transaction, the history line and
/// the receipt stored under the key. Answers the receipt and the wallet.
async fn write_top_up(
    tx: &mut WriteTx<'_>,
    plan: TopUpPlan,
) -> Result<Claim<(TopUpReceipt, String)>, ServiceError> {
    let wallet_id = &plan.wallet_id;
    let now = plan.now;
    if let Claim::Done(response) = claim(
        tx,
        KeyScope::Wallet(wallet_id),
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
    let postings = ledger::top_up(wallet_id, amount)?;
    ledger::post(
        tx,
        &plan.top_up_id,
        wallet_id,
        TransactionKind::TopUp,
        now,
        &postings,
    )
    .await?;
    tx.insert_activity(&NewActivity {
        activity_id: &plan.activity_id,
        wallet_id,
        kind: TransactionKind::TopUp.as_str(),
        reference_id: &plan.top_up_id,
        merchant_id: None,
        card_id: Some(&plan.card.card_id),
        amount,
        created_at: now,
        payment_id: None,
    })
    .await?;
    let balance = tx
        .balance(&Account::wallet(wallet_id, amount.currency()).id())
        .await?;
    let receipt = TopUpReceipt {
        top_up_id: plan.top_up_id.clone(),
        amount,
        balance: Money::from_minor(balance, amount.currency()),
        created_at: now,
    };
    let json = serde_json::to_string(&receipt)
        .map_err(|error| ServiceError::internal("top-up receipt", error))?;
    tx.store_idempotent_response(KeyScope::Wallet(wallet_id), &plan.key.0, &json)
        .await?;
    Ok(Claim::Fresh((receipt, plan.wallet_id)))
}

/// The payment's writes, in its transaction: the idempotency key with the receipt, the
/// ledger transaction, the payment, the promotions it uses, the history line, and last the
/// balances. Answers the receipt and the merchant paid.
pub(super) async fn write_payment(
    tx: &mut WriteTx<'_>,
    plan: PaymentPlan,
) -> Result<Claim<(Receipt, String)>, ServiceError> {
    let wallet_id = &plan.wallet_id;
    let now = plan.now;
    let stored = plan
        .priced
        .as_ref()
        .map_or("", |priced| priced.json.as_str());
    let scope = match &plan.pay_code {
        None => KeyScope::Wallet(wallet_id),
        Some(used) => KeyScope::Shop(&used.merchant_id),
    };
    if let Claim::Done(response) =
        claim(tx, scope, &plan.key, &plan.request_hash, stored, now).await?
    {
        return Ok(Claim::Done(response));
    }
    // Checked after the claim, so that a retry of a payment made in time gets its receipt.
    let (quote, merchant) = plan
        .quote
        .as_ref()
        .ok_or(ServiceError::NotFound("there is no such price to pay"))?;
    if now > quote.expires_at {
        return Err(ServiceError::QuoteExpired);
    }
    let Priced { offer, receipt, .. } =
        plan.priced.as_ref().ok_or(ServiceError::FundingNotQuoted)?;
    let payment_id = &plan.payment_id;
    let campaigns = super::promotions::applied_campaigns(tx, &offer.applied).await?;
    let savings = super::promotions::savings(&offer.applied, &campaigns);
    let source = match &plan.card {
        None => Source::Balance {
            wallet_id: wallet_id.clone(),
        },
        Some(_) => Source::Card,
    };
    let postings = ledger::payment(
        &source,
        offer.pay,
        &merchant.merchant_id,
        quote.price,
        &savings,
    )?;
    ledger::open(tx, payment_id, wallet_id, TransactionKind::Payment, now).await?;
    // After the ledger transaction it refers to; the unique quote refuses a second payment.
    tx.insert_payment(&NewPayment {
        payment_id,
        wallet_id,
        quote_id: &quote.quote_id,
        merchant_id: &merchant.merchant_id,
        device_id: &plan.device_id,
        receipt: stored,
        created_at: now,
        recorded_us: micros_now(),
    })
    .await
    .map_err(|error| match error {
        StoreError::Duplicate => ServiceError::QuoteAlreadyPaid,
        other => other.into(),
    })?;
    if let Some(used) = &plan.pay_code {
        tx.use_pay_code(
            &used.device_id,
            used.step,
            &used.merchant_id,
            Some(payment_id),
            now,
        )
        .await
        .map_err(|error| match error {
            StoreError::Duplicate => ServiceError::PayCodeUsed,
            other => other.into(),
        })?;
    }
    // After the payment's row, so that paying a quote twice is refused as such, never as a
    // promotion used up by its first payment.
    super::promotions::redeem(
        tx,
        wallet_id,
        &merchant.merchant_id,
        payment_id,
        &offer.applied,
        &campaigns,
        now,
    )
    .await?;
    tx.insert_activity(&NewActivity {
        activity_id: &plan.activity_id,
        wallet_id,
        kind: TransactionKind::Payment.as_str(),
        reference_id: payment_id,
        merchant_id: Some(&merchant.merchant_id),
        card_id: plan.card.as_ref().map(|card| card.card_id.as_str()),
        amount: Money::from_minor(-offer.pay.minor(), offer.pay.currency()),
        created_at: now,
        payment_id: None,
    })
    .await?;
    // Last: the balances, the busy shop's among them, stay locked only until the commit.
    ledger::post_entries(tx, payment_id, &postings).await?;
    Ok(Claim::Fresh((
        receipt.clone(),
        merchant.merchant_id.clone(),
    )))
}
