//! Crashes and lost answers, against the real `saifu-server` binary in a child process over
//! real HTTP. Killed with SIGKILL in the middle of a payment load and restarted on the same
//! database, the service has lost no acknowledged payment and half-applied none, its ledger
//! balances, and retries with the same idempotency keys charge once. A payment whose answer
//! never reached the client, retried with the same key, gives the same receipt and charges
//! once.
//!
//! Each test gets a fresh SQLite file by default. With `SAIFU_TEST_DATABASE_URL` the database
//! is PostgreSQL and shared with other tests: only this test's wallet is checked, and the
//! ledger's global sums, which are zero at every moment.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{TestApp, TestDevice, unique};
use reqwest::{Method, StatusCode};
use saifu_api::{
    Activity, ActivityKind, Card, Funding, History, Pay, Quote, QuoteRequest, Receipt,
    TopUpReceipt, Wallet, paths,
};
use saifu_core::money::Currency;
use saifu_server::Store;
use saifu_server::ledger::Account;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

const SERVER: &str = env!("CARGO_BIN_EXE_saifu-server");
/// How long the service may take to answer its health check once started.
const READY_WITHIN: Duration = Duration::from_secs(15);
/// How long the test waits for something it knows the service is doing.
const PATIENCE: Duration = Duration::from_secs(10);
/// Clients paying at once during the load.
const PAYERS: usize = 16;
const PAYMENTS: usize = 40;
/// The service is killed once this many payments are acknowledged.
const KILL_AFTER: usize = 10;

/// A directory for one test's server logs and SQLite file, and the database URL. Removed
/// when the test passes; kept, for its logs, when it fails.
struct Scratch {
    dir: PathBuf,
    url: String,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(unique(name));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        let url = std::env::var("SAIFU_TEST_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.join("wallet.db").display()));
        Scratch { dir, url }
    }

    /// `saifu-server seed-demo`, which also creates and migrates the database.
    fn seed_demo(&self) {
        let output = Command::new(SERVER)
            .args(["seed-demo", "--db", &self.url])
            .stdin(Stdio::null())
            .output()
            .expect("run saifu-server seed-demo");
        assert!(
            output.status.success(),
            "seed-demo failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Another connection to the database, for the checks the HTTP API cannot make.
    async fn audit_pool(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPoolOptions::new()
            .max_connections(2)
            .connect(&self.url)
            .await
            .expect("open the database for auditing")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A free address on the loopback interface (the port is free once the listener is dropped).
fn free_address() -> String {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string()
}

/// A `saifu-server serve` child process: killed and reaped when dropped, also when the
/// test fails.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    /// Starts the service on `addr` and waits until it answers its health check.
    async fn start(scratch: &Scratch, addr: &str, name: &str) -> Server {
        let log = scratch.dir.join(format!("{name}.log"));
        let stdout = File::create(&log).expect("log file");
        let stderr = stdout.try_clone().expect("log file");
        let child = Command::new(SERVER)
            .args(["serve", "--db", &scratch.url, "--addr", addr])
            .env("RUST_LOG", "saifu_server=info")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start saifu-server");
        let mut server = Server {
            child,
            addr: addr.to_owned(),
            log,
        };
        server.wait_until_ready().await;
        server
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn log(&self) -> String {
        format!(
            "--- {} ---\n{}",
            self.log.display(),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }

    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .expect("client");
        let health = format!("{}{}", self.base(), paths::HEALTH);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!(
                    "saifu-server stopped ({status}) before it answered\n{}",
                    self.log()
                );
            }
            if let Ok(response) = http.get(&health).send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "saifu-server did not answer {health} within {READY_WITHIN:?}\n{}",
                self.log()
            );
            // Bounded polling for readiness.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, no chance to finish what is under way.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL saifu-server");
        let status = self.child.wait().expect("reap saifu-server");
        assert_eq!(
            status.signal(),
            Some(9),
            "saifu-server ended ({status}) before it was killed\n{}",
            self.log()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // After `kill` these fail harmlessly: the child is reaped already.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh CNY wallet with card 4242 4242 4242 4242 linked and `amount` topped up from it;
/// its id and the top-up in minor units.
async fn open_wallet(app: &TestApp, phone: &TestDevice, amount: &str) -> (String, i64) {
    let wallet = app.create_wallet(phone).await;
    let link = serde_json::json!({
        "number": "4242424242424242",
        "expiry": "12/35",
        "security_code": "123",
        "holder": "Mei Tanaka",
    })
    .to_string();
    let card: Card = phone.ok(app, Method::POST, paths::CARDS, &link).await;
    let top_up = serde_json::json!({ "card_id": card.card_id, "amount": amount }).to_string();
    let response = phone
        .signed(app, Method::POST, paths::TOP_UPS, &top_up)
        .header(paths::IDEMPOTENCY_KEY, unique("top-up-key"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let receipt: TopUpReceipt = response.json().await.expect("a top-up receipt");
    (wallet.wallet_id, receipt.amount.minor())
}

/// A price at a Shanghai shop with a static code, the payer entering `amount` yuan.
async fn quote(app: &TestApp, phone: &TestDevice, amount: &str) -> Quote {
    let payload = app.merchant_payload("sh-bund-books", None).await;
    let body = serde_json::to_string(&QuoteRequest {
        payload,
        amount: Some(amount.to_owned()),
    })
    .expect("json");
    phone.ok(app, Method::POST, paths::QUOTES, &body).await
}

/// A payment the test makes: its idempotency key and body are the same on every try; only
/// the signature's timestamp and nonce change.
struct Planned {
    quote_id: String,
    key: String,
    body: String,
    amount: i64,
}

impl Planned {
    fn new(quote: &Quote) -> Planned {
        let body = serde_json::to_string(&Pay {
            quote_id: quote.quote_id.clone(),
            funding: Funding::Balance,
        })
        .expect("json");
        Planned {
            quote_id: quote.quote_id.clone(),
            key: unique("pay-key"),
            body,
            amount: quote.pay.minor(),
        }
    }

    fn request(&self, app: &TestApp, phone: &TestDevice) -> reqwest::RequestBuilder {
        phone
            .signed(app, Method::POST, paths::PAYMENTS, &self.body)
            .header(paths::IDEMPOTENCY_KEY, &self.key)
    }
}

async fn receipt_of(response: reqwest::Response) -> Receipt {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "a payment was refused: {text}");
    serde_json::from_str(&text).expect("a receipt")
}

async fn wallet_balance(app: &TestApp, phone: &TestDevice) -> i64 {
    phone
        .ok::<Wallet>(app, Method::GET, paths::WALLET, "")
        .await
        .balance
        .minor()
}

/// The wallet's whole history, page by page.
async fn history(app: &TestApp, phone: &TestDevice) -> Vec<Activity> {
    let mut entries = Vec::new();
    let mut path = paths::HISTORY.to_owned();
    loop {
        let page: History = phone.ok(app, Method::GET, &path, "").await;
        entries.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => path = format!("{}?cursor={cursor}", paths::HISTORY),
            None => return entries,
        }
    }
}

fn count_of(entries: &[Activity], kind: ActivityKind) -> usize {
    entries.iter().filter(|entry| entry.kind == kind).count()
}

fn text(row: &AnyRow, column: &str) -> String {
    row.try_get(column).expect(column)
}

/// A ledger entry as stored: account, amount, currency.
type Entry = (String, i64, String);

/// Everything the database holds for the wallet, checked for consistency: each payment has
/// its balanced ledger transaction and its history line, and the other way round; an
/// idempotency key is stored exactly when its payment is, with that payment's receipt; the
/// balance is the top-up less the payments; every currency's ledger sums to zero. Returns
/// the receipts of the payments made, by quote.
async fn audit(
    pool: &AnyPool,
    db: &Store,
    wallet_id: &str,
    plans: &[Planned],
    topped_up: i64,
) -> BTreeMap<String, Receipt> {
    let query = |sql: &'static str| async move {
        sqlx::query(sql)
            .bind(wallet_id)
            .fetch_all(pool)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    };

    let mut payments: BTreeMap<String, Receipt> = BTreeMap::new();
    for row in query(
        "SELECT payment_id, quote_id, transaction_id, receipt FROM payments WHERE wallet_id = $1",
    )
    .await
    {
        let receipt: Receipt = serde_json::from_str(&text(&row, "receipt")).expect("a receipt");
        let payment_id = text(&row, "payment_id");
        assert_eq!(receipt.payment_id, payment_id);
        assert_eq!(receipt.quote_id, text(&row, "quote_id"));
        assert_eq!(text(&row, "transaction_id"), payment_id);
        payments.insert(payment_id, receipt);
    }

    // transaction id -> (kind, entries)
    let mut transactions: BTreeMap<String, (String, Vec<Entry>)> = BTreeMap::new();
    for row in
        query("SELECT transaction_id, kind FROM ledger_transactions WHERE wallet_id = $1").await
    {
        transactions.insert(
            text(&row, "transaction_id"),
            (text(&row, "kind"), Vec::new()),
        );
    }
    for row in query(
        "SELECT e.transaction_id, e.account_id, e.amount, e.currency FROM ledger_entries e
         JOIN ledger_transactions t ON t.transaction_id = e.transaction_id WHERE t.wallet_id = $1",
    )
    .await
    {
        let entries = &mut transactions
            .get_mut(&text(&row, "transaction_id"))
            .expect("joined")
            .1;
        entries.push((
            text(&row, "account_id"),
            row.try_get("amount").expect("amount"),
            text(&row, "currency"),
        ));
    }
    let payment_transactions: BTreeSet<&String> = transactions
        .iter()
        .filter(|(_, (kind, _))| kind == "payment")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        payment_transactions,
        payments.keys().collect::<BTreeSet<_>>(),
        "payments and payment ledger transactions differ: a half-applied payment"
    );
    let top_ups = transactions
        .values()
        .filter(|(kind, _)| kind == "top_up")
        .count();
    assert_eq!(top_ups, 1, "the wallet has one top-up");
    let account = Account::wallet(wallet_id, Currency::from_code("CNY").expect("ISO")).id();
    let mut wallet_entries = 0;
    for (id, (kind, entries)) in &transactions {
        assert!(!entries.is_empty(), "{kind} {id} has no ledger entries");
        let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
        for (account_id, amount, currency) in entries {
            *sums.entry(currency.as_str()).or_default() += amount;
            if *account_id == account {
                wallet_entries += amount;
            }
        }
        assert!(
            sums.values().all(|sum| *sum == 0),
            "{kind} {id} does not balance: {entries:?}"
        );
    }
    for (id, receipt) in &payments {
        let entries = &transactions[id].1;
        let from_wallet: i64 = entries
            .iter()
            .filter(|(account_id, _, _)| *account_id == account)
            .map(|(_, amount, _)| amount)
            .sum();
        assert_eq!(from_wallet, -receipt.paid.minor(), "{id}: {entries:?}");
    }

    let by_quote: BTreeMap<String, Receipt> = payments
        .values()
        .map(|receipt| (receipt.quote_id.clone(), receipt.clone()))
        .collect();
    assert_eq!(by_quote.len(), payments.len(), "a quote was paid twice");
    assert!(
        by_quote
            .keys()
            .all(|quote_id| plans.iter().any(|plan| plan.quote_id == *quote_id)),
        "a payment the test did not ask for"
    );
    let mut responses: BTreeMap<String, String> = BTreeMap::new();
    for row in
        query("SELECT idempotency_key, response FROM idempotency_keys WHERE wallet_id = $1").await
    {
        responses.insert(text(&row, "idempotency_key"), text(&row, "response"));
    }
    assert!(
        responses.values().all(|response| !response.is_empty()),
        "an idempotency key without its response: {responses:?}"
    );
    assert_eq!(
        responses.len(),
        payments.len() + 1,
        "idempotency keys are the top-up's and the payments'"
    );
    for plan in plans {
        match (responses.get(&plan.key), by_quote.get(&plan.quote_id)) {
            (Some(response), Some(receipt)) => assert_eq!(
                serde_json::from_str::<Receipt>(response).expect("a stored receipt"),
                *receipt,
                "the response stored under {} is not its payment's receipt",
                plan.key
            ),
            (None, None) => {}
            (response, receipt) => panic!(
                "quote {}: stored response {response:?} but payment {receipt:?}",
                plan.quote_id
            ),
        }
    }

    let paid: i64 = payments.values().map(|receipt| receipt.paid.minor()).sum();
    let activity = query("SELECT kind, amount_minor FROM activity WHERE wallet_id = $1").await;
    let lines = |kind: &str| {
        activity
            .iter()
            .filter(|row| text(row, "kind") == kind)
            .map(|row| row.try_get::<i64, _>("amount_minor").expect("amount"))
            .collect::<Vec<_>>()
    };
    assert_eq!(lines("payment").len(), payments.len(), "history lines");
    assert_eq!(lines("payment").iter().sum::<i64>(), -paid);
    assert_eq!(lines("top_up"), [topped_up]);

    let balance = db.balance(&account).await.expect("balance");
    assert_eq!(
        balance, wallet_entries,
        "the balance is not its ledger entries' sum"
    );
    assert_eq!(
        balance,
        topped_up - paid,
        "the balance is not top-up less payments"
    );
    for (currency, total) in db.ledger_sums().await.expect("sums") {
        assert_eq!(total, 0, "the ledger does not balance in {currency}");
    }
    by_quote
}

/// `request` as the bytes of an HTTP/1.1 request, to write on a connection the test holds.
fn http1(request: &reqwest::Request, host: &str) -> Vec<u8> {
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .unwrap_or_default();
    let url = request.url();
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {}\r\n",
        request.method(),
        body.len()
    );
    for (name, value) in request.headers() {
        let value = value.to_str().expect("an ASCII header");
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The stored receipt of the payment of `quote_id`, once the service has committed it.
async fn committed_receipt(pool: &AnyPool, quote_id: &str) -> Receipt {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let row = sqlx::query("SELECT receipt FROM payments WHERE quote_id = $1")
            .bind(quote_id)
            .fetch_optional(pool)
            .await
            .expect("query");
        if let Some(row) = row {
            return serde_json::from_str(&text(&row, "receipt")).expect("a receipt");
        }
        assert!(
            Instant::now() < deadline,
            "the service did not commit the payment of {quote_id} within {PATIENCE:?}"
        );
        // Bounded polling for a commit the test cannot be told of.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What a payer saw of one payment during the load.
#[derive(Debug)]
enum Outcome {
    /// Boxed: a receipt is far larger than the other outcomes.
    Acknowledged(Box<Receipt>),
    /// The request was sent, or partly sent, and no answer came: in flight at the kill.
    NoAnswer(String),
    /// The service was gone: no connection, nothing sent.
    NotConnected,
    Refused(StatusCode, String),
}

/// What went wrong, in the words of the error at the bottom of the chain.
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut error = error;
    while let Some(source) = error.source() {
        error = source;
    }
    error.to_string()
}

/// Pays planned payments one after another, taking the next untaken one, until none is
/// left or one gets no receipt; reports each acknowledgement on `acks` as it comes.
async fn payer(
    app: Arc<TestApp>,
    phone: Arc<TestDevice>,
    plans: Arc<Vec<Planned>>,
    next: Arc<AtomicUsize>,
    acks: mpsc::UnboundedSender<usize>,
) -> Vec<(usize, Outcome)> {
    let mut outcomes = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(plan) = plans.get(index) else {
            return outcomes;
        };
        let answer = match plan.request(&app, &phone).send().await {
            Ok(response) => {
                let status = response.status();
                response.text().await.map(|text| (status, text))
            }
            Err(error) => Err(error),
        };
        let outcome = match answer {
            Ok((StatusCode::OK, text)) => {
                Outcome::Acknowledged(Box::new(serde_json::from_str(&text).expect("a receipt")))
            }
            Ok((status, text)) => Outcome::Refused(status, text),
            Err(error) if error.is_connect() => Outcome::NotConnected,
            Err(error) => Outcome::NoAnswer(innermost(&error)),
        };
        let acknowledged = matches!(outcome, Outcome::Acknowledged(_));
        outcomes.push((index, outcome));
        if !acknowledged {
            return outcomes;
        }
        let _ = acks.send(index);
    }
}

/// 40 prices; the first paid on a connection whose answer is never read, the others by
/// concurrent payers; SIGKILL after the first acknowledgements; a restart on the same
/// database and address; then every payment again with its own key and body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_payments_loses_none_and_half_applies_none() {
    let scratch = Scratch::new("saifu-crash-test");
    scratch.seed_demo();
    let addr = free_address();
    let mut server = Server::start(&scratch, &addr, "before-kill").await;
    let db = Store::connect(&scratch.url)
        .await
        .expect("open the database");
    let pool = scratch.audit_pool().await;
    let mut app = TestApp::external(server.base(), db.clone());
    app.http = reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .expect("client");
    let phone = TestDevice::new();
    let (wallet_id, topped_up) = open_wallet(&app, &phone, "500.00").await;
    let mut plans = Vec::new();
    for cents in 1..=PAYMENTS {
        plans.push(Planned::new(
            &quote(&app, &phone, &format!("5.{cents:02}")).await,
        ));
    }
    let total: i64 = plans.iter().map(|plan| plan.amount).sum();
    assert!(total <= topped_up, "the top-up covers every payment");

    // The first payment is made, and its answer left unread on a connection the test
    // holds: when the service dies, this payer has not learnt that it paid.
    let witness = plans[0].request(&app, &phone).build().expect("request");
    let mut unread = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    unread
        .write_all(&http1(&witness, &addr))
        .await
        .expect("send");
    let unanswered = committed_receipt(&pool, &plans[0].quote_id).await;

    // Payers pay the others at once; the service is killed after the first
    // acknowledgements.
    let (app, phone, plans) = (Arc::new(app), Arc::new(phone), Arc::new(plans));
    let next = Arc::new(AtomicUsize::new(1));
    let (acks, mut acknowledged) = mpsc::unbounded_channel();
    let payers: Vec<_> = (0..PAYERS)
        .map(|_| {
            tokio::spawn(payer(
                app.clone(),
                phone.clone(),
                plans.clone(),
                next.clone(),
                acks.clone(),
            ))
        })
        .collect();
    drop(acks);
    let mut seen = 0;
    while seen < KILL_AFTER && acknowledged.recv().await.is_some() {
        seen += 1;
    }
    server.kill();
    drop(unread);
    let mut outcomes = BTreeMap::new();
    for payer in payers {
        outcomes.extend(payer.await.expect("payer"));
    }
    let refused: Vec<String> = outcomes
        .iter()
        .filter_map(|(index, outcome)| match outcome {
            Outcome::Refused(status, text) => Some(format!("payment {index}: {status} {text}")),
            _ => None,
        })
        .collect();
    assert!(
        refused.is_empty(),
        "payments refused under load: {refused:?}\n{}",
        server.log()
    );
    let acks: BTreeMap<usize, &Receipt> = outcomes
        .iter()
        .filter_map(|(index, outcome)| match outcome {
            Outcome::Acknowledged(receipt) => Some((*index, &**receipt)),
            _ => None,
        })
        .collect();
    let in_flight: BTreeMap<usize, &str> = outcomes
        .iter()
        .filter_map(|(index, outcome)| match outcome {
            Outcome::NoAnswer(error) => Some((*index, error.as_str())),
            _ => None,
        })
        .collect();
    assert!(acks.len() >= KILL_AFTER, "{outcomes:?}");
    assert!(
        acks.len() < PAYMENTS - 1,
        "every payment was acknowledged before the kill"
    );

    // The same database, the same address, a new client: no connection to the killed
    // process is reused.
    let server = Server::start(&scratch, &addr, "after-restart").await;
    let app = TestApp::external(server.base(), db.clone());
    let committed = audit(&pool, &db, &wallet_id, &plans, topped_up).await;
    for (index, receipt) in &acks {
        assert_eq!(
            committed.get(&plans[*index].quote_id),
            Some(*receipt),
            "an acknowledged payment is lost"
        );
    }
    assert_eq!(
        committed.get(&plans[0].quote_id),
        Some(&unanswered),
        "a payment committed before the kill is lost"
    );
    let paid: i64 = committed.values().map(|receipt| receipt.paid.minor()).sum();
    assert_eq!(wallet_balance(&app, &phone).await, topped_up - paid);
    assert_eq!(
        count_of(&history(&app, &phone).await, ActivityKind::Payment),
        committed.len()
    );
    let unacknowledged_but_committed: Vec<usize> = (0..PAYMENTS)
        .filter(|index| {
            !acks.contains_key(index) && committed.contains_key(&plans[*index].quote_id)
        })
        .collect();
    eprintln!(
        "killed after {seen} acknowledgements: {} acknowledged, {} committed ({} of them \
         unacknowledged: {unacknowledged_but_committed:?}), {} in flight {in_flight:?}, {} \
         refused a connection, {} not tried",
        acks.len(),
        committed.len(),
        unacknowledged_but_committed.len(),
        in_flight.len(),
        outcomes
            .values()
            .filter(|outcome| matches!(outcome, Outcome::NotConnected))
            .count(),
        PAYMENTS - 1 - outcomes.len(),
    );

    // Every payment again, with its own key and body: what was paid answers with its
    // receipt, what was not is paid now, once.
    for (index, plan) in plans.iter().enumerate() {
        let receipt = receipt_of(plan.request(&app, &phone).send().await.expect("send")).await;
        match (acks.get(&index), committed.get(&plan.quote_id)) {
            (Some(acknowledged), _) => assert_eq!(receipt, **acknowledged, "payment {index}"),
            (None, Some(stored)) => assert_eq!(receipt, *stored, "payment {index}"),
            (None, None) => assert_eq!(receipt.quote_id, plan.quote_id),
        }
    }
    let all = audit(&pool, &db, &wallet_id, &plans, topped_up).await;
    assert_eq!(all.len(), PAYMENTS, "every quote is paid once");
    assert_eq!(wallet_balance(&app, &phone).await, topped_up - total);
    let entries = history(&app, &phone).await;
    assert_eq!(count_of(&entries, ActivityKind::Payment), PAYMENTS);
    assert_eq!(count_of(&entries, ActivityKind::TopUp), 1);
}

/// Two payments whose first answer the client never sees, each retried with the same key
/// and body: one certainly made before the retry, one maybe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_retried_after_a_dropped_connection_gives_the_same_receipt_and_charges_once() {
    let scratch = Scratch::new("saifu-dropped-test");
    scratch.seed_demo();
    let server = Server::start(&scratch, &free_address(), "server").await;
    let db = Store::connect(&scratch.url)
        .await
        .expect("open the database");
    let pool = scratch.audit_pool().await;
    let app = TestApp::external(server.base(), db.clone());
    let phone = TestDevice::new();
    let (wallet_id, topped_up) = open_wallet(&app, &phone, "100.00").await;

    // The payment is made, and the connection dropped before a byte of the answer is read.
    let unread = Planned::new(&quote(&app, &phone, "12.34").await);
    let request = unread.request(&app, &phone).build().expect("request");
    let mut connection = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    connection
        .write_all(&http1(&request, &server.addr))
        .await
        .expect("send");
    let stored = committed_receipt(&pool, &unread.quote_id).await;
    drop(connection);
    let retried = receipt_of(unread.request(&app, &phone).send().await.expect("send")).await;
    assert_eq!(
        retried, stored,
        "the retry is not the first payment's receipt"
    );

    // A client that gives up after a few milliseconds: the first try may have been paid,
    // may still be under way when the retry comes, or may never have reached the service.
    let hasty = Planned::new(&quote(&app, &phone, "23.45").await);
    let first = hasty
        .request(&app, &phone)
        .timeout(Duration::from_millis(3))
        .send()
        .await;
    let first = match first {
        Ok(response) => format!("answered {} in time, dropped unread", response.status()),
        Err(error) if error.is_timeout() => "timed out".to_owned(),
        Err(error) => panic!("the first try failed otherwise: {error:?}"),
    };
    let paid_before_retry = sqlx::query("SELECT payment_id FROM payments WHERE quote_id = $1")
        .bind(&hasty.quote_id)
        .fetch_optional(&pool)
        .await
        .expect("query")
        .is_some();
    let retried = receipt_of(hasty.request(&app, &phone).send().await.expect("send")).await;
    assert_eq!(retried.quote_id, hasty.quote_id);
    eprintln!(
        "a client timeout of 3 ms: the first try {first}; paid before the retry: {paid_before_retry}"
    );

    let plans = [unread, hasty];
    let paid = audit(&pool, &db, &wallet_id, &plans, topped_up).await;
    assert_eq!(paid.len(), 2, "each payment is made once");
    assert_eq!(paid[&plans[0].quote_id], stored);
    assert_eq!(paid[&plans[1].quote_id], retried);
    let total: i64 = plans.iter().map(|plan| plan.amount).sum();
    assert_eq!(total, 1234 + 2345);
    assert_eq!(wallet_balance(&app, &phone).await, topped_up - total);
}
