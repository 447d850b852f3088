//! The service's answers as the screens show them: facts shaped for the UI, which words them.

use saifu_api as api;
use saifu_ipc::*;

use crate::ClientError;

pub(crate) fn card(card: api::Card) -> CardView {
    CardView {
        card_id: card.card_id,
        brand: card.brand,
        issuer: card.issuer,
        last4: card.last4,
        expiry: card.expiry,
    }
}

pub(crate) fn activity(activity: api::Activity) -> ActivityView {
    let (merchant, merchant_local) = match activity.merchant {
        Some(merchant) => (Some(merchant.name), merchant.local),
        None => (None, None),
    };
    ActivityView {
        activity_id: activity.activity_id,
        kind: match activity.kind {
            api::ActivityKind::Payment => ActivityKind::Payment,
            api::ActivityKind::TopUp => ActivityKind::TopUp,
            api::ActivityKind::Refund => ActivityKind::Refund,
        },
        reference: activity.reference,
        merchant,
        merchant_local,
        card: activity.card.map(|card| ActivityCardView {
            brand: card.brand,
            issuer: card.issuer,
            last4: card.last4,
        }),
        amount: activity.amount,
        created_at: activity.created_at,
        payment_id: activity.payment_id,
    }
}

pub(crate) fn history(page: api::History) -> HistoryPage {
    HistoryPage {
        entries: page.entries.into_iter().map(activity).collect(),
        next_cursor: page.next_cursor,
    }
}

pub(crate) fn quote(quote: api::Quote) -> Result<QuoteView, ClientError> {
    Ok(QuoteView {
        quote_id: quote.quote_id,
        merchant_name: quote.merchant.name,
        merchant_local: quote.merchant.local,
        merchant_city: quote.merchant.city,
        merchant_country: quote.merchant.country,
        price: quote.price,
        rate: quote.rate.map(rate).transpose()?,
        expires_at: quote.expires_at,
        offers: quote
            .offers
            .into_iter()
            .map(|offer| OfferView {
                card: offer.card.map(card),
                funding: funding_choice(offer.funding),
                discount: offer.discount,
                applied: offer.applied.into_iter().map(applied).collect(),
                pay: offer.pay,
            })
            .collect(),
    })
}

pub(crate) fn receipt(receipt: api::Receipt) -> Result<ReceiptView, ClientError> {
    Ok(ReceiptView {
        payment_id: receipt.payment_id,
        merchant_name: receipt.merchant_name,
        merchant_local: receipt.merchant_local,
        merchant_city: receipt.merchant_city,
        price: receipt.price,
        discount: receipt.discount,
        applied: receipt.applied.into_iter().map(applied).collect(),
        paid: receipt.paid,
        rate: receipt.rate.map(rate).transpose()?,
        funding: funding_choice(receipt.funding),
        created_at: receipt.created_at,
    })
}

pub(crate) fn top_up(receipt: api::TopUpReceipt) -> TopUpDone {
    TopUpDone {
        amount: receipt.amount,
        balance: receipt.balance,
    }
}

pub(crate) fn promotion(promotion: api::Promotion) -> PromotionView {
    PromotionView {
        campaign_id: promotion.campaign_id,
        name: promotion.name,
        names: promotion.names,
        funder: funder(promotion.funder),
        reward: reward(promotion.reward),
        brands: promotion.brands,
        ends_at: promotion.window.ends_at,
        coupon: promotion.coupon,
        coupon_held: promotion.coupon_held,
    }
}

pub(crate) fn coupon(coupon: api::Coupon) -> CouponView {
    CouponView {
        name: coupon.name,
        expires_at: coupon.expires_at,
    }
}

pub(crate) fn device(device: api::Device) -> DeviceView {
    DeviceView {
        device_id: device.device_id,
        device_name: device.device_name,
        registered_at: device.registered_at,
        locked_at: device.locked_at,
        this_device: device.this_device,
    }
}

/// A pushed event as the UI shows it; `this_device` tells a lock of this very device apart,
/// and keeps only this device's charges to confirm.
pub(crate) fn pushed(event: api::WalletEvent, this_device: Option<&str>) -> Option<Pushed> {
    use api::WalletEvent;
    Some(match event {
        WalletEvent::PaymentSucceeded { receipt } => Pushed::PaymentSucceeded {
            merchant_name: receipt.merchant_name,
            merchant_local: receipt.merchant_local,
            paid: receipt.paid,
        },
        WalletEvent::ToppedUp { receipt } => Pushed::ToppedUp {
            amount: receipt.amount,
            balance: receipt.balance,
        },
        WalletEvent::CardLinked { card } => Pushed::CardLinked {
            brand: card.brand,
            last4: card.last4,
        },
        WalletEvent::CardUnlinked { .. } => Pushed::CardUnlinked,
        WalletEvent::CouponClaimed { coupon } => Pushed::CouponClaimed { name: coupon.name },
        WalletEvent::DeviceAdded { device } => Pushed::DeviceAdded {
            device_name: device.device_name,
        },
        WalletEvent::DeviceLocked { device_id } => Pushed::DeviceLocked {
            this_device: Some(device_id.as_str()) == this_device,
        },
        WalletEvent::Refunded { refund } => Pushed::Refunded {
            merchant_name: refund.merchant_name,
            merchant_local: refund.merchant_local,
            returned: refund.returned,
        },
        WalletEvent::PayCodeConfirm {
            device_id,
            confirmation,
        } if Some(device_id.as_str()) == this_device => Pushed::PayCodeConfirm {
            charge_id: confirmation.charge_id,
            merchant_name: confirmation.merchant.name,
            merchant_local: confirmation.merchant.local,
            price: confirmation.price,
            pay: confirmation.pay,
            discount: confirmation.discount,
            expires_at: confirmation.expires_at,
        },
        WalletEvent::PayCodeConfirm { .. } => return None,
        WalletEvent::PayCodeChargeEnded { charge_id } => Pushed::PayCodeChargeEnded { charge_id },
        WalletEvent::WalletSuspended { .. } => Pushed::WalletSuspended,
        WalletEvent::WalletResumed => Pushed::WalletResumed,
    })
}

pub(crate) fn pay_code_settings(settings: api::PayCodeSettings) -> PayCodeSettingsView {
    PayCodeSettingsView {
        funding: funding_choice(settings.funding),
        fallback_card_id: settings.fallback_card_id,
        no_pin_limit: settings.no_pin_limit,
    }
}

pub(crate) fn funding(choice: FundingChoice) -> api::Funding {
    match choice {
        FundingChoice::Balance => api::Funding::Balance,
        FundingChoice::Card { card_id } => api::Funding::Card { card_id },
    }
}

fn rate(rate: api::RateShown) -> Result<RateView, ClientError> {
    Ok(RateView {
        rate: rate
            .exchange_rate()
            .map_err(|error| ClientError::Protocol(error.to_string()))?,
        as_of: rate.as_of,
    })
}

fn funding_choice(funding: api::Funding) -> FundingChoice {
    match funding {
        api::Funding::Balance => FundingChoice::Balance,
        api::Funding::Card { card_id } => FundingChoice::Card { card_id },
    }
}

fn funder(funder: api::Funder) -> Funder {
    match funder {
        api::Funder::Merchant => Funder::Merchant,
        api::Funder::Issuer => Funder::Issuer,
        api::Funder::Operator => Funder::Operator,
    }
}

fn applied(applied: api::AppliedPromotion) -> AppliedView {
    AppliedView {
        name: applied.name,
        names: applied.names,
        funder: funder(applied.funder),
        saving: applied.saving,
        coupon: applied.coupon_id.is_some(),
    }
}

fn reward(reward: api::Reward) -> RewardView {
    match reward {
        api::Reward::PercentOff { basis_points, cap } => {
            RewardView::PercentOff { basis_points, cap }
        }
        api::Reward::AmountOff { off } => RewardView::AmountOff { off },
        api::Reward::ThresholdOff { spend, off } => RewardView::ThresholdOff { spend, off },
        api::Reward::RandomOff { min, max } => RewardView::RandomOff { min, max },
        api::Reward::FirstPaymentBonus { off } => RewardView::FirstPaymentBonus { off },
    }
}

/// The error as it crosses to the UI: the code and its facts; the words are the UI's.
impl From<ClientError> for IpcError {
    fn from(error: ClientError) -> IpcError {
        IpcError::new(error.code(), error.to_string()).with_detail(error.detail())
    }
}
