//! The reference wallet service in this process, over a fresh SQLite file, with the demo
//! shops and promotions: what the client and the app talk to in the full-stack tests. Every
//! answer it gives is checked against its OpenAPI document.

pub use saifu_server::testing::{TestApp as LocalService, temp_dir};

/// The service with the demo shops and promotions, on a port of its own.
pub async fn start() -> LocalService {
    saifu_server::testing::spawn_demo_app().await
}
