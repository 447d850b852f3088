//! Every SQL string of the service: SQLite or PostgreSQL, chosen by the URL, with migrations
//! written in SQL both understand.
//!
//! Reads go through [`Store`]'s pool. Writes go only through a [`WriteTx`], which only
//! [`Store::write`], [`Store::write_signed`] and [`Store::write_single`] hand out: every
//! writing statement is a method of it, so writing through the read pool does not compile.
//! On SQLite the writer is one connection of its own, so writers queue in order instead of
//! polling the file lock, and the transactions waiting for it are committed in batches.

mod accounts;
mod activity;
mod cards;
mod devices;
mod error;
mod feed;
mod merchants;
mod pay_codes;
mod payments;
mod promotions;
mod quotes;
mod refunds;
mod tills;
mod writer;

pub use accounts::{AccountRow, EntryRow};
pub use activity::{ActivityRow, NewActivity};
pub use cards::CardRow;
pub use devices::DeviceRow;
pub use error::StoreError;
pub use feed::{FeedPosition, FeedRow};
pub use merchants::MerchantRow;
pub use pay_codes::PayCodeRow;
pub use payments::{KeyScope, NewPayment};
pub use promotions::{CampaignRow, CouponRow, FundedBy, Standing};
pub use quotes::QuoteRow;
pub use refunds::{NewRefund, PaidRow};
pub use tills::{TillRole, TillRow};

use saifu_core::money::Currency;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool};

use writer::Writer;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections the service keeps open to its database for reading.
const POOL_SIZE: u32 = 8;

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    writer: Writer,
}

/// A write transaction, or one statement that commits by itself ([`Store::write_single`]):
/// the only way to change the database.
pub struct WriteTx<'c> {
    connection: &'c mut AnyConnection,
}

/// A signed request's nonce, recorded by [`Store::write_signed`] in the transaction of the
/// request's effect, or alone by [`Store::record_nonce`].
#[derive(Clone, Debug)]
pub struct NonceUse {
    pub signer: Signer,
    pub nonce: String,
    pub seen_at: i64,
}

/// Who signed a request: a wallet's device or a shop's till, each with nonces of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    Device(String),
    Till(String),
}

impl Signer {
    pub fn id(&self) -> &str {
        match self {
            Signer::Device(id) | Signer::Till(id) => id,
        }
    }
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let pool = connect_pool(url, POOL_SIZE).await?;
        MIGRATOR.run(&pool).await.map_err(sqlx::Error::from)?;
        let writer = if url.starts_with("sqlite:") {
            Writer::batching(connect_pool(url, 1).await?)
        } else {
            Writer::Pool(pool.clone())
        };
        Ok(Store { pool, writer })
    }

    /// Runs `work` in a write transaction and answers its outcome once that is committed
    /// (durably, as every commit here). When `work` fails, its writes are undone and its
    /// error is the answer.
    ///
    /// On SQLite, the transactions waiting for the writing connection run one after the
    /// other in one database transaction, each from a savepoint of its own, and are
    /// committed together: group commit. None is answered before that commit, and if the
    /// commit fails, all fail. On PostgreSQL, which groups concurrent commits itself, each is
    /// its own transaction.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>) -> futures_util::future::BoxFuture<'c, Result<T, E>>
            + Send
            + 'static,
    {
        self.writer.write(None, work).await
    }

    /// [`Store::write`] for a signed request: records its nonce first, in the same
    /// transaction, and commits it whatever `work` answers, so a byte-for-byte replay is
    /// refused however the first try ended. [`StoreError::NonceUsed`] when it was recorded
    /// before; `work` does not run then.
    pub async fn write_signed<T, E, F>(&self, nonce: NonceUse, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>) -> futures_util::future::BoxFuture<'c, Result<T, E>>
            + Send
            + 'static,
    {
        self.writer.write(Some(nonce), work).await
    }

    /// [`Store::write`] for `work` that is one statement: on PostgreSQL without `BEGIN` and
    /// `COMMIT` around it, since one statement commits by itself.
    pub async fn write_single<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>) -> futures_util::future::BoxFuture<'c, Result<T, E>>
            + Send
            + 'static,
    {
        self.writer.write_single(work).await
    }

    /// Records a signed request's nonce on its own: [`StoreError::NonceUsed`] for a replay.
    pub async fn record_nonce(&self, nonce: NonceUse) -> Result<(), StoreError> {
        self.write_single(move |mut tx| Box::pin(async move { tx.insert_nonce(&nonce).await }))
            .await
    }

    /// Per currency, the sum of every ledger entry: zero everywhere when the books balance.
    pub async fn ledger_sums(&self) -> Result<Vec<(String, i64)>, StoreError> {
        accounts::ledger_sums(&self.pool).await
    }
}

impl WriteTx<'_> {
    /// Records a request's nonce: [`StoreError::NonceUsed`] when it was recorded before.
    async fn insert_nonce(&mut self, nonce: &NonceUse) -> Result<(), StoreError> {
        let sql = match nonce.signer {
            Signer::Device(_) => {
                "INSERT INTO request_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT (device_id, nonce) DO NOTHING"
            }
            Signer::Till(_) => {
                "INSERT INTO till_nonces (till_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT (till_id, nonce) DO NOTHING"
            }
        };
        let inserted = sqlx::query(sql)
            .bind(nonce.signer.id())
            .bind(&nonce.nonce)
            .bind(nonce.seen_at)
            .execute(&mut *self.connection)
            .await?;
        if inserted.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NonceUsed)
        }
    }

    /// Stores a registration challenge, dropping expired ones on the way.
    pub async fn insert_challenge(
        &mut self,
        challenge: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.connection)
            .await?;
        sqlx::query("INSERT INTO challenges (challenge, expires_at) VALUES ($1, $2)")
            .bind(challenge)
            .bind(expires_at)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }

    /// Uses up a challenge: [`StoreError::NotFound`] when it is unknown, used or expired.
    pub async fn take_challenge(&mut self, challenge: &str, now: i64) -> Result<(), StoreError> {
        let deleted =
            sqlx::query("DELETE FROM challenges WHERE challenge = $1 AND expires_at >= $2")
                .bind(challenge)
                .bind(now)
                .execute(&mut *self.connection)
                .await?;
        StoreError::one_row(deleted.rows_affected())
    }

    /// The service's key for card fingerprints: `fresh` on first use, the stored one after.
    pub async fn fingerprint_key(&mut self, fresh: &str) -> Result<String, StoreError> {
        use sqlx::Row as _;
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ('card_fingerprint_key', $1) ON CONFLICT (name) DO NOTHING")
            .bind(fresh)
            .execute(&mut *self.connection)
            .await?;
        Ok(
            sqlx::query("SELECT value FROM server_secrets WHERE name = 'card_fingerprint_key'")
                .fetch_one(&mut *self.connection)
                .await?
                .try_get("value")?,
        )
    }

    /// Sets the rate from `base` to `quote` (an exact decimal) and when it was set.
    pub async fn upsert_rate(
        &mut self,
        base: &str,
        quote: &str,
        rate: &str,
        as_of: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO fx_rates (base_currency, quote_currency, rate, as_of) VALUES ($1, $2, $3, $4)
             ON CONFLICT (base_currency, quote_currency) DO UPDATE SET rate = $3, as_of = $4",
        )
        .bind(base)
        .bind(quote)
        .bind(rate)
        .bind(as_of)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}

impl Store {
    /// The rate from `base` to `quote` and when it was set.
    pub async fn rate(&self, base: &str, quote: &str) -> Result<Option<(String, i64)>, StoreError> {
        use sqlx::Row as _;
        let row = sqlx::query(
            "SELECT rate, as_of FROM fx_rates WHERE base_currency = $1 AND quote_currency = $2",
        )
        .bind(base)
        .bind(quote)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|row| Ok::<_, sqlx::Error>((row.try_get("rate")?, row.try_get("as_of")?)))
            .transpose()?)
    }
}

/// A pool of at most `max_connections` over `url`, set up as the service's own (a SQLite
/// file is created if missing and kept in WAL mode), without migrating. The benchmark
/// measures the database's commit rate through it, with the service's durability settings.
pub async fn connect_pool(url: &str, max_connections: u32) -> Result<AnyPool, StoreError> {
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

/// The ISO currency in `column` of `row`; `what` names it when the stored code is unknown.
fn currency(
    row: &sqlx::any::AnyRow,
    column: &str,
    what: &'static str,
) -> Result<Currency, StoreError> {
    use sqlx::Row as _;
    let code: String = row.try_get(column)?;
    Currency::from_code(&code).map_err(|error| StoreError::corrupt(what, error))
}

/// `$first, $first+1, ...` groups of `width` placeholders, one per row, joined by ", ":
/// the VALUES of a multi-row insert. Only numbered placeholders are ever formatted into SQL.
fn placeholder_rows(rows: usize, width: usize, first: usize) -> String {
    let mut sql = String::new();
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", first + row * width + column));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholder_rows_number_every_value() {
        assert_eq!(
            super::placeholder_rows(2, 3, 2),
            "($2, $3, $4), ($5, $6, $7)"
        );
        assert_eq!(super::placeholder_rows(0, 3, 1), "");
    }
}
