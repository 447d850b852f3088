//! The reference wallet service in this process, over a fresh SQLite file, with the demo
//! shops and promotions: what the client and the app talk to in the full-stack tests.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use saifu_server::{AppState, Db, unix_now};
use tokio::sync::oneshot;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh directory under the system's temporary one.
pub fn temp_dir(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("saifu-{name}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub struct LocalService {
    pub base: String,
    pub db: Db,
    /// Seconds added to the service's clock, to let prices expire.
    pub clock_offset: Arc<AtomicI64>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl LocalService {
    pub async fn start() -> LocalService {
        let file = temp_dir("service").join("wallet.db");
        let db = Db::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("database");
        saifu_server::demo::seed(&db, unix_now())
            .await
            .expect("demo shops");
        saifu_server::demo::seed_promotions(&db, unix_now())
            .await
            .expect("demo promotions");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let clock_offset = Arc::new(AtomicI64::new(0));
        let offset = clock_offset.clone();
        let state = AppState::with_clock(db.clone(), move || {
            unix_now() + offset.load(Ordering::Relaxed)
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            saifu_server::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        LocalService {
            base,
            db,
            clock_offset,
            stop: Some(stop),
            task,
        }
    }

    /// Stops accepting requests and waits for the service to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// A demo merchant's EMV code, static or with `amount`.
    pub async fn merchant_code(&self, merchant_id: &str, amount: Option<&str>) -> String {
        let merchant = self
            .db
            .merchant(merchant_id)
            .await
            .expect("query")
            .expect("seeded merchant");
        saifu_server::demo::merchant_code(&merchant, amount)
            .expect("code")
            .encode()
            .expect("encodes")
    }
}
