//! Message catalogues: every word the UI shows, in English, Simplified Chinese and Japanese.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhCn, Lang::Ja];

    /// The BCP 47 tag, for the document's `lang` (it picks CJK glyphs) and the stored choice.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
            Lang::Ja => "ja",
        }
    }

    /// The language's name in itself, as language pickers show it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
            Lang::Ja => "日本語",
        }
    }

    /// Matches a tag such as "ja-JP" or "zh-Hans-CN" to a language Saifu speaks.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhCn),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
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
    AppName => "Saifu", "Saifu 财布", "Saifu 財布";
    NavHome => "Home", "首页", "ホーム";
    NavCards => "Cards", "银行卡", "カード";
    NavScan => "Scan", "扫一扫", "スキャン";
    NavPromotions => "Promotions", "优惠", "キャンペーン";
    NavHistory => "History", "账单", "履歴";
    NavSettings => "Settings", "设置", "設定";
    MainNavigation => "Main navigation", "主导航", "メインナビゲーション";

    HomeWallet => "Your wallet", "我的钱包", "マイウォレット";
    HomeEmptyTitle => "Your wallet isn't set up yet", "钱包尚未开通", "ウォレットはまだ開設されていません";
    HomeEmptyBody =>
        "Your balance, linked cards and offers for you will show here once your wallet is set up.",
        "开通钱包后，这里会显示你的余额、已绑定的银行卡和为你推荐的优惠。",
        "ウォレットを開設すると、残高・登録済みのカード・おすすめの特典がここに表示されます。";
    HomeRecent => "Recent activity", "最近交易", "最近の取引";
    HomeRecentEmpty =>
        "Your latest payments and top-ups will appear here.",
        "最近的付款和充值会显示在这里。",
        "最近の支払いとチャージがここに表示されます。";

    CardsTitle => "Linked cards", "已绑定的银行卡", "登録済みのカード";
    CardsEmptyTitle => "No linked cards yet", "还没有绑定银行卡", "登録済みのカードはありません";
    CardsEmptyBody =>
        "Cards you link show here with their brand and last four digits only. The full card number is never kept on this device.",
        "绑定的银行卡会显示在这里，只显示卡组织和卡号后四位。完整卡号绝不会保存在本设备上。",
        "登録したカードはブランドと下4桁だけがここに表示されます。カード番号全体がこの端末に保存されることはありません。";

    ScanTitle => "Scan to pay", "扫码付款", "スキャンして支払う";
    ScanEmptyTitle => "Scan a shop's QR code", "扫描商家收款码", "お店のQRコードを読み取る";
    ScanEmptyBody =>
        "The camera view opens here: scan the code at the counter, see the discount that applies, then confirm and pay.",
        "这里将打开相机：扫描柜台上的收款码，查看可用的优惠，然后确认付款。",
        "ここでカメラが開きます。レジのコードを読み取り、適用される割引を確認してから支払います。";

    PromotionsTitle => "Promotions", "优惠", "キャンペーン";
    PromotionsEmptyTitle => "No offers yet", "暂无优惠", "特典はまだありません";
    PromotionsEmptyBody =>
        "Discounts and coupons from shops and your bank will appear here. The best one is applied for you when you pay.",
        "商家和银行的折扣与优惠券会显示在这里。付款时会自动为你选择最优惠的一项。",
        "お店や銀行の割引・クーポンがここに表示されます。支払い時には最もお得なものが自動で適用されます。";

    HistoryTitle => "History", "账单", "履歴";
    HistoryEmptyTitle => "No payments yet", "暂无交易记录", "取引はまだありません";
    HistoryEmptyBody =>
        "Your payments and top-ups will be listed here, newest first.",
        "你的付款和充值记录会按时间倒序列在这里。",
        "支払いとチャージの履歴が新しい順にここに表示されます。";

    SettingsTitle => "Settings", "设置", "設定";
    SettingsLanguage => "Language", "语言", "言語";
    AboutTitle => "About Saifu", "关于 Saifu", "Saifu について";
    AboutAppVersion => "App version", "应用版本", "アプリのバージョン";
    AboutCoreVersion => "Core version", "核心版本", "コアのバージョン";
    AboutPlatform => "Platform", "平台", "プラットフォーム";
    Loading => "Loading…", "加载中…", "読み込み中…";

    ErrorNoShell =>
        "This page needs the Saifu app. Open Saifu from your apps to see it.",
        "此页面需要在 Saifu 应用中打开。",
        "このページは Saifu アプリで開いてください。";
    ErrorBadRequest =>
        "The app and its window disagree; please update Saifu.",
        "应用版本不一致，请更新 Saifu。",
        "アプリのバージョンが一致しません。Saifu を更新してください。";
    ErrorInternal =>
        "Something went wrong inside Saifu. Please try again.",
        "Saifu 内部出错，请重试。",
        "Saifu で問題が発生しました。もう一度お試しください。";
}

impl Text {
    /// What to tell the user for an error: chosen by its code, never its raw message.
    pub fn for_error(code: saifu_ipc::ErrorCode) -> Text {
        match code {
            saifu_ipc::ErrorCode::NoShell => Text::ErrorNoShell,
            saifu_ipc::ErrorCode::BadRequest => Text::ErrorBadRequest,
            saifu_ipc::ErrorCode::Internal => Text::ErrorInternal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_tags_map_to_languages() {
        assert_eq!(Lang::from_tag("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("en_US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr-FR"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }
}
