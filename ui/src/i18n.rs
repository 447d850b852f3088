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
    NavPromotions => "Offers", "优惠", "特典";
    NavHistory => "History", "账单", "履歴";
    NavSettings => "Settings", "设置", "設定";
    MainNavigation => "Main navigation", "主导航", "メインナビゲーション";

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
    OnboardTitle => "Open your wallet", "开通钱包", "ウォレットを開設";
    OnboardBody =>
        "This device gets its own key, kept in the system keyring. Your PIN confirms every payment.",
        "本设备会生成专属密钥，保存在系统钥匙串中。每笔付款都需要输入支付密码确认。",
        "この端末専用の鍵がシステムのキーリングに保存されます。支払いのたびに PIN で確認します。";
    OnboardDeviceName => "Name of this device", "设备名称", "この端末の名前";
    OnboardDefaultDeviceName => "My computer", "我的电脑", "マイコンピューター";
    OnboardCurrency => "Wallet currency", "钱包币种", "ウォレットの通貨";
    OnboardPin => "Choose a 6-digit PIN", "设置 6 位支付密码", "6 桁の PIN を設定";
    OnboardPinHint =>
        "Not 123456 or one digit six times.",
        "不能是 123456 或六位相同数字。",
        "123456 や同じ数字の繰り返しは使えません。";
    OnboardPinAgain => "Enter the PIN again", "再次输入支付密码", "PIN をもう一度入力";
    OnboardPinMismatch => "The two PINs differ.", "两次输入的密码不一致。", "PIN が一致しません。";
    OnboardAdvanced => "Wallet service", "钱包服务", "ウォレットサービス";
    OnboardService => "Service address", "服务地址", "サービスのアドレス";
    OnboardCreate => "Create wallet", "开通钱包", "ウォレットを開設";
    OnboardCreating => "Creating…", "正在开通…", "開設中…";
    UnlockTitle => "Enter your PIN", "输入支付密码", "PIN を入力";
    UnlockPin => "PIN", "支付密码", "PIN";
    UnlockButton => "Unlock", "解锁", "ロック解除";
    KeyMissingTitle => "This device lost its key", "本设备的密钥丢失", "この端末の鍵が見つかりません";
    KeyMissingBody =>
        "The system keyring no longer holds this device's key, so it cannot pay. Your money is safe with the wallet service: set this device up again.",
        "系统钥匙串中已没有本设备的密钥，因此无法付款。你的资金安全地保存在钱包服务中：请重新设置本设备。",
        "システムのキーリングにこの端末の鍵がないため、支払いできません。お金はウォレットサービスで安全に保管されています。この端末をもう一度設定してください。";
    DeviceLockedTitle => "This device was locked", "本设备已被锁定", "この端末はロックされました";
    DeviceLockedBody =>
        "Another device of your wallet locked this one, and its key was erased. If that was you, all is well; to use this device again, set it up again.",
        "你的钱包中的另一台设备锁定了本设备，其密钥已被清除。如果是你本人操作，一切正常；如需再次使用本设备，请重新设置。",
        "ウォレットの別の端末がこの端末をロックし、鍵は消去されました。ご自身の操作なら問題ありません。この端末を再び使うには、もう一度設定してください。";
    SetUpAgain => "Set up again", "重新设置", "もう一度設定する";

    GuideTitle => "Pay your first shop", "完成第一笔付款", "はじめてのお支払い";
    GuideCardTitle => "Link a card", "绑定银行卡", "カードを登録";
    GuideCardBody =>
        "The demo bank takes 4242 4242 4242 4242 (Visa) and 6200 0000 0000 0005 (UnionPay), with any future expiry and any three-digit security code.",
        "演示银行接受 4242 4242 4242 4242（Visa）和 6200 0000 0000 0005（银联），有效期填任意未来日期，安全码填任意三位数字。",
        "デモ銀行では 4242 4242 4242 4242（Visa）と 6200 0000 0000 0005（UnionPay）が使えます。有効期限は未来の任意の日付、セキュリティコードは任意の 3 桁です。";
    GuideTopUpTitle => "Top up your balance", "给余额充值", "残高にチャージ";
    GuideTopUpBody =>
        "Move some money from the card into the wallet, or skip this and pay by card.",
        "从银行卡转一些钱到钱包；也可以跳过，直接用银行卡付款。",
        "カードからウォレットにお金を移します。飛ばしてカードで支払うこともできます。";
    GuideScanTitle => "Scan a shop's code", "扫描商家的收款码", "お店のコードをスキャン";
    GuideScanBody =>
        "Try a demo shop: choose its code to open it in the scanner.",
        "试试演示商家：选择它的收款码，即可在扫一扫中打开。",
        "デモのお店で試せます。コードを選ぶとスキャナーで開きます。";
    ScanSheetPlaceholder =>
        "Scan a shop's code: the price and your discounts show here.",
        "扫描商家的收款码后，价格和优惠会显示在这里。",
        "お店のコードをスキャンすると、金額と割引がここに表示されます。";
    HistoryPickEntry =>
        "Choose an entry to see it in full.",
        "选择一条记录即可查看详情。",
        "項目を選ぶと詳細が表示されます。";

    OfflineNote => "Offline: showing what was saved at", "离线：显示的是保存于以下时间的数据", "オフライン：次の時点の保存データを表示中";
    HomeBalance => "Balance", "余额", "残高";
    HomeNoCards => "Link a bank card to top up and pay.", "绑定银行卡即可充值和付款。", "銀行カードを登録するとチャージと支払いができます。";
    TopUp => "Top up", "充值", "チャージ";
    TopUpAmount => "Top-up amount", "充值金额", "チャージ金額";
    ToppedUp => "Topped up", "已充值", "チャージ済み";
    AddCard => "Add card", "添加银行卡", "カードを追加";
    AddCardPrivacy =>
        "The card number goes once to your bank's check and is never kept on this device.",
        "卡号仅发送一次用于银行验证，绝不会保存在本设备上。",
        "カード番号は銀行の確認のために一度だけ送信され、この端末には保存されません。";
    CardNumber => "Card number", "卡号", "カード番号";
    CardNumberCheck => "This card number has a typo: check the digits.", "卡号有误，请检查数字。", "カード番号に誤りがあります。数字を確認してください。";
    CardNumberInvalid => "This is not a card number Saifu knows.", "无法识别此卡号。", "このカード番号は利用できません。";
    CardExpiry => "Expiry (MM/YY)", "有效期（月/年）", "有効期限（月/年）";
    CardExpiryInvalid => "Write the expiry as MM/YY, e.g. 08/29.", "请按“月/年”填写，例如 08/29。", "「月/年」の形式で入力してください（例: 08/29）。";
    CardExpiryPlaceholder => "MM/YY", "月/年", "月/年";
    CardExpired => "This card has expired: use a current card.", "此卡已过期，请使用有效的银行卡。", "このカードは有効期限が切れています。有効なカードをお使いください。";
    CardSecurityCode => "Security code", "安全码", "セキュリティコード";
    CardHolder => "Name on card", "持卡人姓名", "カード名義";
    LinkCard => "Link card", "绑定", "登録する";
    Linking => "Checking with your bank…", "正在向银行验证…", "銀行に確認中…";
    UnlinkCard => "Unlink", "解绑", "登録解除";
    Cancel => "Cancel", "取消", "キャンセル";
    Save => "Save", "保存", "保存";
    Continue => "Continue", "继续", "次へ";

    NoCameraTitle => "No camera here", "未检测到摄像头", "カメラがありません";
    NoCameraBody =>
        "Choose a photo of the shop's code, or paste the code's text.",
        "请选择商家收款码的照片，或粘贴收款码内容。",
        "お店のコードの写真を選ぶか、コードの文字列を貼り付けてください。";
    CameraStarting => "Opening the camera…", "正在打开相机…", "カメラを起動中…";
    CameraViewfinder => "Camera view", "相机画面", "カメラの映像";
    CameraAim => "Hold the shop's code inside the frame.", "请将商家收款码置于画面中。", "お店のコードを枠内に写してください。";
    CameraDeniedTitle => "Camera access is off", "相机权限已关闭", "カメラへのアクセスがオフです";
    CameraDeniedBody =>
        "Allow Saifu to use the camera in your system settings, or choose a photo of the code.",
        "请在系统设置中允许 Saifu 使用相机，或选择收款码的照片。",
        "システム設定で Saifu のカメラ使用を許可するか、コードの写真を選んでください。";
    CameraBusyTitle => "The camera is in use", "相机正被占用", "カメラは使用中です";
    CameraBusyBody =>
        "Another app is using the camera. Close it and come back, or choose a photo of the code.",
        "其他应用正在使用相机。请关闭后重试，或选择收款码的照片。",
        "別のアプリがカメラを使っています。閉じてから戻るか、コードの写真を選んでください。";
    CameraFailedTitle => "The camera cannot be used", "无法使用相机", "カメラを使えません";
    CameraFailedBody =>
        "Choose a photo of the shop's code, or paste the code's text.",
        "请选择收款码的照片，或粘贴收款码内容。",
        "お店のコードの写真を選ぶか、コードの文字列を貼り付けてください。";
    ScanWithCamera => "Scan with the camera", "用相机扫码", "カメラで読み取る";
    ScanFromImage => "Choose an image", "选择图片", "画像を選ぶ";
    ChooseCode => "This picture holds more than one code. Which do you pay?", "图片里有不止一个付款码，要付哪一个？", "この画像にはコードが複数あります。どれで支払いますか？";
    ReadingImage => "Reading the image…", "正在识别图片…", "画像を読み取り中…";
    PasteCode => "Or paste a payment code", "或粘贴收款码", "または支払いコードを貼り付け";
    PayAmount => "Amount", "金额", "金額";
    PayPrice => "Price", "价格", "価格";
    PayRate => "Exchange rate", "汇率", "為替レート";
    PayTotal => "You pay", "实付", "お支払い";
    PayFrom => "Pay with", "付款方式", "支払い方法";
    FundingBalance => "Wallet balance", "钱包余额", "ウォレット残高";
    PayPin => "PIN", "支付密码", "PIN";
    Pay => "Pay", "付款", "支払う";
    Paying => "Paying…", "正在付款…", "支払い中…";
    PaymentDone => "Paid", "付款成功", "支払い完了";
    ReceiptTime => "Time", "时间", "日時";
    ReceiptNumber => "Receipt number", "交易单号", "取引番号";
    Done => "Done", "完成", "完了";
    ActivityPayment => "Payment", "付款", "支払い";
    ActivityTopUp => "Top-up", "充值", "チャージ";
    ActivityRefund => "Refund", "退款", "返金";
    ActivityRefundOf => "For payment", "原付款", "元の支払い";
    ActivityKindLabel => "Type", "类型", "種類";
    ActivityAmount => "Amount", "金额", "金額";
    ActivityReference => "Reference", "流水号", "参照番号";
    Close => "Close", "关闭", "閉じる";
    LoadMore => "Show more", "加载更多", "さらに表示";

    DevicesTitle => "Devices", "设备", "端末";
    DevicesBody =>
        "Lost a device? Lock it here: it cannot pay from that moment on.",
        "设备丢失？在此锁定，锁定后立即无法付款。",
        "端末をなくしたら、ここでロックしてください。その瞬間から支払いできなくなります。";
    ThisDevice => "This device", "本设备", "この端末";
    AddedOn => "Added", "添加于", "追加日";
    LockedOn => "Locked", "锁定于", "ロック日";
    LockDevice => "Lock", "锁定", "ロック";
    SecurityTitle => "Security", "安全", "セキュリティ";
    LockApp => "Lock the app", "锁定应用", "アプリをロック";
    ForgetWallet => "Remove from this device", "从本设备移除", "この端末から削除";
    ForgetWalletBody =>
        "Removing erases this device's key and saved data; your wallet and money stay with the service.",
        "移除会清除本设备的密钥和本地数据；你的钱包和资金仍保存在服务中。",
        "削除するとこの端末の鍵と保存データが消去されます。ウォレットとお金はサービスに残ります。";

    PayYouSave => "You save", "已优惠", "割引";
    BestPrice => "Best price", "最优惠", "いちばんお得";
    FunderMerchant => "from the shop", "商家优惠", "お店の割引";
    FunderIssuer => "from your bank", "银行优惠", "カード会社の割引";
    FunderOperator => "from Saifu", "Saifu 补贴", "Saifu の割引";
    PromotionsForYou => "Offers for you", "为你推荐的优惠", "あなたへの特典";
    SeeAll => "See all offers", "查看全部优惠", "すべての特典を見る";
    CouponLabel => "Coupon", "优惠券", "クーポン";
    ClaimCoupon => "Claim", "领取", "受け取る";
    CouponHeld => "In your wallet", "已领取", "受け取り済み";
    CouponClaimedNote =>
        "Claimed: it comes off your next payment it fits.",
        "已领取：下次符合条件的付款时自动使用。",
        "受け取りました。条件に合う次の支払いで使われます。";
    ForCards => "with", "限", "対象:";
    Until => "until", "截止", "期限";

    NotifyPaid => "Payment made", "付款成功", "支払いが完了しました";
    NotifyRefunded => "Money refunded", "已退款", "返金されました";
    NotifyToppedUp => "Wallet topped up", "充值成功", "チャージが完了しました";
    NotifyCardLinked => "Card linked", "银行卡已绑定", "カードを登録しました";
    NotifyDeviceLocked => "A device of your wallet was locked", "你的钱包中的一台设备已被锁定", "ウォレットの端末がロックされました";

    ErrorUnreachable =>
        "The wallet service cannot be reached. Check your connection and try again.",
        "无法连接钱包服务，请检查网络后重试。",
        "ウォレットサービスに接続できません。接続を確認してもう一度お試しください。";
    ErrorKeyring =>
        "No system keyring is available, so this device cannot keep a key. Unlock or install your keyring and try again.",
        "系统钥匙串不可用，本设备无法保存密钥。请解锁或安装钥匙串后重试。",
        "システムのキーリングが使えないため、鍵を保存できません。キーリングのロックを解除するかインストールしてから、もう一度お試しください。";
    ErrorNoCode =>
        "No code could be read in this image. Try a sharper photo with the whole code in view.",
        "图片中未识别到二维码。请换一张清晰、完整包含二维码的照片。",
        "この画像からコードを読み取れません。コード全体が写った鮮明な写真でお試しください。";
    ErrorQuoteExpired =>
        "This price has expired. Scan the code again for a fresh one.",
        "该价格已过期，请重新扫码。",
        "この価格は期限切れです。もう一度コードを読み取ってください。";


    ErrorClock =>
        "The wallet service did not accept this request: check that this device's date and time are right, then try again.",
        "钱包服务未接受此请求：请确认本设备的日期和时间正确后重试。",
        "ウォレットサービスがこのリクエストを受け付けませんでした。端末の日付と時刻が正しいか確認して、もう一度お試しください。";
    ErrorRequestRefused =>
        "The wallet service did not accept this request. Please try again.",
        "钱包服务未接受此请求，请重试。",
        "ウォレットサービスがこのリクエストを受け付けませんでした。もう一度お試しください。";
    ErrorUnknownDevice =>
        "The wallet service does not know this device. Set it up again.",
        "钱包服务无法识别本设备，请重新设置。",
        "ウォレットサービスがこの端末を認識できません。もう一度設定してください。";
    ErrorTryAgain => "That took too long. Please try again.", "操作超时，请重试。", "時間がかかりすぎました。もう一度お試しください。";
    ErrorConflict =>
        "Something changed meanwhile. Please try again.",
        "数据已发生变化，请重试。",
        "その間に状況が変わりました。もう一度お試しください。";
    ErrorForbidden => "This device may not do that.", "本设备无权执行此操作。", "この端末ではその操作はできません。";
    ErrorNotFound => "That is no longer there.", "该内容已不存在。", "その項目はもうありません。";
    ErrorRefundExceedsPayment =>
        "That is more than is left of the payment to refund.",
        "退款金额超过了该笔付款的剩余可退金额。",
        "返金額が、この支払いの返金できる残額を超えています。";
    ErrorRefundWindowClosed =>
        "This payment is too old to refund.",
        "该笔付款已超过可退款期限。",
        "この支払いは返金できる期間を過ぎています。";
    SuspendedTitle =>
        "This wallet is locked with its lock code",
        "此钱包已用锁定码锁定",
        "このウォレットはロックコードでロックされています";
    SuspendedBody =>
        "No device of it can pay until the recovery code from your recovery sheet lifts the lock. Your money is safe in the wallet.",
        "在使用恢复单上的恢复码解除锁定之前，任何设备都无法付款。您的资金安全地留在钱包中。",
        "リカバリーシートのリカバリーコードでロックを解除するまで、どの端末でも支払いはできません。お金はウォレットに残っています。";
    RecoveryCodeField => "Recovery code", "恢复码", "リカバリーコード";
    ResumeWallet => "Unlock the wallet", "解除锁定", "ロックを解除";
    ErrorRecoveryCode =>
        "That is not this wallet's recovery code. Check it against your recovery sheet.",
        "这不是此钱包的恢复码，请与恢复单核对。",
        "このウォレットのリカバリーコードではありません。リカバリーシートと照らし合わせてください。";
    RecoverySheetTitle => "Your recovery sheet", "您的恢复单", "リカバリーシート";
    RecoverySheetBody =>
        "Print this or write it down, and keep it away from this device. If the device is lost, the lock code stops every device from paying, from any browser at",
        "请打印或抄写下来，并与本设备分开保存。设备丢失时，可在任意浏览器中打开以下网址，用锁定码停止所有设备付款：",
        "印刷するか書き留めて、この端末とは別に保管してください。端末をなくしたら、どのブラウザからでも次のページでロックコードを入力すると、すべての端末の支払いが止まります：";
    LockCode => "Lock code", "锁定码", "ロックコード";
    RecoveryCode => "Recovery code (lifts the lock)", "恢复码（解除锁定）", "リカバリーコード（ロックを解除）";
    RecoverySheetShow => "Show my recovery sheet", "显示我的恢复单", "リカバリーシートを表示";
    RecoverySheetSaved => "I have saved it", "我已保存", "保存しました";
    RecoverySheetPrint => "Print", "打印", "印刷";
    NotifySuspended => "Your wallet was locked with its lock code", "您的钱包已用锁定码锁定", "ウォレットがロックコードでロックされました";
    NotifyResumed => "Your wallet is unlocked", "您的钱包已解除锁定", "ウォレットのロックを解除しました";
    PayCodeTitle => "Pay code", "付款码", "支払いコード";
    PayCodeHint =>
        "Show this to the cashier to scan.",
        "请出示给收银员扫描。",
        "レジで読み取ってもらってください。";
    PayCodeOffline =>
        "Works without a connection. Each code is good for one payment.",
        "无网络也可使用，每个付款码仅限一次付款。",
        "通信がなくても使えます。コードは 1 回の支払いにだけ使えます。";
    PayCodeRefreshesIn => "New code in", "新付款码倒计时", "次のコードまで";
    PayCodePaysWith => "Pays with", "付款方式", "支払い方法";
    PayCodeNoPinUpTo => "No PIN up to", "免密额度", "PIN なしで支払える上限";
    PayCodeFallback => "When the balance is short", "余额不足时", "残高が足りないとき";
    PayCodeNoFallback => "Do not pay", "不付款", "支払わない";
    PayCodeChange => "Change how it pays", "更改付款设置", "支払い設定を変更";
    PayCodeDigits => "Pay code digits", "付款码数字", "支払いコードの数字";
    PayCodePaid => "Paid", "已付款", "支払い済み";
    ConfirmChargeTitle => "Confirm this payment", "确认此笔付款", "この支払いを確認";
    ConfirmChargeApprove => "Pay", "付款", "支払う";
    ConfirmChargeDecline => "Decline", "拒绝", "拒否";
    NotifyConfirmCharge => "Confirm a payment", "请确认付款", "支払いを確認してください";
    ErrorPayCodeRefused =>
        "The shop could not take this pay code. Show the new one.",
        "商家无法使用此付款码，请出示新的付款码。",
        "お店でこの支払いコードを使えませんでした。新しいコードを見せてください。";
    ErrorPayCodeMissing =>
        "This device has no pay code yet. Connect to the internet once to get one.",
        "本设备还没有付款码。请联网一次以获取。",
        "この端末にはまだ支払いコードがありません。一度インターネットに接続して取得してください。";
    ErrorPaymentDeclined => "You declined this payment. Nothing was charged.", "您已拒绝此付款，未扣款。", "この支払いを拒否しました。請求はありません。";
    ErrorConfirmationTimedOut =>
        "The shop stopped waiting for your answer. Nothing was charged.",
        "商家已停止等待您的确认，未扣款。",
        "お店があなたの確認を待つのをやめました。請求はありません。";
    ErrorInvalidInvite =>
        "This invite code is not valid, used or expired. Ask the shop's owner for a new one.",
        "邀请码无效、已使用或已过期，请向店主索取新的邀请码。",
        "この招待コードは無効か、使用済みか、期限切れです。店舗のオーナーに新しいコードを依頼してください。";
    ErrorInvalidCard =>
        "The card number, expiry or security code is not valid. Check them and try again.",
        "卡号、有效期或安全码无效，请检查后重试。",
        "カード番号、有効期限、セキュリティコードのいずれかが正しくありません。確認してもう一度お試しください。";
    ErrorCardDeclined =>
        "The bank declined this card. Try another card, or ask your bank.",
        "银行拒绝了此卡。请换一张卡，或联系发卡银行。",
        "銀行がこのカードを承認しませんでした。別のカードを使うか、銀行にお問い合わせください。";
    ErrorInsufficientFunds =>
        "The balance does not cover this amount. Top up, or pay with a card.",
        "余额不足以支付此金额。请充值，或使用银行卡付款。",
        "残高が足りません。チャージするか、カードで支払ってください。";
    ErrorInvalidPaymentCode =>
        "This is not a payment code Saifu can pay, or it is damaged. Scan it again.",
        "这不是 Saifu 可以支付的收款码，或二维码已损坏。请重新扫描。",
        "Saifu で支払えるコードではないか、コードが破損しています。もう一度読み取ってください。";
    ErrorUnknownMerchant =>
        "This shop does not take Saifu yet.",
        "该商家暂不支持 Saifu 付款。",
        "このお店はまだ Saifu に対応していません。";
    ErrorAmountRequired => "Enter the amount to pay.", "请输入付款金额。", "支払う金額を入力してください。";
    ErrorQuoteAlreadyPaid =>
        "This was paid already: see History.",
        "这笔已经付过了，请查看账单。",
        "この支払いは完了しています。履歴をご確認ください。";
    ErrorOfferChanged =>
        "An offer in this price is no longer available. Scan again for the current price.",
        "此价格中的某项优惠已不可用，请重新扫码获取最新价格。",
        "この価格の特典が使えなくなりました。もう一度読み取って最新の価格をご確認ください。";
    ErrorFundingNotQuoted =>
        "This way of paying was added after the price was shown. Scan again.",
        "该付款方式是在显示价格之后添加的，请重新扫码。",
        "この支払い方法は価格の表示後に追加されました。もう一度読み取ってください。";
    ErrorCouponHeld => "You hold this coupon already.", "你已经领取过这张优惠券。", "このクーポンはすでに取得済みです。";
    ErrorCouponUnavailable =>
        "This coupon cannot be claimed now.",
        "这张优惠券现在无法领取。",
        "このクーポンは現在取得できません。";
    ErrorAmountOutOfRange =>
        "This amount is not accepted: enter an amount above zero and within what a wallet holds.",
        "该金额无效：请输入大于零且不超过钱包上限的金额。",
        "この金額は使えません。ゼロより大きく、ウォレットの上限以内の金額を入力してください。";
    ErrorBalanceLimit =>
        "This would take the balance above the most a wallet may hold.",
        "这将使余额超过钱包的上限。",
        "残高がウォレットの上限を超えてしまいます。";
    ErrorRateUnavailable =>
        "There is no current exchange rate for this currency. Please try again later.",
        "暂无该币种的最新汇率，请稍后再试。",
        "この通貨の最新の為替レートがありません。しばらくしてからお試しください。";
    ErrorNotOnboarded => "Set up the wallet on this device first.", "请先在本设备上开通钱包。", "まずこの端末でウォレットを開設してください。";
    ErrorAlreadyOnboarded => "This device has a wallet already.", "本设备已开通钱包。", "この端末にはすでにウォレットがあります。";
    ErrorDeviceName =>
        "Give this device a name of 1 to 64 characters.",
        "请为本设备设置 1 到 64 个字符的名称。",
        "この端末に 1〜64 文字の名前を付けてください。";
    ErrorServiceAddress =>
        "The service address starts with https:// (or http:// for a service on this computer).",
        "服务地址须以 https:// 开头（本机服务可用 http://）。",
        "サービスのアドレスは https://（このコンピューター上のサービスなら http://）で始まります。";
    ErrorKeyringFailed =>
        "The system keyring failed. Please try again.",
        "系统钥匙串出错，请重试。",
        "システムのキーリングでエラーが発生しました。もう一度お試しください。";
    ErrorAppLocked => "Unlock the app with your PIN first.", "请先输入支付密码解锁。", "まず PIN でロックを解除してください。";
    ErrorPinFormat => "A PIN is 6 digits.", "支付密码为 6 位数字。", "PIN は 6 桁の数字です。";
    ErrorPinTooSimple =>
        "PINs with every digit the same or in a run (123456) are too easy to guess.",
        "所有数字相同或连续（如 123456）的密码太容易被猜到。",
        "すべて同じ数字や連続した数字（123456 など）の PIN は推測されやすいため使えません。";
    ErrorWrongPin => "Wrong PIN.", "支付密码错误。", "PIN が違います。";
    ErrorPinPaused =>
        "Too many wrong PINs. Wait a moment, then try again.",
        "支付密码错误次数过多，请稍后再试。",
        "PIN の誤りが多すぎます。しばらく待ってからお試しください。";
    ErrorNotAnImage =>
        "This file is not an image (PNG, JPEG or WebP).",
        "该文件不是图片（PNG、JPEG 或 WebP）。",
        "このファイルは画像（PNG、JPEG、WebP）ではありません。";
    ErrorStorage =>
        "Saifu could not keep its data on this device. Check the free space, then try again.",
        "Saifu 无法在本设备上保存数据。请检查剩余空间后重试。",
        "Saifu がこの端末にデータを保存できませんでした。空き容量を確認してもう一度お試しください。";
    AmountZero => "Enter an amount above zero.", "请输入大于零的金额。", "ゼロより大きい金額を入力してください。";
    AmountNoDecimals =>
        "This currency has no decimals: enter a whole amount.",
        "该币种没有小数，请输入整数金额。",
        "この通貨には小数がありません。整数で入力してください。";
    AmountFewerDecimals =>
        "Too many decimals for this currency.",
        "小数位数超过了该币种允许的位数。",
        "この通貨で使える小数の桁数を超えています。";
    AmountWhole =>
        "Enter the amount in digits, such as 1280 or 1,280.",
        "请用数字输入金额，例如 1280 或 1,280。",
        "金額は 1280 や 1,280 のように数字で入力してください。";
    AmountDecimal =>
        "Enter the amount in digits, such as 12.50 or 1,280.",
        "请用数字输入金额，例如 12.50 或 1,280。",
        "金額は 12.50 や 1,280 のように数字で入力してください。";
    PriceRenewed =>
        "The price changed while you were deciding. Here is the current one: check it, then pay.",
        "您确认期间价格有变，以下是最新价格，请确认后再付款。",
        "ご検討中に価格が変わりました。最新の価格をご確認のうえ、お支払いください。";
    PriceBeforeDiscount => "Before discounts:", "优惠前：", "割引前:";
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

impl Lang {
    /// A history line's title: the shop paid, or the card a top-up came from.
    pub fn activity_title(self, activity: &saifu_ipc::ActivityView) -> String {
        match (activity.kind, &activity.merchant, &activity.card) {
            (saifu_ipc::ActivityKind::Payment, Some(shop), _) => self
                .shop_name(shop, activity.merchant_local.as_ref())
                .to_owned(),
            (saifu_ipc::ActivityKind::TopUp, _, Some(card)) => {
                let from = format!("{} •••• {}", card.issuer, card.last4);
                match self {
                    Lang::En => format!("Top up from {from}"),
                    Lang::ZhCn => format!("从 {from} 充值"),
                    Lang::Ja => format!("{from} からチャージ"),
                }
            }
            (saifu_ipc::ActivityKind::Payment, None, _) => {
                self.text(Text::ActivityPayment).to_owned()
            }
            (saifu_ipc::ActivityKind::TopUp, _, None) => self.text(Text::ActivityTopUp).to_owned(),
            (saifu_ipc::ActivityKind::Refund, Some(shop), _) => {
                let shop = self.shop_name(shop, activity.merchant_local.as_ref());
                match self {
                    Lang::En => format!("Refund from {shop}"),
                    Lang::ZhCn => format!("{shop} 退款"),
                    Lang::Ja => format!("{shop} からの返金"),
                }
            }
            (saifu_ipc::ActivityKind::Refund, None, _) => {
                self.text(Text::ActivityRefund).to_owned()
            }
        }
    }

    /// A shop's name as this reader knows it: as on the shop's sign when the reader reads it
    /// (兰心面馆 for a Chinese reader), else the one it goes by abroad.
    pub fn shop_name<'a>(self, name: &'a str, local: Option<&'a saifu_ipc::LocalName>) -> &'a str {
        match local {
            Some(local) if self.reads(&local.language, &local.name) => &local.name,
            _ => name,
        }
    }

    /// A shop's city, chosen as [`Lang::shop_name`] chooses its name.
    pub fn shop_city<'a>(self, city: &'a str, local: Option<&'a saifu_ipc::LocalName>) -> &'a str {
        let local_city = local.and_then(|local| {
            let local_city = local.city.as_deref()?;
            self.reads(&local.language, local_city)
                .then_some(local_city)
        });
        local_city.unwrap_or(city)
    }

    /// Whether this reader reads `text`, written in `language`: their own language, or
    /// Chinese or Japanese in Han characters alone, which readers of both read (a Chinese
    /// tourist looks for 大阪 and 蘭心麺館 on the sign; kana would be lost on them).
    fn reads(self, language: &str, text: &str) -> bool {
        let mine = self.tag().split('-').next().unwrap_or_default();
        let han_reader = |language: &str| matches!(language, "zh" | "ja");
        mine == language || (han_reader(mine) && han_reader(language) && is_han_only(text))
    }

    /// A promotion's reward in words, e.g. "10% off, up to CN¥20.00".
    pub fn reward(self, reward: &saifu_ipc::RewardView) -> String {
        use saifu_ipc::RewardView;
        let money = |amount| crate::format::money(self, amount);
        let percent = |basis_points: u32| {
            let whole = basis_points / 100;
            match basis_points % 100 {
                0 => whole.to_string(),
                part => format!("{whole}.{:02}", part)
                    .trim_end_matches('0')
                    .to_owned(),
            }
        };
        match (self, reward) {
            (
                Lang::En,
                RewardView::PercentOff {
                    basis_points,
                    cap: Some(cap),
                },
            ) => format!("{}% off, up to {}", percent(*basis_points), money(*cap)),
            (
                Lang::En,
                RewardView::PercentOff {
                    basis_points,
                    cap: None,
                },
            ) => format!("{}% off", percent(*basis_points)),
            (Lang::En, RewardView::AmountOff { off }) => format!("{} off", money(*off)),
            (Lang::En, RewardView::ThresholdOff { spend, off }) => {
                format!("{} off when you spend {}", money(*off), money(*spend))
            }
            (Lang::En, RewardView::RandomOff { min, max }) => {
                format!("A surprise {} to {} off", money(*min), money(*max))
            }
            (Lang::En, RewardView::FirstPaymentBonus { off }) => {
                format!("{} off your first visit", money(*off))
            }
            (
                Lang::ZhCn,
                RewardView::PercentOff {
                    basis_points,
                    cap: Some(cap),
                },
            ) => format!("立减 {}%，最高 {}", percent(*basis_points), money(*cap)),
            (
                Lang::ZhCn,
                RewardView::PercentOff {
                    basis_points,
                    cap: None,
                },
            ) => format!("立减 {}%", percent(*basis_points)),
            (Lang::ZhCn, RewardView::AmountOff { off }) => format!("立减 {}", money(*off)),
            (Lang::ZhCn, RewardView::ThresholdOff { spend, off }) => {
                format!("满 {} 减 {}", money(*spend), money(*off))
            }
            (Lang::ZhCn, RewardView::RandomOff { min, max }) => {
                format!("随机立减 {}～{}", money(*min), money(*max))
            }
            (Lang::ZhCn, RewardView::FirstPaymentBonus { off }) => {
                format!("首次到店立减 {}", money(*off))
            }
            (
                Lang::Ja,
                RewardView::PercentOff {
                    basis_points,
                    cap: Some(cap),
                },
            ) => format!("{}%オフ（上限 {}）", percent(*basis_points), money(*cap)),
            (
                Lang::Ja,
                RewardView::PercentOff {
                    basis_points,
                    cap: None,
                },
            ) => format!("{}%オフ", percent(*basis_points)),
            (Lang::Ja, RewardView::AmountOff { off }) => format!("{}引き", money(*off)),
            (Lang::Ja, RewardView::ThresholdOff { spend, off }) => {
                format!("{}以上で{}引き", money(*spend), money(*off))
            }
            (Lang::Ja, RewardView::RandomOff { min, max }) => {
                format!("{}〜{}のランダム割引", money(*min), money(*max))
            }
            (Lang::Ja, RewardView::FirstPaymentBonus { off }) => {
                format!("初回来店で{}引き", money(*off))
            }
        }
    }

    pub fn funder(self, funder: saifu_ipc::Funder) -> &'static str {
        self.text(match funder {
            saifu_ipc::Funder::Merchant => Text::FunderMerchant,
            saifu_ipc::Funder::Issuer => Text::FunderIssuer,
            saifu_ipc::Funder::Operator => Text::FunderOperator,
        })
    }

    /// What to tell the user about an error, from its code and the facts it carries; the
    /// message that came with it is for developers and is never shown.
    pub fn error(self, error: &saifu_ipc::IpcError) -> String {
        use saifu_ipc::Code;
        let detail = &error.detail;
        match (error.code, detail.wait_seconds, detail.tries_left) {
            (Code::WrongPin | Code::PinPaused, Some(seconds), _) => {
                let wait = self.wait(seconds);
                match (self, error.code) {
                    (Lang::En, Code::WrongPin) => {
                        format!("Wrong PIN. Wait {wait} before the next try.")
                    }
                    (Lang::En, _) => {
                        format!("Too many wrong PINs. Wait {wait} before the next try.")
                    }
                    (Lang::ZhCn, Code::WrongPin) => format!("支付密码错误，请等待{wait}后再试。"),
                    (Lang::ZhCn, _) => format!("支付密码错误次数过多，请等待{wait}后再试。"),
                    (Lang::Ja, Code::WrongPin) => {
                        format!("PIN が違います。{wait}待ってからもう一度お試しください。")
                    }
                    (Lang::Ja, _) => {
                        format!("PIN の誤りが多すぎます。{wait}待ってからもう一度お試しください。")
                    }
                }
            }
            // A wrong PIN with no tries left begins a pause, worded above.
            (Code::WrongPin, None, Some(tries)) => match (self, tries) {
                (Lang::En, 1) => "Wrong PIN. 1 more try before a pause.".to_owned(),
                (Lang::En, _) => format!("Wrong PIN. {tries} more tries before a pause."),
                (Lang::ZhCn, _) => format!("支付密码错误，还可尝试 {tries} 次，之后将暂停输入。"),
                (Lang::Ja, _) => {
                    format!("PIN が違います。あと {tries} 回間違えると入力が一時停止されます。")
                }
            },
            (code, _, _) => self.text(error_text(code)).to_owned(),
        }
    }

    /// A rate and its time: "1 JPY = 0.048210 CNY · as of Dec 3, 2026, 2:02 PM", with the
    /// currencies named as people in the language call them.
    pub fn rate(self, rate: &saifu_ipc::RateView) -> String {
        let (base, quote) = (rate.rate.base(), rate.rate.quote());
        let when = crate::format::date_time(self, rate.as_of);
        let decimal = rate.rate.decimal();
        match self {
            Lang::En => format!("1 {base} = {decimal} {quote} · as of {when}"),
            Lang::ZhCn => format!(
                "1 {} = {decimal} {} · 汇率时间 {when}",
                self.currency_name(base),
                self.currency_name(quote)
            ),
            Lang::Ja => format!(
                "1 {} = {decimal} {} · {when} 時点",
                self.currency_name(base),
                self.currency_name(quote)
            ),
        }
    }

    /// A currency's everyday name; its ISO code where the language has none here.
    fn currency_name(self, currency: saifu_core::money::Currency) -> String {
        let name = match (self, currency.code()) {
            (Lang::ZhCn, "CNY") => "人民币",
            (Lang::ZhCn, "JPY") => "日元",
            (Lang::ZhCn, "USD") => "美元",
            (Lang::ZhCn, "EUR") => "欧元",
            (Lang::Ja, "CNY") => "人民元",
            (Lang::Ja, "JPY") => "円",
            (Lang::Ja, "USD") => "米ドル",
            (Lang::Ja, "EUR") => "ユーロ",
            (_, code) => code,
        };
        name.to_owned()
    }

    /// A promotion's name in this language: the English one for English, else the name the
    /// campaign has in this language, if any (an English name would read as foreign here).
    pub fn promotion_name<'a>(
        self,
        english: &'a str,
        names: &'a std::collections::BTreeMap<String, String>,
    ) -> Option<&'a str> {
        match self {
            Lang::En => Some(english),
            _ => names.get(self.tag()).map(String::as_str),
        }
    }

    /// The question a till's charge above the no-PIN limit asks.
    pub fn confirm_charge(self, amount: &str, shop: &str) -> String {
        match self {
            Lang::En => format!("Pay {amount} at {shop}?"),
            Lang::ZhCn => format!("在{shop}付款 {amount}？"),
            Lang::Ja => format!("{shop}で {amount} を支払いますか？"),
        }
    }

    /// Seconds left, as a countdown shows them.
    pub fn seconds_left(self, seconds: i64) -> String {
        match self {
            Lang::En => format!("{seconds} s"),
            Lang::ZhCn | Lang::Ja => format!("{seconds} 秒"),
        }
    }

    /// A pause as people say it: seconds below two minutes, whole minutes (rounded up) above.
    fn wait(self, seconds: u64) -> String {
        let minutes = seconds.div_ceil(60);
        match (self, seconds < 120) {
            (Lang::En, true) => format!("{seconds} s"),
            (Lang::En, false) => format!("{minutes} min"),
            (Lang::ZhCn, true) => format!(" {seconds} 秒"),
            (Lang::ZhCn, false) => format!(" {minutes} 分钟"),
            (Lang::Ja, true) => format!("{seconds} 秒"),
            (Lang::Ja, false) => format!("{minutes} 分"),
        }
    }
}

/// The words for every code of the one list: a code without words here does not compile.
fn error_text(code: saifu_ipc::Code) -> Text {
    use saifu_ipc::Code;
    match code {
        Code::BadRequest
        | Code::UnknownRoute
        | Code::MethodNotAllowed
        | Code::UnsupportedMediaType
        | Code::PayloadTooLarge
        | Code::Protocol => Text::ErrorBadRequest,
        Code::StaleRequest => Text::ErrorClock,
        Code::InvalidSignature | Code::ReplayedNonce => Text::ErrorRequestRefused,
        Code::UnknownDevice => Text::ErrorUnknownDevice,
        Code::DeviceLocked => Text::DeviceLockedTitle,
        Code::InvalidChallenge => Text::ErrorTryAgain,
        Code::InvalidInvite => Text::ErrorInvalidInvite,
        Code::RefundExceedsPayment => Text::ErrorRefundExceedsPayment,
        Code::RefundWindowClosed => Text::ErrorRefundWindowClosed,
        Code::PayCodeWrong
        | Code::PayCodeExpired
        | Code::PayCodeUsed
        | Code::PayCodesPaused
        | Code::PayCodeLocked => Text::ErrorPayCodeRefused,
        Code::PayCodeMissing => Text::ErrorPayCodeMissing,
        Code::WalletSuspended => Text::SuspendedTitle,
        Code::InvalidRecoveryCode => Text::ErrorRecoveryCode,
        Code::InvalidLockCode | Code::LockPaused => Text::ErrorRequestRefused,
        Code::PaymentDeclined => Text::ErrorPaymentDeclined,
        Code::ConfirmationTimedOut => Text::ErrorConfirmationTimedOut,
        Code::Conflict | Code::IdempotencyKeyReused => Text::ErrorConflict,
        Code::Forbidden => Text::ErrorForbidden,
        Code::NotFound => Text::ErrorNotFound,
        Code::InvalidCard => Text::ErrorInvalidCard,
        Code::CardExpired => Text::CardExpired,
        Code::CardDeclined => Text::ErrorCardDeclined,
        Code::InsufficientFunds => Text::ErrorInsufficientFunds,
        Code::InvalidPaymentCode => Text::ErrorInvalidPaymentCode,
        Code::UnknownMerchant => Text::ErrorUnknownMerchant,
        Code::AmountRequired => Text::ErrorAmountRequired,
        Code::QuoteExpired => Text::ErrorQuoteExpired,
        Code::QuoteAlreadyPaid => Text::ErrorQuoteAlreadyPaid,
        Code::OfferChanged => Text::ErrorOfferChanged,
        Code::FundingNotQuoted => Text::ErrorFundingNotQuoted,
        Code::CouponAlreadyClaimed => Text::ErrorCouponHeld,
        Code::CouponUnavailable => Text::ErrorCouponUnavailable,
        Code::AmountOutOfRange => Text::ErrorAmountOutOfRange,
        Code::BalanceLimit => Text::ErrorBalanceLimit,
        Code::RateUnavailable => Text::ErrorRateUnavailable,
        Code::Internal => Text::ErrorInternal,
        Code::NoShell => Text::ErrorNoShell,
        Code::Unreachable => Text::ErrorUnreachable,
        Code::NotOnboarded => Text::ErrorNotOnboarded,
        Code::AlreadyOnboarded => Text::ErrorAlreadyOnboarded,
        Code::InvalidDeviceName => Text::ErrorDeviceName,
        Code::InvalidServiceAddress => Text::ErrorServiceAddress,
        Code::KeyMissing => Text::KeyMissingTitle,
        Code::KeyringUnavailable => Text::ErrorKeyring,
        Code::KeyringFailed => Text::ErrorKeyringFailed,
        Code::AppLocked => Text::ErrorAppLocked,
        Code::InvalidPin => Text::ErrorPinFormat,
        Code::PinTooSimple => Text::ErrorPinTooSimple,
        Code::WrongPin => Text::ErrorWrongPin,
        Code::PinPaused => Text::ErrorPinPaused,
        Code::NotAnImage => Text::ErrorNotAnImage,
        Code::NoCode => Text::ErrorNoCode,
        Code::Storage => Text::ErrorStorage,
    }
}

/// Han characters with nothing beside them but spaces, digits and punctuation.
fn is_han_only(text: &str) -> bool {
    let han = |c: char| matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}');
    let neutral = |c: char| {
        c.is_whitespace()
            || c.is_ascii_digit()
            || c.is_ascii_punctuation()
            || matches!(c, '\u{3000}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{FF01}'..='\u{FF0F}')
    };
    text.chars().any(han) && text.chars().all(|c| han(c) || neutral(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shops_go_by_the_name_on_their_sign_where_the_reader_reads_it() {
        let local = |language: &str, name: &str, city: &str| saifu_ipc::LocalName {
            language: language.into(),
            name: name.into(),
            city: Some(city.into()),
        };
        let shanghai = local("zh", "兰心面馆", "上海");
        let osaka = local("ja", "道頓堀たこ焼き", "大阪");
        let tokyo = local("ja", "秋葉原電気店", "東京");
        let name = |lang: Lang, local| lang.shop_name("Latin", Some(local));
        let city = |lang: Lang, local| lang.shop_city("Latin", Some(local));
        assert_eq!(name(Lang::ZhCn, &shanghai), "兰心面馆");
        assert_eq!(name(Lang::Ja, &shanghai), "兰心面馆");
        assert_eq!(name(Lang::En, &shanghai), "Latin");
        assert_eq!(city(Lang::En, &shanghai), "Latin");
        // Kana is not a Chinese reader's script; the city and a kanji-only name are.
        assert_eq!(name(Lang::ZhCn, &osaka), "Latin");
        assert_eq!(city(Lang::ZhCn, &osaka), "大阪");
        assert_eq!(name(Lang::ZhCn, &tokyo), "秋葉原電気店");
        assert_eq!(name(Lang::Ja, &osaka), "道頓堀たこ焼き");
        let korean = local("ko", "명동교자", "서울");
        assert_eq!(name(Lang::ZhCn, &korean), "Latin");
        assert_eq!(name(Lang::Ja, &local("ko", "明洞", "")), "Latin");
        assert_eq!(Lang::Ja.shop_name("Latin", None), "Latin");
    }

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
