//! The wallet's own pay code (`saifu_core::paycode`), charged from a shop's till: the key
//! and number a device gets, what its codes pay with, and the charge itself. The service,
//! never the till, checks the code; it is good for one charge; a charge above the wallet's
//! no-PIN limit waits for the device to confirm it, and a refusal charges nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use saifu_api::{
    AnswerPayCode, ChargePayCode, ErrorCode, FeedEntry, Funding, PayCodeAnswered,
    PayCodeConfirmation, PayCodeGrant, PayCodeSettings, Receipt, WalletEvent,
};
use saifu_core::money::{Currency, Money};
use saifu_core::paycode::{DEVICE_NUMBERS, PayCode, PayCodeKey, Verified};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::money::{
    Claim, IdempotencyKey, PayCodeUse, PaymentPlan, positive_amount, stored_receipt, write_payment,
};
use super::wallets::merchant_view;
use super::{
    Service, ServiceError, SignedTillRequest, SignedWrite, hex, random_bytes, random_token,
};
use crate::ledger::Account;
use crate::store::{MerchantRow, PayCodeRow, QuoteRow, StoreError};

/// How long a till waits for the customer to confirm a charge above the no-PIN limit.
pub const CONFIRM_SECONDS: u64 = 60;

/// Wrong codes a shop's tills may send within [`MISS_WINDOW_SECONDS`] before the shop is
/// paused: with 3 valid codes in 10^7 per device, 20 guesses in 10 minutes find one with
/// odds of 6 in 10^6.
const MISSES_ALLOWED: i64 = 20;
const MISS_WINDOW_SECONDS: i64 = 600;

/// Charges waiting for their customer, by charge id.
pub(super) type WaitingCharges = Arc<Mutex<HashMap<String, Waiting>>>;

/// A charge above the no-PIN limit, waiting for the device's answer.
pub(super) struct Waiting {
    wallet_id: String,
    used: PayCodeUse,
    /// The till's idempotency key: its retry waits for the same answer.
    key: String,
    /// Taken by the answer: whoever takes it decides the charge.
    plan: Option<PaymentPlan>,
    ended: Arc<watch::Sender<Option<Ended>>>,
}

/// How a waiting charge ended, for every till request waiting on it.
#[derive(Clone, Debug)]
enum Ended {
    Paid(Box<Receipt>),
    Refused(ErrorCode),
}

/// The most charged without asking, until the user sets their own: about what a
/// convenience store's basket costs.
fn default_no_pin_limit(currency: Currency) -> Money {
    let major: i64 = match currency.code() {
        "JPY" => 5_000,
        "CNY" => 200,
        _ => 30,
    };
    Money::from_minor(major * 10_i64.pow(u32::from(currency.exponent())), currency)
}

fn settings_view(row: &PayCodeRow, currency: Currency) -> PayCodeSettings {
    PayCodeSettings {
        funding: row
            .funding_card_id
            .clone()
            .map_or(Funding::Balance, |card_id| Funding::Card { card_id }),
        fallback_card_id: row.fallback_card_id.clone(),
        no_pin_limit: Money::from_minor(row.no_pin_limit_minor, currency),
    }
}

fn key_of(row: &PayCodeRow) -> Result<PayCodeKey, ServiceError> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&row.pay_key)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            ServiceError::internal("pay code", "a stored pay-code key is not 32 bytes")
        })?;
    Ok(PayCodeKey::from_bytes(bytes))
}

fn ended(outcome: Ended) -> Result<Receipt, ServiceError> {
    match outcome {
        Ended::Paid(receipt) => Ok(*receipt),
        Ended::Refused(ErrorCode::PaymentDeclined) => Err(ServiceError::PaymentDeclined),
        Ended::Refused(ErrorCode::ConfirmationTimedOut) => Err(ServiceError::ConfirmationTimedOut),
        Ended::Refused(code) => Err(ServiceError::RefusedOnConfirmation(code)),
    }
}

impl Service {
    /// Gives the signing device its pay-code key (a new one, if it had one: its older
    /// codes stop working) and, the first time, its number and the default settings.
    pub async fn issue_pay_code(&self, write: SignedWrite) -> Result<PayCodeGrant, ServiceError> {
        let device_id = write.device.device_id.clone();
        let currency = self.store.wallet_currency(&write.device.wallet_id).await;
        let plan = currency.map_err(ServiceError::from).and_then(|currency| {
            let mut key = [0_u8; 32];
            random_bytes(&mut key)?;
            let mut numbers = [0_u32; 4];
            for number in &mut numbers {
                let mut bytes = [0_u8; 8];
                random_bytes(&mut bytes)?;
                // 2^64 is far above 10^8: the bias is under 10^-10.
                *number = (u64::from_le_bytes(bytes) % u64::from(DEVICE_NUMBERS)) as u32;
            }
            Ok((URL_SAFE_NO_PAD.encode(key), numbers, currency))
        });
        let now = self.now();
        let (row, currency) = self
            .transact(write, plan, move |mut tx, (key, numbers, currency)| {
                Box::pin(async move {
                    let limit = default_no_pin_limit(currency).minor();
                    let row = tx
                        .issue_pay_code(&device_id, &key, &numbers, limit, now)
                        .await
                        .map_err(|error| match error {
                            StoreError::Duplicate => ServiceError::internal(
                                "pay code",
                                "four random device numbers were all taken",
                            ),
                            other => other.into(),
                        })?;
                    Ok((row, currency))
                })
            })
            .await?;
        tracing::info!(device_id = row.device_id, "pay code issued");
        Ok(PayCodeGrant {
            device_number: row.device_number,
            key: row.pay_key.clone(),
            settings: settings_view(&row, currency),
        })
    }

    /// What the signing device's codes pay with, and up to what amount without asking.
    pub async fn set_pay_code_settings(
        &self,
        write: SignedWrite,
    ) -> Result<PayCodeSettings, ServiceError> {
        let plan = self.check_settings(&write).await;
        let device_id = write.device.device_id.clone();
        self.transact(write, plan, move |mut tx, settings: PayCodeSettings| {
            Box::pin(async move {
                let card = |funding: &Funding| match funding {
                    Funding::Balance => None,
                    Funding::Card { card_id } => Some(card_id.clone()),
                };
                tx.set_pay_code_settings(
                    &device_id,
                    card(&settings.funding).as_deref(),
                    settings.fallback_card_id.as_deref(),
                    settings.no_pin_limit.minor(),
                )
                .await
                .map_err(|error| match error {
                    StoreError::NotFound => ServiceError::NotFound("this device has no pay code"),
                    other => other.into(),
                })?;
                Ok(settings)
            })
        })
        .await
    }

    async fn check_settings(&self, write: &SignedWrite) -> Result<PayCodeSettings, ServiceError> {
        let settings: PayCodeSettings = write.json()?;
        let wallet_id = &write.device.wallet_id;
        if let Funding::Card { card_id } = &settings.funding {
            self.chargeable_card(wallet_id, card_id).await?;
        }
        if let Some(card_id) = &settings.fallback_card_id {
            self.chargeable_card(wallet_id, card_id).await?;
        }
        let currency = self.store.wallet_currency(wallet_id).await?;
        let limit = settings.no_pin_limit;
        if limit.currency() != currency {
            return Err(ServiceError::BadRequest(
                "the no-PIN limit is in the wallet's currency".into(),
            ));
        }
        if limit.is_negative() {
            return Err(ServiceError::AmountOutOfRange(
                "the no-PIN limit is not negative".into(),
            ));
        }
        limit
            .within_ceiling()
            .map_err(|error| ServiceError::AmountOutOfRange(error.to_string()))?;
        Ok(settings)
    }

    /// A till charges the pay code it scanned: checked, priced like any payment, paid at
    /// once up to the wallet's no-PIN limit and above it once the device confirms.
    pub async fn charge_pay_code(
        &self,
        request: SignedTillRequest,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<FeedEntry, ServiceError> {
        let asked: ChargePayCode = request.json()?;
        let key = key?;
        let merchant_id = request.till.merchant_id.clone();
        let merchant = self
            .store
            .merchant(&merchant_id)
            .await?
            .ok_or_else(|| ServiceError::internal("pay code", "a till's shop is missing"))?;
        let code = PayCode::parse(&asked.code).map_err(|_| ServiceError::PayCodeWrong)?;
        let price = positive_amount(&asked.amount, merchant.currency)?;
        let now = self.now();
        let misses = self
            .store
            .pay_code_misses(&merchant_id, now - MISS_WINDOW_SECONDS)
            .await?;
        if misses >= MISSES_ALLOWED {
            return Err(ServiceError::PayCodesPaused);
        }
        let found = self.store.pay_code_of_number(code.device_number).await?;
        let verified = match &found {
            Some(row) => code.verify(&key_of(row)?, now),
            None => Verified::Wrong,
        };
        let (row, step) = match (found, verified) {
            (Some(row), Verified::Valid { step }) => (row, step),
            (_, Verified::Expired) => return Err(ServiceError::PayCodeExpired),
            _ => {
                let shop = merchant_id.clone();
                self.store
                    .write_single(move |mut tx| {
                        Box::pin(async move { tx.record_pay_code_miss(&shop, now).await })
                    })
                    .await?;
                tracing::info!(merchant_id, "a wrong pay code");
                return Err(ServiceError::PayCodeWrong);
            }
        };
        let device =
            self.store.device(&row.device_id).await?.ok_or_else(|| {
                ServiceError::internal("pay code", "a pay code's device is missing")
            })?;
        if device.locked_at.is_some() {
            return Err(ServiceError::PayCodeLocked);
        }
        if device.wallet_suspended_at.is_some() {
            return Err(ServiceError::WalletSuspended);
        }
        let used = PayCodeUse {
            device_id: device.device_id.clone(),
            step,
            merchant_id: merchant_id.clone(),
        };
        // A till's retry of a charge that waits for its customer waits for the same answer.
        if let Some(outcome) = self.join_waiting(&used, key.as_str())? {
            return Ok(super::shop::payment_entry(&self.outcome(outcome).await?, 0));
        }
        let quote = self
            .price(device.wallet_id.clone(), &merchant, price, now)
            .await?;
        let (funding, card) = self
            .pay_code_funding(&device.wallet_id, &row, &quote)
            .await?;
        let limit = row.no_pin_limit_minor;
        let plan = PaymentPlan::new(
            device.wallet_id.clone(),
            device.device_id.clone(),
            card,
            Some((quote, merchant.clone())),
            &funding,
            key,
            hex(&Sha256::digest(request.body())),
            now,
            Some(used),
        )?;
        let receipt = plan
            .receipt()
            .cloned()
            .ok_or(ServiceError::FundingNotQuoted)?;
        if receipt.paid.minor() <= limit {
            let wallet_id = device.wallet_id.clone();
            let written = self
                .store
                .write(move |mut tx| Box::pin(async move { write_payment(&mut tx, plan).await }))
                .await?;
            let receipt = match written {
                Claim::Fresh((receipt, _)) => {
                    self.announce_payment(&wallet_id, &merchant_id, &receipt);
                    receipt
                }
                Claim::Done(response) => stored_receipt(&response)?,
            };
            return Ok(super::shop::payment_entry(&receipt, 0));
        }
        let outcome = self.wait_for_customer(plan, &receipt, merchant)?;
        Ok(super::shop::payment_entry(&self.outcome(outcome).await?, 0))
    }

    /// The way of paying the device chose if the quote offers it, else the balance; the
    /// balance falls to the fallback card, if the user allowed one, when it is short, and
    /// is refused when it is short without one.
    async fn pay_code_funding(
        &self,
        wallet_id: &str,
        row: &PayCodeRow,
        quote: &QuoteRow,
    ) -> Result<(Funding, Option<crate::store::CardRow>), ServiceError> {
        let offer = |funding: &Funding| quote.offers.iter().find(|offer| offer.funding == *funding);
        let chosen = row
            .funding_card_id
            .clone()
            .map(|card_id| Funding::Card { card_id })
            .filter(|funding| offer(funding).is_some())
            .unwrap_or(Funding::Balance);
        let fallback = row
            .fallback_card_id
            .clone()
            .map(|card_id| Funding::Card { card_id })
            .filter(|funding| offer(funding).is_some());
        // A short balance is found before the customer is asked to confirm a charge that
        // would fail.
        let funding = match chosen {
            Funding::Balance => {
                let due = offer(&Funding::Balance).map_or(0, |offer| offer.pay.minor());
                let balance = self
                    .store
                    .balance(&Account::wallet(wallet_id, quote.pay.currency()).id())
                    .await?;
                match fallback {
                    _ if balance >= due => Funding::Balance,
                    Some(fallback) => fallback,
                    None => return Err(ServiceError::InsufficientFunds),
                }
            }
            chosen => chosen,
        };
        let card = match &funding {
            Funding::Balance => None,
            Funding::Card { card_id } => Some(self.chargeable_card(wallet_id, card_id).await?),
        };
        Ok((funding, card))
    }

    /// The answer a waiting charge of this code will get, for the till that asked with
    /// `key`; [`ServiceError::PayCodeUsed`] when another charge of the code waits.
    fn join_waiting(
        &self,
        used: &PayCodeUse,
        key: &str,
    ) -> Result<Option<watch::Receiver<Option<Ended>>>, ServiceError> {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(charge) = waiting.values().find(|charge| {
            charge.used.device_id == used.device_id && charge.used.step == used.step
        }) else {
            return Ok(None);
        };
        if charge.used.merchant_id == used.merchant_id && charge.key == key {
            Ok(Some(charge.ended.subscribe()))
        } else {
            Err(ServiceError::PayCodeUsed)
        }
    }

    /// Asks the device to confirm the charge, and ends it unconfirmed after
    /// [`CONFIRM_SECONDS`] whether or not the till still waits.
    fn wait_for_customer(
        &self,
        plan: PaymentPlan,
        receipt: &Receipt,
        merchant: MerchantRow,
    ) -> Result<watch::Receiver<Option<Ended>>, ServiceError> {
        let charge_id = format!("chg_{}", random_token(12)?);
        let (ended, outcome) = watch::channel(None);
        let wallet_id = plan.wallet_id.clone();
        let used = plan
            .pay_code
            .clone()
            .ok_or_else(|| ServiceError::internal("pay code", "a charge without its code"))?;
        let device_id = used.device_id.clone();
        {
            let mut waiting = self
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // Two tills may have priced the same code at once: the first to wait has it.
            if waiting.values().any(|charge| {
                charge.used.device_id == used.device_id && charge.used.step == used.step
            }) {
                return Err(ServiceError::PayCodeUsed);
            }
            waiting.insert(
                charge_id.clone(),
                Waiting {
                    wallet_id: wallet_id.clone(),
                    used,
                    key: plan.key.as_str().to_owned(),
                    plan: Some(plan),
                    ended: Arc::new(ended),
                },
            );
        }
        let confirmation = PayCodeConfirmation {
            charge_id: charge_id.clone(),
            merchant: merchant_view(merchant),
            price: receipt.price,
            pay: receipt.paid,
            discount: receipt.discount,
            funding: receipt.funding.clone(),
            expires_at: self.now() + CONFIRM_SECONDS as i64,
        };
        tracing::info!(
            wallet_id,
            charge_id,
            "a pay-code charge waits for its customer"
        );
        self.publish(
            &wallet_id,
            WalletEvent::PayCodeConfirm {
                device_id,
                confirmation: Box::new(confirmation),
            },
        );
        let service = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(service.confirm_within).await;
            service.time_out(&charge_id).await;
        });
        Ok(outcome)
    }

    /// Ends a charge nobody answered: its code is used up, nothing is charged.
    async fn time_out(&self, charge_id: &str) {
        let unanswered = {
            let mut waiting = self
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match waiting.get(charge_id) {
                Some(charge) if charge.plan.is_some() => waiting.remove(charge_id),
                // Answered meanwhile: the answer ends it.
                _ => None,
            }
        };
        let Some(charge) = unanswered else { return };
        if let Err(error) = self.use_up(&charge.used).await {
            tracing::warn!(%error, charge_id, "a timed-out pay code was not marked used");
        }
        tracing::info!(charge_id, "a pay-code charge timed out");
        charge
            .ended
            .send_replace(Some(Ended::Refused(ErrorCode::ConfirmationTimedOut)));
        self.publish(
            &charge.wallet_id,
            WalletEvent::PayCodeChargeEnded {
                charge_id: charge_id.to_owned(),
            },
        );
    }

    /// Marks a code used with no payment, after a refusal.
    async fn use_up(&self, used: &PayCodeUse) -> Result<(), ServiceError> {
        let (used, now) = (used.clone(), self.now());
        self.store
            .write_single(move |mut tx| {
                Box::pin(async move {
                    match tx
                        .use_pay_code(&used.device_id, used.step, &used.merchant_id, None, now)
                        .await
                    {
                        Ok(()) | Err(StoreError::Duplicate) => Ok(()),
                        Err(other) => Err(other),
                    }
                })
            })
            .await
            .map_err(ServiceError::from)
    }

    async fn outcome(
        &self,
        mut outcome: watch::Receiver<Option<Ended>>,
    ) -> Result<Receipt, ServiceError> {
        let ended_as = outcome
            .wait_for(Option::is_some)
            .await
            .map_err(|error| ServiceError::internal("pay code", error))?
            .clone()
            .ok_or(ServiceError::Internal)?;
        ended(ended_as)
    }

    /// The device answers a charge of its pay code that waits for it: approved (after the
    /// app checked the PIN), the payment is made; declined, the code is used up unpaid.
    pub async fn answer_pay_code(
        &self,
        write: SignedWrite,
        charge_id: String,
    ) -> Result<PayCodeAnswered, ServiceError> {
        let taken = write.json::<AnswerPayCode>().and_then(|answer| {
            let mut waiting = self
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let charge = waiting
                .get_mut(&charge_id)
                .filter(|charge| charge.used.device_id == write.device.device_id)
                .ok_or(ServiceError::NotFound(
                    "no charge of this device's code waits",
                ))?;
            let plan = charge
                .plan
                .take()
                .ok_or(ServiceError::Conflict("the charge was answered already"))?;
            Ok((answer, plan, charge.ended.clone()))
        });
        let (answer, plan, ended) = match taken {
            Ok(taken) => taken,
            Err(refusal) => return Err(self.refuse(write, refusal).await),
        };
        let wallet_id = plan.wallet_id.clone();
        let used = plan.pay_code.clone();
        let result = if answer.approve {
            self.transact(write, Ok(plan), |mut tx, plan| {
                Box::pin(async move { write_payment(&mut tx, plan).await })
            })
            .await
            .and_then(|written| match written {
                Claim::Fresh((receipt, merchant_id)) => {
                    self.announce_payment(&wallet_id, &merchant_id, &receipt);
                    Ok(receipt)
                }
                Claim::Done(response) => stored_receipt(&response),
            })
            .map(Some)
        } else {
            let now = self.now();
            self.transact(write, Ok(used.clone()), move |mut tx, used| {
                Box::pin(async move {
                    if let Some(used) = used {
                        match tx
                            .use_pay_code(&used.device_id, used.step, &used.merchant_id, None, now)
                            .await
                        {
                            Ok(()) | Err(StoreError::Duplicate) => {}
                            Err(other) => return Err(other.into()),
                        }
                    }
                    Ok(None)
                })
            })
            .await
        };
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&charge_id);
        let outcome = match &result {
            Ok(Some(receipt)) => Ended::Paid(Box::new(receipt.clone())),
            Ok(None) => Ended::Refused(ErrorCode::PaymentDeclined),
            Err(error) => Ended::Refused(error.code()),
        };
        ended.send_replace(Some(outcome));
        tracing::info!(
            charge_id,
            approved = answer.approve,
            "a pay-code charge answered"
        );
        Ok(PayCodeAnswered {
            charge_id,
            receipt: result?.map(Box::new),
        })
    }
}
