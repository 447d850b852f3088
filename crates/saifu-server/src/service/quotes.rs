//! Quotes: a scanned shop's code priced for every way the wallet can pay, with the
//! promotions saifu-core's solver picks, converted at the stored rate when the wallet keeps
//! another currency than the shop's.

use saifu_api::{AppliedPromotion, Card, Funding, Quote, QuoteOffer, QuoteRequest, RateShown};
use saifu_core::money::{ExchangeRate, Money};
use saifu_core::promo::{self, FundingId, FundingOption};
use saifu_core::qr::{self, PaymentCode};

use super::cards::card_view;
use super::money::positive_amount;
use super::wallets::merchant_view;
use super::{Service, ServiceError, SignedRequest, random_bytes, random_token};
use crate::store::{MerchantRow, QuoteRow};
use saifu_core::qr::emv::SAIFU_GUID;

/// How long a quoted price holds.
const QUOTE_SECONDS: i64 = 120;

/// The oldest exchange rate a price is converted at: a day. An older one is refused rather
/// than shown as today's.
pub const RATE_MAX_AGE_SECONDS: i64 = 86_400;

impl Service {
    pub async fn quote(&self, request: SignedRequest) -> Result<Quote, ServiceError> {
        let asked: QuoteRequest = request.json()?;
        let invalid = ServiceError::InvalidPaymentCode;
        let now = self.now();
        let code = match qr::parse(&asked.payload).map_err(|error| invalid(error.to_string()))? {
            PaymentCode::EmvMpm(code) => code,
            other => return Err(invalid(format!("not a shop's code ({})", other.format()))),
        };
        let merchant_id = code
            .accounts
            .values()
            .find(|account| account.guid() == Some(SAIFU_GUID))
            .and_then(|account| account.fields.get(&1))
            .ok_or(ServiceError::UnknownMerchant)?;
        let merchant = self
            .store
            .merchant(merchant_id)
            .await?
            .ok_or(ServiceError::UnknownMerchant)?;
        if merchant.currency != code.currency {
            return Err(invalid("the code's currency is not the shop's".into()));
        }
        let fixed = code
            .amount
            .map(|amount| {
                amount
                    .within_ceiling()
                    .map_err(|error| ServiceError::AmountOutOfRange(error.to_string()))
            })
            .transpose()?;
        let price = match (fixed, asked.amount.as_deref()) {
            (Some(fixed), Some(entered)) if positive_amount(entered, code.currency)? != fixed => {
                return Err(ServiceError::BadRequest(
                    "the code fixes the amount; it cannot be changed".into(),
                ));
            }
            (Some(fixed), _) if fixed.minor() <= 0 => {
                return Err(ServiceError::AmountOutOfRange(
                    "the code's amount is not more than zero".into(),
                ));
            }
            (Some(fixed), _) => fixed,
            (None, Some(entered)) => positive_amount(entered, code.currency)?,
            (None, None) => return Err(ServiceError::AmountRequired),
        };
        let row = self
            .price(request.device.wallet_id.clone(), &merchant, price, now)
            .await?;
        let shown = row
            .rate
            .as_ref()
            .map(|(rate, as_of)| RateShown::new(rate, *as_of));
        Ok(Quote {
            quote_id: row.quote_id,
            merchant: merchant_view(merchant),
            price,
            pay: row.pay,
            rate: shown,
            expires_at: row.expires_at,
            offers: row.offers,
        })
    }

    /// `price` at `merchant` for every way the wallet can pay, with the promotions the
    /// solver picks, converted to the wallet's currency: stored as a quote that holds for
    /// [`QUOTE_SECONDS`].
    pub(super) async fn price(
        &self,
        wallet_id: String,
        merchant: &MerchantRow,
        price: Money,
        now: i64,
    ) -> Result<QuoteRow, ServiceError> {
        let home = self.store.wallet_currency(&wallet_id).await?;
        let rate = if home == price.currency() {
            None
        } else {
            let (text, as_of) = self
                .store
                .rate(price.currency().code(), home.code())
                .await?
                .filter(|(_, as_of)| now - as_of <= RATE_MAX_AGE_SECONDS)
                .ok_or(ServiceError::RateUnavailable(price.currency()))?;
            let rate = ExchangeRate::parse(price.currency(), home, &text)
                .map_err(|error| ServiceError::internal("a stored rate does not parse", error))?;
            Some((rate, as_of))
        };
        // What leaves the wallet for `due` in the shop's currency: every offer at one rate.
        let in_home = |due: Money| match &rate {
            None => Ok(due),
            Some((rate, _)) => rate
                .convert(due)
                .and_then(Money::within_ceiling)
                .map_err(|error| ServiceError::AmountOutOfRange(error.to_string())),
        };
        let seed = promo_seed()?;
        let (fundings, cards) = self.funding_options(&wallet_id).await?;
        let context = self
            .promotion_context(&wallet_id, home, fundings, merchant, price, now, seed)
            .await?;
        let offers = promo::offers(&context)
            .into_iter()
            .map(|offer| {
                let card = match &offer.funding {
                    FundingId::Balance => None,
                    FundingId::Card(card_id) => {
                        cards.iter().find(|card| &card.card_id == card_id).cloned()
                    }
                };
                Ok(QuoteOffer {
                    pay: in_home(offer.pay)?,
                    discount: offer.saving(),
                    funding: match offer.funding {
                        FundingId::Balance => Funding::Balance,
                        FundingId::Card(card_id) => Funding::Card { card_id },
                    },
                    card,
                    applied: offer
                        .applied
                        .into_iter()
                        .map(AppliedPromotion::from)
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        // The balance is always an offer.
        let pay = offers
            .first()
            .ok_or_else(|| ServiceError::internal("quote", "the solver offered nothing"))?
            .pay;
        let row = QuoteRow {
            quote_id: format!("quo_{}", random_token(12)?),
            wallet_id,
            merchant_id: merchant.merchant_id.clone(),
            price,
            pay,
            rate,
            created_at: now,
            expires_at: now + QUOTE_SECONDS,
            promo_seed: i64::try_from(seed)
                .map_err(|error| ServiceError::internal("seed", error))?,
            offers,
        };
        let stored = row.clone();
        self.store
            .write_single(move |mut tx| Box::pin(async move { tx.insert_quote(&stored).await }))
            .await
            .map_err(ServiceError::from)?;
        Ok(row)
    }

    /// How the wallet can pay now, with what card promotions look at: the balance, and each
    /// linked card that has not expired with its brand and BIN; and those cards as shown.
    async fn funding_options(
        &self,
        wallet_id: &str,
    ) -> Result<(Vec<FundingOption>, Vec<Card>), ServiceError> {
        let now = self.now();
        let mut options = vec![FundingOption {
            id: FundingId::Balance,
            brand: None,
            bin: None,
        }];
        let mut cards = Vec::new();
        for card in self.store.linked_cards(wallet_id).await? {
            if card.expiry.is_valid_at(now) {
                options.push(FundingOption {
                    brand: Some(card.brand),
                    id: FundingId::Card(card.card_id.clone()),
                    bin: card.bin.clone(),
                });
                cards.push(card_view(card));
            }
        }
        Ok((options, cards))
    }
}

/// The seed of a quote's random discounts: 63 random bits, so that it fits a BIGINT as it is.
fn promo_seed() -> Result<u64, ServiceError> {
    let mut bytes = [0_u8; 8];
    random_bytes(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes) >> 1)
}
