//! Signed payments per second and their latency at 1, 8 and 32 concurrent clients, next to
//! the database's own rate of durable single-row commits (the ceiling), measured in the
//! same run against the same database.
//!
//! `cargo bench -p saifu-server --bench payments`; `cargo xtask bench server` runs it on
//! SQLite and on a throwaway PostgreSQL cluster with default durability. Environment:
//!
//! - `SAIFU_BENCH_DATABASE_URL`: the database (default: a fresh SQLite file in the temp dir);
//! - `SAIFU_BENCH_SECONDS`: seconds of each timed run, 1 to 45 (default 5);
//! - `SAIFU_BENCH_REPORT`: a file to write the table to as well;
//! - `RUST_LOG`: the service's log, as `saifu-server serve` takes it (default: none).
//!
//! The service runs in this process on 127.0.0.1:0, as the tests start it. Each client is a
//! task with its own HTTP connection and its own wallet and device, so clients do not queue
//! on one balance row (one more row has 32 clients on a single wallet to show that
//! contention). Clients pay the three yuan demo shops in turn: every payment also credits a
//! shop's account, so those three rows are shared by all clients, as a busy shop's is.
//!
//! What is timed: only the `POST /v1/payments` round trip, from sending to the last byte of
//! the receipt. The quotes it pays were made, and the payment requests signed, before the
//! clock started (a client signs its payment on the phone, not in the service), so the
//! timed section is the service's work: signature check, nonce, the ledger transaction.
//! Each client pays once untimed first, to warm its connection and the service's path.
//!
//! Last, a till's wait for a pay code: from sending the code it scanned to the answer that
//! it is paid, for 64 customers in a queue at 1 and at 8 tills.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use saifu_api::{
    Card, Challenge, CreateWallet, Funding, Pay, Quote, QuoteRequest, TopUpReceipt, WalletCreated,
    paths,
};
use saifu_core::money::Currency;
use saifu_server::testing::TestDevice as Device;
use saifu_server::{Store, demo, unix_now};
use serde::de::DeserializeOwned;
use tokio::sync::Barrier;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

/// Concurrent clients, each with its own wallet.
const LEVELS: [usize; 3] = [1, 8, 32];
/// Clients sharing one wallet in the contended row.
const CONTENDED_CLIENTS: usize = 32;
/// Concurrent writers for the commit ceiling.
const CEILING_WRITERS: [u32; 2] = [1, 32];
/// The yuan demo shops the clients pay, in turn.
const SHOPS: [&str; 3] = ["sh-lanxin-noodles", "sh-jingan-market", "sh-bund-books"];
const PRICE: &str = "1.00";
/// Enough for every payment a wallet can make in a run.
const TOP_UP: &str = "1000000.00";
const CARD_NUMBER: &str = "4242424242424242";
/// Customers in the pay-code queue, and the tills charging them at once.
const PAY_CODE_CUSTOMERS: usize = 64;
const PAY_CODE_TILLS: [usize; 2] = [1, 8];
/// Quotes hold for 120 s and are paid in the order they were made: runs stay well inside.
const MAX_SECONDS: f64 = 45.0;

fn main() -> ExitCode {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("payments bench: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("payments bench: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Config {
    url: String,
    database: &'static str,
    seconds: f64,
    report: Option<PathBuf>,
    /// The fresh SQLite file's directory, removed at the end.
    scratch: Option<PathBuf>,
}

fn config() -> Result<Config> {
    let seconds = match std::env::var("SAIFU_BENCH_SECONDS") {
        Ok(text) => text
            .parse::<f64>()
            .ok()
            .filter(|seconds| (1.0..=MAX_SECONDS).contains(seconds))
            .ok_or_else(|| format!("SAIFU_BENCH_SECONDS must be 1 to {MAX_SECONDS}: {text}"))?,
        Err(_) => 5.0,
    };
    let report = std::env::var_os("SAIFU_BENCH_REPORT").map(PathBuf::from);
    let (url, scratch) = match std::env::var("SAIFU_BENCH_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("saifu-bench-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite://{}", dir.join("wallet.db").display()),
                Some(dir),
            )
        }
    };
    let database = if url.starts_with("sqlite:") {
        "sqlite"
    } else if url.starts_with("postgres") {
        "postgresql"
    } else {
        return Err(format!("not a SQLite or PostgreSQL URL: {url}").into());
    };
    Ok(Config {
        url,
        database,
        seconds,
        report,
        scratch,
    })
}

async fn run() -> Result<()> {
    let config = config()?;
    let result = bench(&config).await;
    if let Some(dir) = &config.scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    let table = result?;
    print!("\n{table}");
    if let Some(path) = &config.report {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &table)?;
    }
    Ok(())
}

/// Cores and the load average before the run (Linux), to judge how quiet the machine was.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    format!(
        "machine: {cores} cores, 1-minute load average {load} before the run (service, clients \
         and database share the cores; other work on them skews every number)\n"
    )
}

async fn bench(config: &Config) -> Result<String> {
    let seconds = config.seconds;
    let machine_before = machine();
    println!(
        "payments bench on {} ({}), {seconds} s per run",
        config.database, config.url
    );
    let service = Arc::new(Service::start(&config.url).await?);

    let mut ceilings = Vec::new();
    for writers in CEILING_WRITERS {
        let rate = ceiling(&config.url, writers, seconds).await?;
        println!("  ceiling, {writers} writer(s): {rate:.0} commits/s");
        ceilings.push((writers, rate));
    }
    let ceiling = ceilings.iter().map(|(_, rate)| *rate).fold(0.0, f64::max);

    let max_clients = LEVELS.iter().copied().max().unwrap_or(1);
    println!("  opening {} wallets", max_clients + 1);
    let mut own_wallets = Vec::with_capacity(max_clients);
    for index in 0..max_clients {
        own_wallets.push(Arc::new(service.client(index, None).await?));
    }
    let first = service.client(0, None).await?;
    let mut shared_wallet = vec![Arc::new(first)];
    for index in 1..CONTENDED_CLIENTS {
        let device = service.add_device(&shared_wallet[0]).await?;
        shared_wallet.push(Arc::new(service.client(index, Some(device)).await?));
    }

    let mut rows = Vec::new();
    for clients in LEVELS {
        let row = service
            .run_level(clients.to_string(), &own_wallets[..clients], seconds)
            .await?;
        println!("  {}", row.summary());
        rows.push(row);
    }
    let row = service
        .run_level(
            format!("{CONTENDED_CLIENTS}, 1 wallet"),
            &shared_wallet,
            seconds,
        )
        .await?;
    println!("  {}", row.summary());
    rows.push(row);

    let mut waits = String::new();
    for tills in PAY_CODE_TILLS {
        let line = service.pay_code_waits(tills).await?;
        println!("  {line}");
        waits += &format!("{line}\n");
    }

    Ok(table(config, &rows, &ceilings, ceiling) + &waits + &machine_before)
}

/// The service in this process, with the demo shops.
struct Service {
    base: String,
    db: Store,
    shop_codes: Vec<String>,
}

/// One client: a device of a wallet, its HTTP connection, and the shop it pays.
struct Client {
    device: Device,
    http: reqwest::Client,
    quote_body: String,
}

impl Service {
    async fn start(url: &str) -> Result<Service> {
        let db = Store::connect(url).await?;
        demo::seed(&db, unix_now()).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(saifu_server::serve(
            listener,
            saifu_server::Service::new(db.clone()),
            std::future::pending(),
        ));
        let mut shop_codes = Vec::new();
        for shop in SHOPS {
            let merchant = db
                .merchant(shop)
                .await?
                .ok_or_else(|| format!("demo shop {shop} is missing"))?;
            shop_codes.push(demo::merchant_code(&merchant, None)?.encode()?);
        }
        Ok(Service {
            base,
            db,
            shop_codes,
        })
    }

    fn http() -> Result<reqwest::Client> {
        Ok(reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?)
    }

    async fn challenge(&self, http: &reqwest::Client) -> Result<Challenge> {
        ok(
            http.post(format!("{}{}", self.base, paths::CHALLENGES)),
            "challenge",
        )
        .await
    }

    /// Client number `index`: with `device` a further device of an existing wallet, else a
    /// new wallet with a linked card, topped up.
    async fn client(&self, index: usize, device: Option<Device>) -> Result<Client> {
        let http = Self::http()?;
        let shop = &self.shop_codes[index % self.shop_codes.len()];
        let quote_body = serde_json::to_string(&QuoteRequest {
            payload: shop.clone(),
            amount: Some(PRICE.into()),
        })?;
        let device = match device {
            Some(device) => device,
            None => {
                let device = Device::new();
                let body = CreateWallet {
                    device: device.registration(&self.challenge(&http).await?),
                    home_currency: Currency::from_code("CNY")?,
                };
                let _: WalletCreated = ok(
                    http.post(format!("{}{}", self.base, paths::WALLETS))
                        .json(&body),
                    "create a wallet",
                )
                .await?;
                let link = serde_json::json!({
                    "number": CARD_NUMBER, "expiry": "12/35", "security_code": "123", "holder": "Bench Payer",
                });
                let card: Card = ok(
                    signed(
                        &device,
                        &http,
                        &self.base,
                        Method::POST,
                        paths::CARDS,
                        link.to_string(),
                    )?,
                    "link a card",
                )
                .await?;
                let top_up = serde_json::json!({ "card_id": card.card_id, "amount": TOP_UP });
                let _: TopUpReceipt = ok(
                    signed(
                        &device,
                        &http,
                        &self.base,
                        Method::POST,
                        paths::TOP_UPS,
                        top_up.to_string(),
                    )?
                    .header(paths::IDEMPOTENCY_KEY, random_hex(16)?),
                    "top up",
                )
                .await?;
                device
            }
        };
        Ok(Client {
            device,
            http,
            quote_body,
        })
    }

    /// A till's wait from sending a scanned pay code to "paid", with `tills` tills charging
    /// a queue of customers at once: each customer a wallet of its own showing its current
    /// code (one code pays once), each wait the charge's round trip.
    async fn pay_code_waits(&self, tills: usize) -> Result<String> {
        let http = Self::http()?;
        let mut enrolled = Vec::with_capacity(tills);
        for _ in 0..tills {
            let till = Device::new();
            let invite = saifu_server::Service::new(self.db.clone())
                .issue_invite(SHOPS[0], saifu_api::TillRole::Staff)
                .await
                .map_err(|error| format!("invite a till: {error}"))?;
            let enrol = saifu_api::EnrolTill {
                invite_code: invite.code,
                till: till.registration(&self.challenge(&http).await?),
            };
            let _: serde_json::Value = ok(
                http.post(format!("{}{}", self.base, paths::TILLS))
                    .json(&enrol),
                "enrol a till",
            )
            .await?;
            enrolled.push(till);
        }
        let mut codes = Vec::with_capacity(PAY_CODE_CUSTOMERS);
        for index in 0..PAY_CODE_CUSTOMERS {
            let customer = self.client(index, None).await?;
            let grant: saifu_api::PayCodeGrant = ok(
                signed(
                    &customer.device,
                    &http,
                    &self.base,
                    Method::POST,
                    paths::PAY_CODE,
                    String::new(),
                )?,
                "issue a pay code",
            )
            .await?;
            codes.push(pay_code(&grant)?);
        }
        let queues: Vec<Vec<String>> = (0..tills)
            .map(|till| codes.iter().skip(till).step_by(tills).cloned().collect())
            .collect();
        let started = Instant::now();
        let waited =
            futures_util::future::join_all(enrolled.iter().zip(queues).map(|(till, queue)| {
                let (http, base) = (http.clone(), self.base.clone());
                async move {
                    let mut waits = Vec::with_capacity(queue.len());
                    for code in queue {
                        let body = serde_json::json!({ "code": code, "amount": PRICE }).to_string();
                        let request = signed(
                            till,
                            &http,
                            &base,
                            Method::POST,
                            paths::PAY_CODE_CHARGES,
                            body,
                        )?
                        .header(paths::IDEMPOTENCY_KEY, random_hex(16)?);
                        let sent = Instant::now();
                        let _: serde_json::Value = ok(request, "charge a pay code").await?;
                        waits.push(sent.elapsed());
                    }
                    Ok::<_, BoxError>(waits)
                }
            }))
            .await;
        let elapsed = started.elapsed().as_secs_f64();
        let mut waits = Vec::new();
        for till in waited {
            waits.extend(till?);
        }
        waits.sort();
        Ok(format!(
            "pay code ({} digits, a new one every {} s), {tills} till(s): {} charges, {:.1}/s, scan to paid p50 {:.2} ms, p99 {:.2} ms",
            saifu_core::paycode::LENGTH,
            saifu_core::paycode::STEP_SECONDS,
            waits.len(),
            waits.len() as f64 / elapsed,
            percentile(&waits, 0.50),
            percentile(&waits, 0.99),
        ))
    }

    /// A further device of `client`'s wallet.
    async fn add_device(&self, client: &Client) -> Result<Device> {
        let device = Device::new();
        let registration = device.registration(&self.challenge(&client.http).await?);
        let _: serde_json::Value = ok(
            signed(
                &client.device,
                &client.http,
                &self.base,
                Method::POST,
                paths::DEVICES,
                serde_json::to_string(&registration)?,
            )?,
            "add a device",
        )
        .await?;
        Ok(device)
    }

    /// Makes quotes and signs their payments for a while, untimed: twice as long as the timed
    /// run, since a quote costs the service about what a payment does.
    async fn prepare(&self, client: Arc<Client>, until: Instant) -> Result<Vec<reqwest::Request>> {
        let mut payments = Vec::new();
        while Instant::now() < until {
            let quote: Quote = ok(
                signed(
                    &client.device,
                    &client.http,
                    &self.base,
                    Method::POST,
                    paths::QUOTES,
                    client.quote_body.clone(),
                )?,
                "quote",
            )
            .await?;
            let body = serde_json::to_string(&Pay {
                quote_id: quote.quote_id,
                funding: Funding::Balance,
            })?;
            payments.push(
                signed(
                    &client.device,
                    &client.http,
                    &self.base,
                    Method::POST,
                    paths::PAYMENTS,
                    body,
                )?
                .header(paths::IDEMPOTENCY_KEY, random_hex(16)?)
                .build()?,
            );
        }
        Ok(payments)
    }

    async fn run_level(
        self: &Arc<Self>,
        label: String,
        clients: &[Arc<Client>],
        seconds: f64,
    ) -> Result<Row> {
        let until = Instant::now() + Duration::from_secs_f64(seconds * 2.0 + 0.5);
        let mut preparing = Vec::new();
        for client in clients {
            let service = self.clone();
            let client = client.clone();
            preparing.push(tokio::spawn(
                async move { service.prepare(client, until).await },
            ));
        }
        let mut prepared = Vec::new();
        for task in preparing {
            prepared.push(task.await??);
        }

        let barrier = Arc::new(Barrier::new(clients.len() + 1));
        let stop = Arc::new(AtomicBool::new(false));
        let run_for = Duration::from_secs_f64(seconds);
        let mut paying = Vec::new();
        for (client, payments) in clients.iter().zip(prepared) {
            paying.push(tokio::spawn(pay_loop(
                client.http.clone(),
                payments,
                barrier.clone(),
                stop.clone(),
                run_for,
            )));
        }
        barrier.wait().await;
        let started = Instant::now();
        let cpu_before = process_cpu();
        let mut latencies = Vec::new();
        let mut failures = 0;
        let mut failure_sample = None;
        let mut ran_out = false;
        for task in paying {
            let outcome = task.await?;
            latencies.extend(outcome.latencies);
            failures += outcome.failures;
            failure_sample = failure_sample.or(outcome.failure_sample);
            ran_out |= outcome.ran_out;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = process_cpu()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        latencies.sort_unstable();
        Ok(Row {
            clients: label,
            payments: latencies.len(),
            per_second: latencies.len() as f64 / elapsed,
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            cpu_per_payment: cpu
                .filter(|_| !latencies.is_empty())
                .map(|cpu| cpu.as_secs_f64() * 1e6 / latencies.len() as f64),
            failures,
            failure_sample,
            ran_out,
        })
    }
}

struct Outcome {
    latencies: Vec<Duration>,
    failures: usize,
    failure_sample: Option<String>,
    ran_out: bool,
}

/// Sends one payment untimed, waits for every client, then sends the rest one after the
/// other until the run is over (or any client has no signed payment left).
async fn pay_loop(
    http: reqwest::Client,
    payments: Vec<reqwest::Request>,
    barrier: Arc<Barrier>,
    stop: Arc<AtomicBool>,
    run_for: Duration,
) -> Outcome {
    let mut outcome = Outcome {
        latencies: Vec::with_capacity(payments.len()),
        failures: 0,
        failure_sample: None,
        ran_out: false,
    };
    let mut payments = payments.into_iter();
    if let Some(warm_up) = payments.next() {
        let _ = pay_once(&http, warm_up).await;
    }
    barrier.wait().await;
    let deadline = Instant::now() + run_for;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        let Some(payment) = payments.next() else {
            outcome.ran_out = true;
            stop.store(true, Ordering::Relaxed);
            break;
        };
        let sent = Instant::now();
        match pay_once(&http, payment).await {
            Ok(()) => outcome.latencies.push(sent.elapsed()),
            Err(error) => {
                outcome.failures += 1;
                outcome.failure_sample.get_or_insert(error);
            }
        }
    }
    outcome
}

async fn pay_once(http: &reqwest::Client, payment: reqwest::Request) -> Result<(), String> {
    let response = http
        .execute(payment)
        .await
        .map_err(|error| error.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|error| error.to_string())?;
    if status == StatusCode::OK {
        Ok(())
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
    }
}

/// Durable single-row INSERT commits per second by `writers` concurrent connections, each
/// INSERT its own autocommit transaction, through a pool set up as the service's.
async fn ceiling(url: &str, writers: u32, seconds: f64) -> Result<f64> {
    let pool = saifu_server::store::connect_pool(url, writers).await?;
    sqlx::query("DROP TABLE IF EXISTS bench_commit_ceiling")
        .execute(&pool)
        .await?;
    sqlx::query(
        "CREATE TABLE bench_commit_ceiling (writer BIGINT NOT NULL, seq BIGINT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (writer, seq))",
    )
    .execute(&pool)
    .await?;
    // Every connection open before the clock starts.
    let mut open = Vec::new();
    for _ in 0..writers {
        open.push(pool.acquire().await?);
    }
    drop(open);

    let barrier = Arc::new(Barrier::new(writers as usize + 1));
    let run_for = Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for writer in 0..i64::from(writers) {
        let (pool, barrier) = (pool.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let deadline = Instant::now() + run_for;
            let (mut commits, mut failures) = (0_u64, 0_u64);
            let mut seq = 0_i64;
            while Instant::now() < deadline {
                seq += 1;
                let inserted = sqlx::query(
                    "INSERT INTO bench_commit_ceiling (writer, seq, payload) VALUES ($1, $2, $3)",
                )
                .bind(writer)
                .bind(seq)
                .bind("a ledger-sized row of some sixty-four characters of text, padded")
                .execute(&pool)
                .await;
                match inserted {
                    Ok(_) => commits += 1,
                    Err(_) => failures += 1,
                }
            }
            (commits, failures)
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let (mut commits, mut failures) = (0, 0);
    for task in tasks {
        let (done, failed) = task.await?;
        commits += done;
        failures += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if failures > 0 {
        println!("  ceiling, {writers} writer(s): {failures} inserts failed (not counted)");
    }
    sqlx::query("DROP TABLE bench_commit_ceiling")
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(commits as f64 / elapsed)
}

/// `method path` with `body`, signed by `device` now with a fresh nonce.
fn signed(
    device: &Device,
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    body: String,
) -> Result<reqwest::RequestBuilder> {
    let nonce = random_hex(16)?;
    Ok(device.request_at(http, base, method, path, &body, unix_now(), &nonce))
}

/// The code a device with `grant` shows now.
fn pay_code(grant: &saifu_api::PayCodeGrant) -> Result<String> {
    use base64::Engine as _;
    let bytes: [u8; 32] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&grant.key)?
        .try_into()
        .map_err(|_| "a pay-code key is not 32 bytes")?;
    let key = saifu_core::paycode::PayCodeKey::from_bytes(bytes);
    Ok(saifu_core::paycode::make(
        &key,
        grant.device_number,
        unix_now(),
    )?)
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer)?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Sends `request` and reads a successful JSON answer.
async fn ok<T: DeserializeOwned>(request: reqwest::RequestBuilder, what: &str) -> Result<T> {
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    if status != StatusCode::OK {
        return Err(format!("{what}: {status}: {text}").into());
    }
    Ok(serde_json::from_str(&text)?)
}

/// The nearest-rank percentile of sorted `values`, in milliseconds.
/// The CPU time this process has used, every thread together, from /proc/self/stat; `None`
/// where there is no such file.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name is in parentheses and may hold spaces: count fields after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime, the line's 14th and 15th fields, in ticks of 1/100 s (USER_HZ).
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

struct Row {
    clients: String,
    payments: usize,
    per_second: f64,
    p50: f64,
    p99: f64,
    /// Microseconds of this process's CPU (service and clients, and SQLite's engine when it
    /// is the database) per payment: steadier than the rate on a shared machine.
    cpu_per_payment: Option<f64>,
    failures: usize,
    failure_sample: Option<String>,
    ran_out: bool,
}

impl Row {
    fn summary(&self) -> String {
        let mut line = format!(
            "{} client(s): {} payments, {:.1}/s, p50 {:.2} ms, p99 {:.2} ms",
            self.clients, self.payments, self.per_second, self.p50, self.p99
        );
        if let Some(cpu) = self.cpu_per_payment {
            line += &format!(", {cpu:.0} µs CPU each");
        }
        if self.failures > 0 {
            line += &format!(
                ", {} failed (first: {})",
                self.failures,
                self.failure_sample.as_deref().unwrap_or("?")
            );
        }
        if self.ran_out {
            line += ", ended early: a client ran out of prepared quotes";
        }
        line
    }
}

fn table(config: &Config, rows: &[Row], ceilings: &[(u32, f64)], ceiling: f64) -> String {
    let mut out = String::new();
    let header = [
        "database",
        "clients",
        "payments/s",
        "p50 ms",
        "p99 ms",
        "CPU µs/payment",
        "ceiling commits/s",
        "ratio payments/ceiling",
    ];
    let mut lines = vec![header.map(str::to_owned).to_vec()];
    for row in rows {
        lines.push(vec![
            config.database.to_owned(),
            row.clients.clone(),
            format!("{:.1}", row.per_second),
            format!("{:.2}", row.p50),
            format!("{:.2}", row.p99),
            row.cpu_per_payment
                .map_or_else(|| "?".to_owned(), |cpu| format!("{cpu:.0}")),
            format!("{ceiling:.0}"),
            format!("{:.2}", row.per_second / ceiling),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (index, line) in lines.iter().enumerate() {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(column, (cell, width))| {
                if column < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        out += &format!("| {} |\n", cells.join(" | "));
        if index == 0 {
            let rule: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(column, width)| {
                    if column < 2 {
                        format!(":{}", "-".repeat(width + 1))
                    } else {
                        format!("{}:", "-".repeat(width + 1))
                    }
                })
                .collect();
            out += &format!("|{}|\n", rule.join("|"));
        }
    }
    let described: Vec<String> = ceilings
        .iter()
        .map(|(writers, rate)| format!("{rate:.0}/s with {writers} writer(s)"))
        .collect();
    out += &format!(
        "\nceiling: durable single-row INSERT commits, each its own transaction: {}; the table uses the best.\n",
        described.join(", ")
    );
    out += &format!(
        "timed: the POST /v1/payments round trip only ({} s per row; quotes made and payments signed before the clock started).\n",
        config.seconds
    );
    out += "CPU: this process's CPU time while the payments ran, per payment: the service and its clients, and SQLite's engine on SQLite; a PostgreSQL server's own CPU is not in it.\n";
    let busiest = rows
        .iter()
        .find(|row| row.clients == LEVELS[LEVELS.len() - 1].to_string());
    if let Some(row) = busiest {
        let verdict = |met: bool| if met { "met" } else { "MISSED" };
        out += &format!(
            "target p99 < 50 ms at {} clients: {} ({:.2} ms)\n",
            row.clients,
            verdict(row.p99 < 50.0),
            row.p99
        );
    }
    if let Some(best) = rows
        .iter()
        .filter(|row| !row.clients.contains("wallet"))
        .max_by(|a, b| a.per_second.total_cmp(&b.per_second))
    {
        out += &format!(
            "target payments/s >= half the ceiling: {} (best {:.1}/s at {} clients, {:.2} of {ceiling:.0})\n",
            if best.per_second * 2.0 >= ceiling {
                "met"
            } else {
                "MISSED"
            },
            best.per_second,
            best.clients,
            best.per_second / ceiling
        );
    }
    for row in rows.iter().filter(|row| row.failures > 0 || row.ran_out) {
        out += &format!("note: {}\n", row.summary());
    }
    out
}
