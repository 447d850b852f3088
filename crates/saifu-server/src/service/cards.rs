//! Linking and unlinking cards: the number and security code are checked, shown to the
//! issuer once and never kept; the service keeps a keyed fingerprint, the brand, the first
//! six and last four digits and the expiry.

use hmac::{Hmac, KeyInit, Mac};
use saifu_api::{Card, CardList, LinkCard, WalletEvent};
use saifu_core::card::{Cvv, Expiry, Pan};
use sha2::Sha256;

use super::issuer::IssuerDecision;
use super::{Service, ServiceError, SignedRequest, hex, random_token};
use crate::store::{CardRow, StoreError};

pub(super) fn card_view(row: CardRow) -> Card {
    Card {
        card_id: row.card_id,
        brand: row.brand,
        issuer: row.issuer,
        last4: row.last4,
        expiry: row.expiry,
        linked_at: row.linked_at,
    }
}

fn invalid(error: saifu_core::card::CardError) -> ServiceError {
    ServiceError::InvalidCard(error.to_string())
}

impl Service {
    pub async fn link_card(&self, request: SignedRequest) -> Result<Card, ServiceError> {
        let link: LinkCard = request.json()?;
        let pan = Pan::parse(&link.number).map_err(invalid)?;
        let expiry = Expiry::parse(&link.expiry).map_err(invalid)?;
        Cvv::parse(&link.security_code, pan.brand()).map_err(invalid)?;
        if link.holder.trim().is_empty() {
            return Err(ServiceError::InvalidCard(
                "the cardholder's name is missing".into(),
            ));
        }
        let now = self.now();
        expiry
            .ensure_valid_at(now)
            .map_err(|_| ServiceError::CardExpired)?;
        let (decision, issuer) = self.issuer.decide(pan.expose_digits());
        match decision {
            IssuerDecision::Decline => return Err(ServiceError::CardDeclined),
            IssuerDecision::Expired => return Err(ServiceError::CardExpired),
            IssuerDecision::Approve | IssuerDecision::InsufficientFunds => {}
        }
        let row = CardRow {
            card_id: format!("card_{}", random_token(12)?),
            wallet_id: request.device.wallet_id.clone(),
            brand: pan.brand(),
            issuer: issuer.to_owned(),
            last4: pan.last4().to_owned(),
            // With the last four, the most of a number PCI DSS allows to keep: for promotions
            // of one issuer's cards. Every valid number has at least 12 digits.
            bin: Some(pan.expose_digits()[..6].to_owned()),
            expiry,
            issuer_rule: decision.as_str().to_owned(),
            linked_at: now,
        };
        // The fingerprint key is made on first use, in the transaction that reads it.
        let fresh_key = random_token(32)?;
        let digits = pan.expose_digits().to_owned();
        let stored = row.clone();
        self.store
            .write(move |mut tx| {
                Box::pin(async move {
                    let key = tx.fingerprint_key(&fresh_key).await?;
                    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
                        .map_err(|error| ServiceError::internal("fingerprint key", error))?;
                    mac.update(digits.as_bytes());
                    let fingerprint = hex(&mac.finalize().into_bytes());
                    tx.insert_card(&stored, &fingerprint)
                        .await
                        .map_err(|error| match error {
                            StoreError::Duplicate => {
                                ServiceError::Conflict("this card is linked to the wallet already")
                            }
                            other => other.into(),
                        })
                })
            })
            .await?;
        tracing::info!(
            wallet_id = row.wallet_id,
            card_id = row.card_id,
            brand = ?row.brand,
            "card linked"
        );
        let wallet_id = row.wallet_id.clone();
        let card = card_view(row);
        self.publish(&wallet_id, WalletEvent::CardLinked { card: card.clone() });
        Ok(card)
    }

    pub async fn list_cards(&self, request: &SignedRequest) -> Result<CardList, ServiceError> {
        let rows = self.store.linked_cards(&request.device.wallet_id).await?;
        Ok(CardList {
            cards: rows.into_iter().map(card_view).collect(),
        })
    }

    pub async fn unlink_card(
        &self,
        request: SignedRequest,
        card_id: String,
    ) -> Result<CardList, ServiceError> {
        let (wallet_id, unlinked, now) = (
            request.device.wallet_id.clone(),
            card_id.clone(),
            self.now(),
        );
        self.store
            .write(move |mut tx| {
                Box::pin(async move { tx.unlink_card(&wallet_id, &unlinked, now).await })
            })
            .await
            .map_err(|error| match error {
                StoreError::NotFound => ServiceError::NotFound("the wallet has no such card"),
                other => other.into(),
            })?;
        self.publish(
            &request.device.wallet_id,
            WalletEvent::CardUnlinked { card_id },
        );
        self.list_cards(&request).await
    }

    /// A card the wallet can charge now, and whether its issuer pays.
    pub(super) async fn chargeable_card(
        &self,
        wallet_id: &str,
        card_id: &str,
    ) -> Result<CardRow, ServiceError> {
        let card = self
            .store
            .linked_card(wallet_id, card_id)
            .await?
            .ok_or(ServiceError::NotFound("the wallet has no such card"))?;
        card.expiry
            .ensure_valid_at(self.now())
            .map_err(|_| ServiceError::CardExpired)?;
        if IssuerDecision::from_stored(&card.issuer_rule) == IssuerDecision::InsufficientFunds {
            return Err(ServiceError::InsufficientFunds);
        }
        Ok(card)
    }
}
