//! What the UI remembers between launches, kept in the webview's local storage.

use crate::i18n::Lang;

const LANGUAGE_KEY: &str = "saifu.language";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language chosen in Settings, else the system's if Saifu speaks it, else English.
pub fn language() -> Lang {
    let stored = storage().and_then(|s| s.get_item(LANGUAGE_KEY).ok().flatten());
    let system = || web_sys::window().and_then(|w| w.navigator().language());
    stored
        .or_else(system)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

pub fn save_language(lang: Lang) {
    if let Some(storage) = storage() {
        // Losing the preference only means the next launch follows the system language.
        let _ = storage.set_item(LANGUAGE_KEY, lang.tag());
    }
}
