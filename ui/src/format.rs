//! Money and dates as the chosen language writes them.

use saifu_core::money::{Locale, Money};

use crate::i18n::Lang;

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::En,
        Lang::ZhCn => Locale::ZhCn,
        Lang::Ja => Locale::Ja,
    }
}

pub fn money(lang: Lang, amount: Money) -> String {
    amount.format(locale(lang))
}

/// A signed amount for activity lists: "+¥200.00" in, "−¥38.50" out.
pub fn signed_money(lang: Lang, amount: Money) -> String {
    let text = money(lang, amount);
    if amount.is_negative() {
        text.replacen('-', "\u{2212}", 1)
    } else {
        format!("+{text}")
    }
}

/// Date and time in the user's language, e.g. "22 Nov 2026, 14:05".
pub fn date_time(lang: Lang, unix_seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        unix_seconds as f64 * 1000.0,
    ));
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_string(lang.tag(), &options).into()
}
