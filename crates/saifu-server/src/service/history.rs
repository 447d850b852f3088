//! The wallet's history, a page at a time, and one payment's receipt.

use saifu_api::{Activity, ActivityCard, ActivityKind, ActivityMerchant, History, Receipt};

use super::money::stored_receipt;
use super::{Service, ServiceError, SignedRequest};
use crate::ledger::TransactionKind;

const HISTORY_PAGE: i64 = 20;

/// A cursor is the last entry's time and id: pages stay stable while new payments arrive.
fn parse_cursor(cursor: &str) -> Result<(i64, String), ServiceError> {
    let invalid = || ServiceError::BadRequest("invalid history cursor".into());
    let (time, id) = cursor.split_once('.').ok_or_else(invalid)?;
    Ok((time.parse().map_err(|_| invalid())?, id.to_owned()))
}

impl Service {
    pub async fn history(
        &self,
        request: SignedRequest,
        cursor: Option<String>,
    ) -> Result<History, ServiceError> {
        let before = cursor.as_deref().map(parse_cursor).transpose()?;
        let rows = self
            .store
            .activity_page(&request.device.wallet_id, before, HISTORY_PAGE + 1)
            .await?;
        let more = rows.len() > HISTORY_PAGE as usize;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(HISTORY_PAGE as usize) {
            let kind = match TransactionKind::from_stored(&row.kind) {
                Some(TransactionKind::Payment) => ActivityKind::Payment,
                Some(TransactionKind::TopUp) => ActivityKind::TopUp,
                Some(TransactionKind::Refund) => ActivityKind::Refund,
                None => {
                    return Err(ServiceError::internal(
                        "history",
                        format!("unknown kind {:?}", row.kind),
                    ));
                }
            };
            entries.push(Activity {
                activity_id: row.activity_id,
                kind,
                reference: row.reference_id,
                amount: row.amount,
                created_at: row.created_at,
                merchant: row
                    .merchant
                    .map(|(merchant_id, name, city, local)| ActivityMerchant {
                        merchant_id,
                        name,
                        city,
                        local,
                    }),
                card: row
                    .card
                    .map(|(card_id, brand, issuer, last4)| ActivityCard {
                        card_id,
                        brand,
                        issuer,
                        last4,
                    }),
                payment_id: row.payment_id,
            });
        }
        let next_cursor = more
            .then(|| {
                entries
                    .last()
                    .map(|last: &Activity| format!("{}.{}", last.created_at, last.activity_id))
            })
            .flatten();
        Ok(History {
            entries,
            next_cursor,
        })
    }

    /// The receipt of one of the wallet's payments; another wallet's is as good as absent.
    pub async fn payment(
        &self,
        request: SignedRequest,
        payment_id: String,
    ) -> Result<Receipt, ServiceError> {
        let stored = self
            .store
            .payment_receipt(&request.device.wallet_id, &payment_id)
            .await?
            .ok_or(ServiceError::NotFound("the wallet made no such payment"))?;
        stored_receipt(&stored)
    }
}
