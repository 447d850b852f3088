//! Every word the console shows, in English, Simplified Chinese and Japanese, and money as
//! each reader writes it.

use saifu_core::code::Code;
use saifu_core::money::{Locale, Money};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhCn, Lang::Ja];

    /// The BCP 47 tag: the document's `lang`, speech's voice, and the stored choice.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
            Lang::Ja => "ja",
        }
    }

    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
            Lang::Ja => "日本語",
        }
    }

    /// "ja-JP" or "zh-Hans-CN" to a language the console speaks.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// Money as this reader writes it (CLDR's symbols, grouped digits, the currency's
    /// decimals); a minus as a minus sign.
    pub fn money(self, money: Money) -> String {
        let locale = match self {
            Lang::En => Locale::En,
            Lang::ZhCn => Locale::ZhCn,
            Lang::Ja => Locale::Ja,
        };
        money.format(locale).replacen('-', "\u{2212}", 1)
    }

    /// What the till says aloud when a payment arrives.
    pub fn spoken_payment(self, money: Money) -> String {
        let amount = Money::from_minor(money.minor().abs(), money.currency()).to_decimal_string();
        match (self, money.currency().code()) {
            (Lang::ZhCn, "CNY") => format!("收款 {amount} 元"),
            (Lang::Ja, "JPY") => format!("{amount}円 お支払いがありました"),
            (Lang::ZhCn, _) => format!("收款 {}", self.money(money)),
            (Lang::Ja, _) => format!("{} お支払いがありました", self.money(money)),
            (Lang::En, _) => format!("Received {}", self.money(money)),
        }
    }

    /// The words for a code the console may meet; every code has some.
    pub fn problem(self, code: Code) -> &'static str {
        self.text(match code {
            Code::InvalidInvite => Text::ErrorInvite,
            Code::Forbidden => Text::ErrorOwnerOnly,
            Code::DeviceLocked => Text::ErrorTillLocked,
            Code::UnknownDevice => Text::ErrorUnknownTill,
            Code::RefundExceedsPayment => Text::ErrorRefundTooMuch,
            Code::RefundWindowClosed => Text::ErrorRefundTooOld,
            Code::PayCodeWrong => Text::ErrorPayCodeWrong,
            Code::PayCodeExpired => Text::ErrorPayCodeExpired,
            Code::PayCodeUsed => Text::ErrorPayCodeUsed,
            Code::PayCodesPaused => Text::ErrorPayCodesPaused,
            Code::PaymentDeclined => Text::ErrorPaymentDeclined,
            Code::ConfirmationTimedOut => Text::ErrorConfirmationTimedOut,
            Code::InsufficientFunds => Text::ErrorCustomerShort,
            Code::PayCodeLocked => Text::ErrorPayCodeLocked,
            Code::WalletSuspended => Text::ErrorWalletSuspended,
            Code::BadRequest | Code::AmountOutOfRange | Code::AmountRequired => Text::ErrorAmount,
            Code::Unreachable => Text::ErrorUnreachable,
            Code::StaleRequest => Text::ErrorClock,
            Code::NotFound => Text::ErrorNotFound,
            Code::Storage => Text::ErrorBrowser,
            Code::InvalidSignature
            | Code::ReplayedNonce
            | Code::InvalidChallenge
            | Code::Conflict
            | Code::IdempotencyKeyReused
            | Code::InvalidCard
            | Code::CardExpired
            | Code::CardDeclined
            | Code::InvalidPaymentCode
            | Code::InvalidLockCode
            | Code::LockPaused
            | Code::InvalidRecoveryCode
            | Code::UnknownMerchant
            | Code::QuoteExpired
            | Code::QuoteAlreadyPaid
            | Code::OfferChanged
            | Code::FundingNotQuoted
            | Code::CouponAlreadyClaimed
            | Code::CouponUnavailable
            | Code::BalanceLimit
            | Code::RateUnavailable
            | Code::UnknownRoute
            | Code::MethodNotAllowed
            | Code::UnsupportedMediaType
            | Code::PayloadTooLarge
            | Code::Internal
            | Code::NoShell
            | Code::Protocol
            | Code::NotOnboarded
            | Code::AlreadyOnboarded
            | Code::InvalidDeviceName
            | Code::InvalidServiceAddress
            | Code::KeyMissing
            | Code::PayCodeMissing
            | Code::KeyringUnavailable
            | Code::KeyringFailed
            | Code::AppLocked
            | Code::InvalidPin
            | Code::PinTooSimple
            | Code::WrongPin
            | Code::PinPaused
            | Code::NotAnImage
            | Code::NoCode => Text::ErrorGeneric,
        })
    }
}

macro_rules! catalogue {
    ($($key:ident => $en:literal, $zh:literal, $ja:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Text { $($key),* }

        impl Lang {
            pub fn text(self, key: Text) -> &'static str {
                match key {
                    $(Text::$key => match self {
                        Lang::En => $en,
                        Lang::ZhCn => $zh,
                        Lang::Ja => $ja,
                    }),*
                }
            }
        }
    };
}

catalogue! {
    Title => "Saifu for shops", "Saifu 商家版", "Saifu 店舗用";
    Language => "Language", "语言", "言語";
    EnrolTitle => "Make this browser a till", "将此浏览器设为收银台", "このブラウザをレジにする";
    EnrolIntro =>
        "Type the invite code the shop's owner gave you. This browser keeps a key of its own and signs everything it asks.",
        "请输入店主提供的邀请码。此浏览器会保存自己的密钥，并为每个请求签名。",
        "店舗のオーナーから受け取った招待コードを入力してください。このブラウザは専用の鍵を保持し、すべての要求に署名します。";
    InviteCode => "Invite code", "邀请码", "招待コード";
    TillName => "Name of this till", "收银台名称", "このレジの名前";
    DefaultTillName => "Counter", "收银台", "レジ";
    Enrol => "Make this a till", "设为收银台", "レジにする";
    Working => "Working…", "处理中…", "処理中…";
    Owner => "Owner", "店主", "オーナー";
    Staff => "Staff", "店员", "スタッフ";
    TakePayment => "Take a payment", "收款", "お会計";
    ChargePayCode => "Charge a pay code", "扫付款码收款", "支払いコードで会計";
    PayCodeField => "Customer's pay code (scan or type)", "顾客付款码（扫描或输入）", "お客様の支払いコード（読み取りまたは入力）";
    Charge => "Charge", "收款", "請求する";
    ScanWithCamera => "Scan with the camera", "用摄像头扫描", "カメラで読み取る";
    StopCamera => "Stop the camera", "关闭摄像头", "カメラを止める";
    CameraUnavailable =>
        "The camera cannot be used here. Allow it in the browser, or type the code.",
        "无法使用摄像头。请在浏览器中允许使用，或手动输入付款码。",
        "カメラを使えません。ブラウザで許可するか、コードを入力してください。";
    Charging => "Charging…", "收款中…", "請求中…";
    WaitingForCustomer => "Waiting for the customer to confirm on their phone…", "等待顾客在手机上确认…", "お客様のスマートフォンでの確認を待っています…";
    Amount => "Amount", "金额", "金額";
    ShowCode => "Show the code", "出示收款码", "コードを表示";
    ScanToPay => "Scan with Saifu to pay", "请用 Saifu 扫码付款", "Saifu でスキャンしてお支払いください";
    Waiting => "Waiting for the payment…", "等待付款…", "お支払いを待っています…";
    Paid => "Paid", "已收款", "お支払い完了";
    Discount => "Discount", "优惠", "割引";
    Close => "Close", "关闭", "閉じる";
    Speak => "Say payments aloud", "语音播报收款", "お支払いを読み上げる";
    Today => "Today", "今日", "今日";
    ThisWeek => "This week", "本周", "今週";
    ThisMonth => "This month", "本月", "今月";
    Takings => "Takings", "营业额", "売上状況";
    PromotedSales => "Sales with the shop's own offers", "使用本店优惠的销售额", "自店の特典を使った売上";
    ByHour => "Today, hour by hour", "今日每小时销售额", "今日の時間帯別売上";
    Sales => "Sales", "销售额", "売上";
    Refunds => "Refunds", "退款", "返金";
    Discounts => "Discounts", "优惠", "割引";
    ByShop => "by the shop", "商家承担", "店舗負担";
    ByIssuer => "by card issuers", "发卡行承担", "カード会社負担";
    ByOperator => "by Saifu", "Saifu 承担", "Saifu 負担";
    Net => "Owed to the shop", "商家应收", "店舗の受取額";
    Payments => "Payments", "笔数", "件数";
    Feed => "Payments and refunds", "收款与退款", "支払いと返金";
    FeedEmpty => "No payments yet.", "暂无收款。", "まだお支払いはありません。";
    PaymentLine => "Payment", "收款", "支払い";
    RefundLine => "Refund", "退款", "返金";
    ByCard => "card", "银行卡", "カード";
    ByBalance => "balance", "余额", "残高";
    Refunded => "Refunded", "已退款", "返金済み";
    Refund => "Refund", "退款", "返金";
    RefundAmount => "Amount to refund", "退款金额", "返金額";
    ConfirmRefund => "Give it back", "确认退款", "返金する";
    Cancel => "Cancel", "取消", "キャンセル";
    Tills => "Tills", "收银台", "レジ";
    ThisTill => "This till", "本收银台", "このレジ";
    Locked => "Locked", "已锁定", "ロック済み";
    Lock => "Lock", "锁定", "ロック";
    InviteStaff => "Invite a staff till", "邀请店员收银台", "スタッフのレジを招待";
    InviteShown =>
        "Type this code on the new till. It works once, for seven days.",
        "请在新收银台输入此代码。仅可使用一次，七天内有效。",
        "新しいレジでこのコードを入力してください。1 回だけ、7 日間有効です。";
    PrintCode => "Print the shop's code", "打印店铺收款码", "店舗のコードを印刷";
    Print => "Print", "打印", "印刷";
    Statement => "Download today's statement (CSV)", "下载今日对账单 (CSV)", "今日の明細をダウンロード (CSV)";
    LeaveTill => "Stop using this browser as a till", "停止将此浏览器用作收银台", "このブラウザをレジとして使うのをやめる";
    ErrorInvite =>
        "This invite code is not valid, used or expired. Ask the shop's owner for a new one.",
        "邀请码无效、已使用或已过期，请向店主索取新的邀请码。",
        "この招待コードは無効か、使用済みか、期限切れです。オーナーに新しいコードを依頼してください。";
    ErrorOwnerOnly => "Only the shop's owner may do that.", "只有店主可以执行此操作。", "この操作はオーナーのみ行えます。";
    ErrorTillLocked =>
        "This till was locked by the shop's owner.",
        "此收银台已被店主锁定。",
        "このレジはオーナーによってロックされました。";
    ErrorUnknownTill =>
        "The service does not know this till. Enrol it again with a new invite.",
        "服务无法识别此收银台，请使用新的邀请码重新设置。",
        "サービスがこのレジを認識できません。新しい招待コードで登録し直してください。";
    ErrorRefundTooMuch =>
        "That is more than is left of the payment to refund.",
        "退款金额超过了该笔付款的剩余可退金额。",
        "返金額が、この支払いの返金できる残額を超えています。";
    ErrorPayCodeWrong =>
        "That is not a valid pay code. Scan it again, or check the digits.",
        "付款码无效。请重新扫描，或核对数字。",
        "有効な支払いコードではありません。もう一度読み取るか、数字を確認してください。";
    ErrorPayCodeExpired =>
        "This pay code has expired. Ask the customer to show the current one.",
        "付款码已过期，请顾客出示最新的付款码。",
        "この支払いコードは期限切れです。お客様に最新のコードを見せてもらってください。";
    ErrorPayCodeUsed =>
        "This pay code was used already. Ask the customer to show the new one.",
        "付款码已被使用，请顾客出示新的付款码。",
        "この支払いコードは使用済みです。お客様に新しいコードを見せてもらってください。";
    ErrorPayCodesPaused =>
        "Too many wrong pay codes: wait a few minutes before the next.",
        "错误的付款码过多，请等待几分钟后再试。",
        "誤った支払いコードが多すぎます。数分待ってから次をお試しください。";
    ErrorPaymentDeclined =>
        "The customer declined the payment. Nothing was charged.",
        "顾客拒绝了此次付款，未扣款。",
        "お客様が支払いを拒否しました。請求はありません。";
    ErrorConfirmationTimedOut =>
        "The customer did not confirm in time. Nothing was charged.",
        "顾客未及时确认，未扣款。",
        "お客様の確認が時間内にありませんでした。請求はありません。";
    ErrorPayCodeLocked =>
        "The customer's wallet is locked on that phone. Ask for another way to pay.",
        "顾客的钱包在该手机上已被锁定，请使用其他付款方式。",
        "お客様のウォレットはその端末でロックされています。別の支払い方法をお願いしてください。";
    ErrorWalletSuspended =>
        "The customer's wallet is suspended. Ask for another way to pay.",
        "顾客的钱包已被暂停，请使用其他付款方式。",
        "お客様のウォレットは一時停止中です。別の支払い方法をお願いしてください。";
    ErrorCustomerShort =>
        "The customer's wallet does not cover this amount. Nothing was charged.",
        "顾客钱包余额不足，未扣款。",
        "お客様のウォレット残高が足りません。請求はありません。";
    ErrorRefundTooOld => "This payment is too old to refund.", "该笔付款已超过可退款期限。", "この支払いは返金できる期間を過ぎています。";
    ErrorAmount => "Enter an amount above zero.", "请输入大于零的金额。", "0 より大きい金額を入力してください。";
    ErrorUnreachable =>
        "The service cannot be reached. Check the connection; nothing was lost.",
        "无法连接服务，请检查网络；数据不会丢失。",
        "サービスに接続できません。接続を確認してください。データは失われていません。";
    ErrorClock => "This device's clock is wrong. Set it and try again.", "本设备时间不正确，请校准后重试。", "この端末の時計がずれています。合わせてからもう一度お試しください。";
    ErrorNotFound => "That payment is not this shop's.", "该付款不属于本店。", "その支払いはこの店舗のものではありません。";
    ErrorBrowser =>
        "This browser cannot keep a till's key here (private windows cannot).",
        "此浏览器无法保存收银台密钥（无痕窗口不支持）。",
        "このブラウザではレジの鍵を保存できません（プライベートウィンドウでは不可）。";
    ErrorGeneric => "Something went wrong. Try again.", "出错了，请重试。", "問題が発生しました。もう一度お試しください。";
}

#[cfg(test)]
mod tests {
    use super::*;
    use saifu_core::money::Currency;

    #[test]
    fn money_reads_as_each_reader_writes_it() {
        let cny = Currency::from_code("CNY").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(
            Lang::En.money(Money::from_minor(128_050, cny)),
            "CN¥1,280.50"
        );
        assert_eq!(Lang::Ja.money(Money::from_minor(1_280, jpy)), "￥1,280");
        assert!(
            Lang::En
                .money(Money::from_minor(-500, jpy))
                .starts_with('\u{2212}')
        );
        assert_eq!(
            Lang::ZhCn.spoken_payment(Money::from_minor(1_280, cny)),
            "收款 12.80 元"
        );
    }
}
