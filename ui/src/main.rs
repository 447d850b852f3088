//! Saifu's UI: a Yew app rendered in the shell's webview. It talks to the shell only
//! through the typed commands of saifu-ipc (see [`ipc`]).

mod app;
mod components;
mod format;
mod i18n;
mod icons;
mod ipc;
mod pages;
mod preferences;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
