//! Refunds, started by a shop's owner: all or part of a payment, back to where its money
//! came from at the payment's own rate, the discount shared pro rata with its funders; a
//! full refund also gives the promotions back. Idempotent, and never more than was paid.

use saifu_api::{Funding, Refund, RefundRequest, WalletEvent};
use saifu_core::money::Money;
use sha2::{Digest, Sha256};

use super::money::{
    Claim, IdempotencyKey, activity_id, claim, positive_amount, replay, stored_receipt,
};
use super::{Service, ServiceError, SignedTillRequest, hex, random_token};
use crate::ledger::{self, Refunded, Source, TransactionKind};
use crate::store::{KeyScope, NewActivity, NewRefund, PaidRow, StoreError, TillRow, WriteTx};

/// How far back a shop may refund a payment.
pub const REFUND_WINDOW_SECONDS: i64 = 365 * 24 * 60 * 60;

/// A refund checked before its write transaction.
struct RefundPlan {
    till: TillRow,
    paid: PaidRow,
    receipt: saifu_api::Receipt,
    amount: Money,
    key: IdempotencyKey,
    request_hash: String,
    refund_id: String,
    activity_id: String,
    now: i64,
}

impl Service {
    pub async fn refund(
        &self,
        request: SignedTillRequest,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<Refund, ServiceError> {
        let plan = self.plan_refund(request, key).await?;
        let wallet_id = plan.paid.wallet_id.clone();
        let merchant_id = plan.till.merchant_id.clone();
        let written = self
            .store
            .write(move |mut tx| Box::pin(async move { write_refund(&mut tx, plan).await }))
            .await?;
        let refund = match written {
            Claim::Fresh(refund) => refund,
            Claim::Done(response) => return replay(&response),
        };
        tracing::info!(
            wallet_id,
            payment_id = refund.payment_id,
            refund_id = refund.refund_id,
            "refunded"
        );
        self.publish_to_shop(&merchant_id, super::shop::refund_entry(&refund));
        self.publish(
            &wallet_id,
            WalletEvent::Refunded {
                refund: Box::new(refund.clone()),
            },
        );
        Ok(refund)
    }

    async fn plan_refund(
        &self,
        request: SignedTillRequest,
        key: Result<IdempotencyKey, ServiceError>,
    ) -> Result<RefundPlan, ServiceError> {
        let asked: RefundRequest = request.json()?;
        let till = request.owner()?.clone();
        let key = key?;
        let not_found = || ServiceError::NotFound("the shop has no such payment");
        // Another shop's payment is as good as absent: nothing about it is revealed.
        let paid = self
            .store
            .paid(&asked.payment_id)
            .await?
            .filter(|paid| paid.merchant_id == till.merchant_id)
            .ok_or_else(not_found)?;
        let receipt = stored_receipt(&paid.receipt)?;
        let now = self.now();
        let amount = positive_amount(&asked.amount, receipt.price.currency())?;
        let request_hash = hex(&Sha256::digest(request.body()));
        Ok(RefundPlan {
            till,
            paid,
            receipt,
            amount,
            key,
            request_hash,
            refund_id: format!("ref_{}", random_token(12)?),
            activity_id: activity_id()?,
            now,
        })
    }
}

/// The refund's writes: the till's idempotency key, the guarded refunded total, the ledger
/// transaction, the promotions back on a full refund, the wallet's history line and the
/// refund's row. Answers the refund, or a retry's stored answer.
async fn write_refund(
    tx: &mut WriteTx<'_>,
    plan: RefundPlan,
) -> Result<Claim<Refund>, ServiceError> {
    let merchant_id = &plan.till.merchant_id;
    let scope = KeyScope::Shop(merchant_id);
    if let Claim::Done(response) =
        claim(tx, scope, &plan.key, &plan.request_hash, "", plan.now).await?
    {
        return Ok(Claim::Done(response));
    }
    // Checked after the claim, so that a retry of a refund made in time gets its answer.
    let receipt = &plan.receipt;
    if plan.now - plan.paid.created_at > REFUND_WINDOW_SECONDS {
        return Err(ServiceError::RefundWindowClosed);
    }
    let price = receipt.price;
    let refunded = tx
        .add_refunded(&plan.paid.payment_id, plan.amount.minor(), price.minor())
        .await
        .map_err(|error| match error {
            StoreError::NotFound => ServiceError::RefundExceedsPayment,
            other => other.into(),
        })?;
    let refunded = Money::from_minor(refunded, price.currency());
    let before = refunded.checked_sub(plan.amount).map_err(|error| {
        ServiceError::internal("the refunded total is less than the refund", error)
    })?;
    let campaigns = super::promotions::applied_campaigns(tx, &receipt.applied).await?;
    let savings = super::promotions::savings(&receipt.applied, &campaigns);
    let wallet_id = &plan.paid.wallet_id;
    let (source, card_id) = match &receipt.funding {
        Funding::Balance => (
            Source::Balance {
                wallet_id: wallet_id.clone(),
            },
            None,
        ),
        Funding::Card { card_id } => (Source::Card, Some(card_id.as_str())),
    };
    let done = ledger::refund(
        &Refunded {
            source: &source,
            merchant_id,
            price,
            pay: receipt.paid,
            savings: &savings,
            before,
        },
        plan.amount,
    )?;
    let refund_id = &plan.refund_id;
    ledger::open(tx, refund_id, wallet_id, TransactionKind::Refund, plan.now).await?;
    if refunded == price {
        for promotion in &receipt.applied {
            let coupon = promotion
                .coupon_id
                .as_deref()
                .map(|coupon_id| (coupon_id, plan.paid.payment_id.as_str()));
            tx.restore_promotion(
                &promotion.campaign_id,
                wallet_id,
                promotion.saving.minor(),
                coupon,
            )
            .await?;
        }
    }
    tx.insert_activity(&NewActivity {
        activity_id: &plan.activity_id,
        wallet_id,
        kind: TransactionKind::Refund.as_str(),
        reference_id: refund_id,
        merchant_id: Some(merchant_id),
        card_id,
        amount: done.returned,
        created_at: plan.now,
        payment_id: Some(&plan.paid.payment_id),
    })
    .await?;
    let funded = receipt
        .applied
        .iter()
        .zip(&done.shares)
        .map(|(promotion, share)| (promotion.funder, *share));
    let refund = Refund {
        refund_id: refund_id.clone(),
        payment_id: plan.paid.payment_id.clone(),
        merchant_name: receipt.merchant_name.clone(),
        merchant_local: receipt.merchant_local.clone(),
        amount: plan.amount,
        returned: done.returned,
        funded: super::shop::by_funder(price.currency(), funded),
        refunded,
        price,
        funding: receipt.funding.clone(),
        created_at: plan.now,
    };
    let response =
        serde_json::to_string(&refund).map_err(|error| ServiceError::internal("refund", error))?;
    tx.insert_refund(&NewRefund {
        refund_id,
        payment_id: &plan.paid.payment_id,
        merchant_id,
        till_id: &plan.till.till_id,
        amount: plan.amount,
        returned: done.returned,
        response: &response,
        created_at: plan.now,
        recorded_us: super::money::micros_now(),
    })
    .await?;
    tx.store_idempotent_response(scope, plan.key.as_str(), &response)
        .await?;
    // Last: the balances, the busy shop's among them, stay locked only until the commit.
    ledger::post_entries(tx, refund_id, &done.postings).await?;
    Ok(Claim::Fresh(refund))
}
