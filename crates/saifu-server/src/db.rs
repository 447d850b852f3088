//! The database: SQLite or PostgreSQL, chosen by the URL, with migrations written in SQL both
//! understand. On SQLite the writes of this module, [`Db::begin_write`] and [`Db::write`] go
//! through one connection of their own, so writers queue in order instead of polling the
//! file lock; there [`Db::write`]'s transactions are committed in batches.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use saifu_core::money::Currency;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    /// Where writes go. SQLite lets one writer in at a time, and one waiting on its file lock
    /// sleeps and polls (up to 100 ms a turn, first come not first served): on SQLite this is
    /// one connection, so writers wait in order here. On PostgreSQL it is `pool`.
    pub(crate) writer: AnyPool,
    sqlite: bool,
    /// On SQLite, where [`Db::write`] sends its work: see [`batch_writes`].
    batches: Option<mpsc::UnboundedSender<Job>>,
}

#[derive(Clone, Debug)]
pub struct DeviceRow {
    pub device_id: String,
    pub wallet_id: String,
    pub device_name: String,
    pub public_key: String,
    pub registered_at: i64,
    pub locked_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct MerchantRow {
    pub merchant_id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub mcc: String,
    pub currency: String,
    /// The chain the shop belongs to, for promotions of a whole group.
    pub group: Option<String>,
    /// The shop's wall clock ahead of UTC, for promotions by weekday and hour.
    pub utc_offset_minutes: i32,
}

/// Records a request's nonce through `connection`: false when it was recorded before, a
/// replay.
pub(crate) async fn insert_nonce(
    connection: &mut AnyConnection,
    device_id: &str,
    nonce: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO request_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT (device_id, nonce) DO NOTHING",
    )
    .bind(device_id)
    .bind(nonce)
    .bind(now)
    .execute(connection)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// A literal `SELECT` of every merchant column, followed by `$rest`.
macro_rules! select_merchants {
    ($rest:literal) => {
        concat!("SELECT merchant_id, name, city, country, mcc, currency, merchant_group, utc_offset_minutes FROM merchants ", $rest)
    };
}

/// A literal `SELECT` of every device column, followed by `$rest`.
macro_rules! select_devices {
    ($rest:literal) => {
        concat!("SELECT device_id, wallet_id, device_name, public_key, registered_at, locked_at FROM devices ", $rest)
    };
}

fn device(row: &sqlx::any::AnyRow) -> Result<DeviceRow, sqlx::Error> {
    Ok(DeviceRow {
        device_id: row.try_get("device_id")?,
        wallet_id: row.try_get("wallet_id")?,
        device_name: row.try_get("device_name")?,
        public_key: row.try_get("public_key")?,
        registered_at: row.try_get("registered_at")?,
        locked_at: row.try_get("locked_at")?,
    })
}

impl Db {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let pool = connect_pool(url, POOL_SIZE).await?;
        MIGRATOR.run(&pool).await?;
        let sqlite = url.starts_with("sqlite:");
        let writer = if sqlite {
            connect_pool(url, 1).await?
        } else {
            pool.clone()
        };
        let batches = sqlite.then(|| start_batching(writer.clone()));
        Ok(Db {
            pool,
            writer,
            sqlite,
            batches,
        })
    }

    /// Runs `work` in a write transaction and returns its value once the transaction is
    /// committed (durably, as every commit here). `work` fails only when the transaction
    /// cannot go on, a database failure: nothing of it is kept. A `work` that must undo part
    /// of its writes and keep the rest does so with a savepoint of its own.
    ///
    /// On SQLite, the transactions waiting for the writing connection run one after the
    /// other in one database transaction and are committed together, one durable commit for
    /// the batch, and none is answered before that commit: group commit. Each sees what those
    /// before it wrote, exactly as if they had committed one by one; if the `work` of one of
    /// them fails, or the commit does, all fail and nothing of the batch is kept. On
    /// PostgreSQL, which groups concurrent commits itself, each is its own transaction.
    ///
    /// `work` writes through the connection it is given only: on SQLite, one of `Db`'s
    /// writing methods or [`Db::begin_write`] would wait for the connection `work` holds.
    pub async fn write<T, F>(&self, work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        let Some(batches) = &self.batches else {
            let mut tx = self.writer.begin().await?;
            let value = work(&mut tx).await?;
            tx.commit().await?;
            return Ok(value);
        };
        let (answer, answered) = oneshot::channel::<Result<T, Arc<str>>>();
        let job: Job = Box::new(move |connection| {
            Box::pin(async move {
                match work(connection).await {
                    Ok(value) => Ok(Box::new(move |committed: Result<(), Arc<str>>| {
                        let _ = answer.send(committed.map(|()| value));
                    }) as Committed),
                    Err(error) => {
                        let _ = answer.send(Err(error.to_string().into()));
                        Err(())
                    }
                }
            })
        });
        let failed = |problem: &str| {
            sqlx::Error::Io(std::io::Error::other(format!(
                "batched write transaction: {problem}"
            )))
        };
        batches
            .send(job)
            .map_err(|_| failed("the writer has stopped"))?;
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(problem)) => Err(failed(&problem)),
            Err(_) => Err(failed("dropped unanswered: its batch did not begin")),
        }
    }

    /// [`Db::write`] for `work` that is a single statement: on PostgreSQL without `BEGIN` and
    /// `COMMIT` around it, since one statement commits by itself.
    pub async fn write_one<T, F>(&self, work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        if self.batches.is_some() {
            return self.write(work).await;
        }
        let mut connection = self.writer.acquire().await?;
        work(&mut connection).await
    }

    /// A transaction that writes. SQLite takes its write lock at once, so that concurrent
    /// writers queue instead of failing when a read snapshot goes stale. On SQLite it holds
    /// the one writing connection: until it ends, read through it or through [`Db`]'s
    /// reading methods, never one of `Db`'s writing methods (that would wait for itself).
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        if self.sqlite {
            self.writer.begin_with("BEGIN IMMEDIATE").await
        } else {
            self.writer.begin().await
        }
    }

    /// Stores a registration challenge, dropping expired ones on the way.
    pub async fn insert_challenge(
        &self,
        challenge: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&self.writer)
            .await?;
        sqlx::query("INSERT INTO challenges (challenge, expires_at) VALUES ($1, $2)")
            .bind(challenge)
            .bind(expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Uses up a challenge; false when it is unknown, used or expired.
    pub async fn take_challenge(&self, challenge: &str, now: i64) -> Result<bool, sqlx::Error> {
        let deleted =
            sqlx::query("DELETE FROM challenges WHERE challenge = $1 AND expires_at >= $2")
                .bind(challenge)
                .bind(now)
                .execute(&self.writer)
                .await?;
        Ok(deleted.rows_affected() == 1)
    }

    /// Creates a wallet with its first device, or neither.
    pub async fn create_wallet(
        &self,
        wallet_id: &str,
        home_currency: Currency,
        device: &DeviceRow,
    ) -> Result<(), sqlx::Error> {
        let mut transaction = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO wallets (wallet_id, created_at, home_currency) VALUES ($1, $2, $3)",
        )
        .bind(wallet_id)
        .bind(device.registered_at)
        .bind(home_currency.code())
        .execute(&mut *transaction)
        .await?;
        insert_device(&mut *transaction, device).await?;
        transaction.commit().await
    }

    pub async fn add_device(&self, device: &DeviceRow) -> Result<(), sqlx::Error> {
        insert_device(&self.writer, device).await
    }

    pub async fn device(&self, device_id: &str) -> Result<Option<DeviceRow>, sqlx::Error> {
        let row = sqlx::query(select_devices!("WHERE device_id = $1"))
            .bind(device_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(device).transpose()
    }

    pub async fn wallet_devices(&self, wallet_id: &str) -> Result<Vec<DeviceRow>, sqlx::Error> {
        let rows = sqlx::query(select_devices!(
            "WHERE wallet_id = $1 ORDER BY registered_at, device_id"
        ))
        .bind(wallet_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(device).collect()
    }

    /// Locks a device unless it is locked already; the first lock's time and author stay.
    pub async fn lock_device(
        &self,
        device_id: &str,
        locked_by: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE devices SET locked_at = $1, locked_by = $2 WHERE device_id = $3 AND locked_at IS NULL")
            .bind(now)
            .bind(locked_by)
            .bind(device_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records a request nonce: false when it was recorded before, a replay. On SQLite in
    /// the writer's batches ([`Db::write_one`]).
    pub async fn record_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let (device_id, nonce) = (device_id.to_owned(), nonce.to_owned());
        self.write_one(move |connection| {
            Box::pin(async move { insert_nonce(connection, &device_id, &nonce, now).await })
        })
        .await
    }

    /// Adds a merchant, leaving an existing one with the same id as it is.
    pub async fn upsert_merchant(&self, merchant: &MerchantRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO merchants (merchant_id, name, city, country, mcc, currency, merchant_group, utc_offset_minutes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (merchant_id) DO NOTHING",
        )
        .bind(&merchant.merchant_id)
        .bind(&merchant.name)
        .bind(&merchant.city)
        .bind(&merchant.country)
        .bind(&merchant.mcc)
        .bind(&merchant.currency)
        .bind(&merchant.group)
        .bind(merchant.utc_offset_minutes)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn merchants(&self) -> Result<Vec<MerchantRow>, sqlx::Error> {
        let rows = sqlx::query(select_merchants!("ORDER BY merchant_id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(merchant).collect()
    }

    pub async fn merchant(&self, merchant_id: &str) -> Result<Option<MerchantRow>, sqlx::Error> {
        merchant_in(&self.pool, merchant_id).await
    }
}

/// A merchant, read through `executor`: inside a write transaction, pass the transaction.
/// Taking a second pool connection while holding one that writes can starve the pool: every
/// connection held by a request waiting for the writer, the writer waiting for a connection.
pub async fn merchant_in<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    merchant_id: &str,
) -> Result<Option<MerchantRow>, sqlx::Error> {
    let row = sqlx::query(select_merchants!("WHERE merchant_id = $1"))
        .bind(merchant_id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(merchant).transpose()
}

/// Called with the batch's commit, or why it failed.
type Committed = Box<dyn FnOnce(Result<(), Arc<str>>) + Send>;

/// A [`Db::write`] for the batching writer: it runs in the batch's transaction, and answers
/// once the batch is committed. `Err` means that the transaction cannot go on.
type Job =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<Committed, ()>> + Send>;

/// The most write transactions committed together.
const MAX_BATCH: usize = 64;

/// Starts the batching writer on a thread of its own, and returns where to send it work.
/// Its own thread, so that a batch holding the write lock goes on as soon as each statement
/// is done, never waiting for a busy runtime to poll it. It stops when every sender is gone.
fn start_batching(writer: AnyPool) -> mpsc::UnboundedSender<Job> {
    let (send, receive) = mpsc::unbounded_channel();
    let spawned = std::thread::Builder::new()
        .name("saifu-sqlite-writer".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(batch_writes(writer, receive)),
                Err(error) => tracing::error!(%error, "no runtime for the SQLite writer"),
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "no thread for the SQLite writer");
    }
    send
}

/// SQLite's group commit: takes the waiting write transactions in turn into one database
/// transaction (`BEGIN IMMEDIATE`), as many as wait, up to [`MAX_BATCH`], then commits once
/// and answers them all. The file lock is taken once per batch and the WAL synced once.
async fn batch_writes(writer: AnyPool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut next = Some(first);
        let mut committed: Vec<Committed> = Vec::new();
        let outcome = async {
            let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
            while let Some(job) = next.take() {
                // A panic fails the batch, not the writer.
                match AssertUnwindSafe(job(&mut tx)).catch_unwind().await {
                    Ok(Ok(answer)) => committed.push(answer),
                    // That one has its answer; the others get the batch's.
                    Ok(Err(())) => {
                        return Err(sqlx::Error::Io(std::io::Error::other(
                            "a write transaction in it failed",
                        )));
                    }
                    Err(_) => {
                        return Err(sqlx::Error::Io(std::io::Error::other(
                            "a write transaction in it panicked",
                        )));
                    }
                }
                if committed.len() < MAX_BATCH {
                    next = jobs.try_recv().ok();
                }
            }
            tx.commit().await
        }
        .await;
        let outcome = outcome.map_err(|error| {
            tracing::error!(%error, transactions = committed.len(), "a batch of write transactions failed");
            Arc::<str>::from(format!("the batch it was in failed: {error}"))
        });
        for answer in committed {
            answer(outcome.clone());
        }
    }
}

/// Connections the service keeps open to its database.
const POOL_SIZE: u32 = 8;

/// A pool of at most `max_connections` over `url`, set up as the service's own (a SQLite
/// file is created if missing and kept in WAL mode), without migrating. The benchmark
/// measures the database's commit rate through it, with the service's durability settings.
pub async fn connect_pool(url: &str, max_connections: u32) -> Result<AnyPool, sqlx::Error> {
    install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let url = if sqlite && !url.contains("mode=") {
        format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
    } else {
        url.to_owned()
    };
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        // A SQLite connection is an open file that nothing can close under us: pinging its
        // worker thread before every use would add a round trip to every query.
        .test_before_acquire(!sqlite)
        .connect(&url)
        .await?;
    if sqlite {
        // Readers do not block the writer; the setting is stored in the file.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await?;
    }
    Ok(pool)
}

pub(crate) fn merchant(row: &sqlx::any::AnyRow) -> Result<MerchantRow, sqlx::Error> {
    Ok(MerchantRow {
        merchant_id: row.try_get("merchant_id")?,
        name: row.try_get("name")?,
        city: row.try_get("city")?,
        country: row.try_get("country")?,
        mcc: row.try_get("mcc")?,
        currency: row.try_get("currency")?,
        group: row.try_get("merchant_group")?,
        utc_offset_minutes: row.try_get("utc_offset_minutes")?,
    })
}

async fn insert_device<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    device: &DeviceRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO devices (device_id, wallet_id, device_name, public_key, registered_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&device.device_id)
    .bind(&device.wallet_id)
    .bind(&device.device_name)
    .bind(&device.public_key)
    .bind(device.registered_at)
    .execute(executor)
    .await?;
    Ok(())
}
