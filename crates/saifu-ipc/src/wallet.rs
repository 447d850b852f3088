//! The wallet journey's commands: onboarding, money, scanning, paying, history and devices.
//! Shaped for the screens that show them; the shell maps the service's answers onto them.

use std::collections::BTreeMap;

use saifu_core::card::{Brand, Expiry};
use saifu_core::money::{Currency, ExchangeRate, Money};
pub use saifu_core::qr::LocalName;
use serde::{Deserialize, Serialize};

use crate::Command;

macro_rules! command {
    ($request:ident => $name:literal, $output:ty) => {
        impl Command for $request {
            const NAME: &'static str = $name;
            type Output = $output;
        }
    };
}

/// Where the app stands on this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No wallet here yet: onboarding.
    Welcome,
    /// A wallet, waiting for the PIN (at start and after "Lock the app").
    Locked,
    Ready,
    /// The keyring lost the device key: set up again.
    KeyMissing,
    /// Another device locked this one; its key is gone.
    DeviceLocked,
    /// The wallet's lock code suspended every device; the recovery code lifts it.
    Suspended,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppStatus {
    pub stage: Stage,
    /// The service this wallet talks to, or the default one onboarding proposes.
    pub service_url: String,
    /// The device's name, once onboarded.
    pub device_name: Option<String>,
    /// Whether the system keyring answers, so a device key can be kept: shown before the
    /// onboarding form, which cannot succeed without it.
    #[serde(default = "keyring_ready_by_default")]
    pub keyring_ready: bool,
}

fn keyring_ready_by_default() -> bool {
    true
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRequest {}
command!(StatusRequest => "status", AppStatus);

/// Creates a wallet with this device.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardRequest {
    pub service_url: String,
    pub device_name: String,
    pub home_currency: Currency,
    pub pin: String,
}
command!(OnboardRequest => "onboard", AppStatus);

/// Forgets the wallet on this device (key and local data); the service keeps the wallet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetRequest {}
command!(ForgetRequest => "forget", AppStatus);

/// `pin: None` locks the app; `Some` unlocks it when the PIN is right.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockRequest {
    pub pin: Option<String>,
}
command!(UnlockRequest => "unlock", AppStatus);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub card_id: String,
    pub brand: Brand,
    pub issuer: String,
    pub last4: String,
    pub expiry: Expiry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Payment,
    TopUp,
    /// Money a shop gave back of a payment.
    Refund,
}

/// A history line as facts; the UI words it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub activity_id: String,
    pub kind: ActivityKind,
    /// The payment or top-up it records.
    pub reference: String,
    /// The shop paid, for a payment, and its name in its own language.
    pub merchant: Option<String>,
    pub merchant_local: Option<LocalName>,
    /// The card charged: a top-up's, or a payment's made by card.
    pub card: Option<ActivityCardView>,
    /// Money out is negative.
    pub amount: Money,
    pub created_at: i64,
    /// For a refund, the payment it gives back.
    #[serde(default)]
    pub payment_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCardView {
    pub brand: Brand,
    pub issuer: String,
    pub last4: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub balance: Option<Money>,
    pub cards: Vec<CardView>,
    pub recent: Vec<ActivityView>,
    /// Whether the wallet has paid a shop yet; until then Home shows how to start.
    pub has_paid: bool,
    /// False when the service could not be reached and this is what was saved last.
    pub fresh: bool,
    pub as_of: i64,
    /// Whether the user said they saved the recovery sheet; until then Home asks.
    pub recovery_saved: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewRequest {}
command!(OverviewRequest => "overview", Overview);

/// The card's details travel once, to the service; the device keeps none of them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCardRequest {
    pub number: String,
    pub expiry: String,
    pub security_code: String,
    pub holder: String,
}
command!(LinkCardRequest => "link_card", CardView);

/// Requests that carry a PIN or card details print as their name only.
macro_rules! redacted_debug {
    ($($request:ident),*) => {$(
        impl std::fmt::Debug for $request {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($request), " { <redacted> }"))
            }
        }
    )*};
}

redacted_debug!(
    OnboardRequest,
    UnlockRequest,
    LinkCardRequest,
    PayRequest,
    AnswerChargeRequest,
    RecoverySheetView,
    ResumeRequest
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkCardRequest {
    pub card_id: String,
}
command!(UnlinkCardRequest => "unlink_card", Vec<CardView>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpRequest {
    pub card_id: String,
    /// As typed, in the wallet's currency: "200" or "200.50".
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpDone {
    pub amount: Money,
    pub balance: Money,
}
command!(TopUpRequest => "top_up", TopUpDone);

/// Reads every code in an image the user picked (PNG or JPEG bytes, base64).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanImageRequest {
    pub image_base64: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedCodes {
    /// The text of each code found, in reading order.
    pub payloads: Vec<String>,
}
command!(ScanImageRequest => "scan_image", ScannedCodes);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub payload: String,
    /// Needed when the code carries no amount, in the merchant's currency.
    pub amount: Option<String>,
}

/// The rate a price was converted at and when it was set: facts the UI words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateView {
    pub rate: ExchangeRate,
    pub as_of: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub quote_id: String,
    pub merchant_name: String,
    pub merchant_city: String,
    pub merchant_country: String,
    /// The shop's name and city in its own language, where it has them.
    pub merchant_local: Option<LocalName>,
    /// The merchant's price, in its currency.
    pub price: Money,
    /// For a cross-border payment, the rate it was converted at.
    pub rate: Option<RateView>,
    pub expires_at: i64,
    /// One per way of paying, cheapest first: the first is the one picked for the user.
    pub offers: Vec<OfferView>,
}

/// What paying one way costs, promotions applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub funding: FundingChoice,
    /// The card this offer is paid with, to name it.
    pub card: Option<CardView>,
    /// Off the price, in the merchant's currency.
    pub discount: Money,
    pub applied: Vec<AppliedView>,
    /// What leaves the wallet or the card, in the wallet's currency.
    pub pay: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    Merchant,
    Issuer,
    Operator,
}

/// One promotion in a price, with what it saves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedView {
    /// In English; `names` has it in other languages, by BCP 47 tag.
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    pub saving: Money,
    pub coupon: bool,
}

command!(QuoteRequest => "quote", QuoteView);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum FundingChoice {
    Balance,
    Card { card_id: String },
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayRequest {
    pub quote_id: String,
    pub funding: FundingChoice,
    pub pin: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub payment_id: String,
    pub merchant_name: String,
    pub merchant_city: String,
    pub merchant_local: Option<LocalName>,
    pub price: Money,
    pub discount: Money,
    pub applied: Vec<AppliedView>,
    pub paid: Money,
    pub rate: Option<RateView>,
    pub funding: FundingChoice,
    pub created_at: i64,
}
command!(PayRequest => "pay", ReceiptView);

/// The recovery sheet to print or save: the one made with the wallet while the app has
/// it, else a new one (the old codes stop working).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoverySheetRequest {}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoverySheetView {
    pub lock_code: String,
    pub recovery_code: String,
    /// Where any browser locks the wallet with the lock code.
    pub lock_page: String,
}
command!(RecoverySheetRequest => "recovery_sheet", RecoverySheetView);

/// The user saved the recovery sheet: Home stops asking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoverySavedRequest {}
command!(RecoverySavedRequest => "recovery_saved", ());

/// Lifts the wallet's suspension with the recovery code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeRequest {
    pub recovery_code: String,
}
command!(ResumeRequest => "resume", AppStatus);

/// This device's pay code now, made on the device with no network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCodeRequest {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCodeView {
    /// The 18 digits, as a till reads them.
    pub code: String,
    /// The code as SVG: a QR code, and a Code 128 barcode for tills that read only those.
    pub qr_svg: String,
    pub barcode_svg: String,
    /// When the next code replaces this one (Unix seconds).
    pub expires_at: i64,
    pub settings: PayCodeSettingsView,
}
command!(PayCodeRequest => "pay_code", PayCodeView);

/// How the pay code pays: `funding` first, the card `fallback_card_id` when the balance is
/// short (if any), and the PIN asked above `no_pin_limit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCodeSettingsView {
    pub funding: FundingChoice,
    pub fallback_card_id: Option<String>,
    pub no_pin_limit: Money,
}

/// New settings for the pay code; `no_pin_limit` as typed, in the wallet's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCodeSettingsRequest {
    pub funding: FundingChoice,
    pub fallback_card_id: Option<String>,
    pub no_pin_limit: String,
}
command!(PayCodeSettingsRequest => "pay_code_settings", PayCodeView);

/// The user's answer to a charge of the pay code above the no-PIN limit: approving it
/// takes the PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerChargeRequest {
    pub charge_id: String,
    pub approve: bool,
    pub pin: Option<String>,
}
command!(AnswerChargeRequest => "answer_charge", Option<ReceiptView>);

/// What a promotion gives, for the UI to put in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RewardView {
    PercentOff {
        basis_points: u32,
        cap: Option<Money>,
    },
    AmountOff {
        off: Money,
    },
    ThresholdOff {
        spend: Money,
        off: Money,
    },
    RandomOff {
        min: Money,
        max: Money,
    },
    FirstPaymentBonus {
        off: Money,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionView {
    pub campaign_id: String,
    /// In English; `names` has it in other languages, by BCP 47 tag.
    pub name: String,
    pub names: BTreeMap<String, String>,
    pub funder: Funder,
    pub reward: RewardView,
    /// Only with a card of these brands; empty: any way of paying.
    pub brands: Vec<Brand>,
    pub ends_at: Option<i64>,
    /// Needs a coupon claimed first.
    pub coupon: bool,
    pub coupon_held: bool,
}

/// Promotions running now that the wallet may use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionsRequest {}
command!(PromotionsRequest => "promotions", Vec<PromotionView>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCouponRequest {
    pub campaign_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponView {
    pub name: String,
    pub expires_at: i64,
}
command!(ClaimCouponRequest => "claim_coupon", CouponView);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRequest {
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<ActivityView>,
    pub next_cursor: Option<String>,
}
command!(HistoryRequest => "history", HistoryPage);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub device_id: String,
    pub device_name: String,
    pub registered_at: i64,
    pub locked_at: Option<i64>,
    pub this_device: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesRequest {}
command!(DevicesRequest => "devices", Vec<DeviceView>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockDeviceRequest {
    pub device_id: String,
}
command!(LockDeviceRequest => "lock_device", DeviceView);

/// Starts the desktop camera: previews and the codes read come back on the channel passed as
/// [`CAMERA_EVENTS_ARG`]. Phones scan with the system's camera screen instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraStartRequest {}
command!(CameraStartRequest => "camera_start", ());

/// The name of the channel argument of [`CameraStartRequest`].
pub const CAMERA_EVENTS_ARG: &str = "events";

/// Stops the camera (leaving the scan screen, or a code was read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraStopRequest {}
command!(CameraStopRequest => "camera_stop", ());

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraProblem {
    NoCamera,
    PermissionDenied,
    Busy,
    Failed,
}

/// What the camera sends while the scan screen is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CameraEvent {
    /// A small greyscale frame for the viewfinder, as a `data:` URL of a PNG.
    Preview { data_url: String },
    /// Codes were read in one frame, each the same text a scanned image or a pasted code
    /// gives: one for the usual frame, several for the user to choose from.
    Found { payloads: Vec<String> },
    /// The camera cannot be used, or stopped; the message says what to do.
    Unavailable {
        problem: CameraProblem,
        message: String,
    },
}

/// The shell's event to the UI whenever the wallet changed, here or on another device.
pub const WALLET_EVENT: &str = "wallet-event";

/// What the service pushed, as the UI shows it (and words as an OS notification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pushed {
    PaymentSucceeded {
        merchant_name: String,
        merchant_local: Option<LocalName>,
        paid: Money,
    },
    ToppedUp {
        amount: Money,
        balance: Money,
    },
    CardLinked {
        brand: Brand,
        last4: String,
    },
    CardUnlinked,
    CouponClaimed {
        name: String,
    },
    DeviceAdded {
        device_name: String,
    },
    /// `this_device`: the app itself was locked and its key is gone.
    DeviceLocked {
        this_device: bool,
    },
    /// A shop gave back `returned` of a payment, to the balance or the card it came from.
    Refunded {
        merchant_name: String,
        merchant_local: Option<LocalName>,
        returned: Money,
    },
    /// A till charges this device's pay code above its no-PIN limit: the app asks the
    /// user, with the PIN, until `expires_at`.
    PayCodeConfirm {
        charge_id: String,
        merchant_name: String,
        merchant_local: Option<LocalName>,
        price: Money,
        pay: Money,
        discount: Money,
        expires_at: i64,
    },
    /// A charge waiting for confirmation ended unanswered: nothing was charged.
    PayCodeChargeEnded {
        charge_id: String,
    },
    /// The wallet's lock code was used: this app is refused until the recovery code.
    WalletSuspended,
    WalletResumed,
    /// Events were missed: reload everything.
    Missed,
}

/// Shows an OS notification; the UI writes it in the user's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyRequest {
    pub title: String,
    pub body: String,
}
command!(NotifyRequest => "notify", ());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_details_never_print() {
        let request = LinkCardRequest {
            number: "4242424242424242".into(),
            expiry: "12/30".into(),
            security_code: "123".into(),
            holder: "WANG MEI".into(),
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("4242") && !printed.contains("123") && !printed.contains("WANG"));
    }

    #[test]
    fn funding_crosses_tagged() {
        let json = serde_json::to_string(&FundingChoice::Card {
            card_id: "card_1".into(),
        })
        .unwrap();
        assert_eq!(json, r#"{"source":"card","card_id":"card_1"}"#);
    }
}
