//! The double-entry ledger's tables: accounts with their limits, transactions and entries.
//! What an account is and what it may hold is decided by `ledger`; here it is written down
//! and enforced by guarded statements, with the tables' own checks behind them.

use std::collections::BTreeMap;

use saifu_core::money::Currency;
use sqlx::Row as _;

use super::{Store, StoreError, WriteTx};

/// An account as stored: the ledger decides every field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: String,
    pub kind: &'static str,
    pub currency: Currency,
    /// The lowest balance it may have: 0 for an account that must not go negative.
    pub min_balance: i64,
    /// The highest balance it may have.
    pub max_balance: i64,
}

/// One entry of a ledger transaction: `amount` minor units of the account's currency, in
/// (positive) or out (negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub account: AccountRow,
    pub amount: i64,
}

impl Store {
    /// An account's balance: 0 for one that has had no entry yet.
    pub async fn balance(&self, account_id: &str) -> Result<i64, StoreError> {
        balance(&self.pool, account_id).await
    }

    /// The entries of one ledger transaction, by account: (account id, amount, currency).
    pub async fn transaction_entries(
        &self,
        transaction_id: &str,
    ) -> Result<Vec<(String, i64, Currency)>, StoreError> {
        let rows = sqlx::query("SELECT account_id, amount, currency FROM ledger_entries WHERE transaction_id = $1 ORDER BY account_id")
            .bind(transaction_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let currency = super::currency(row, "currency", "entry currency")?;
                Ok((row.try_get("account_id")?, row.try_get("amount")?, currency))
            })
            .collect()
    }
}

/// An account's balance through `executor`: 0 for one that has had no entry yet.
async fn balance<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    account_id: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT balance FROM ledger_accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(executor)
        .await?;
    Ok(row.map_or(Ok(0), |row| row.try_get("balance"))?)
}

pub(super) async fn ledger_sums(pool: &sqlx::AnyPool) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT currency, CAST(SUM(amount) AS BIGINT) AS total FROM ledger_entries GROUP BY currency ORDER BY currency")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .iter()
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("currency")?, row.try_get("total")?)))
        .collect::<Result<_, _>>()?)
}

impl WriteTx<'_> {
    /// The row of a ledger transaction, before its entries: what other rows refer to.
    pub async fn open_transaction(
        &mut self,
        transaction_id: &str,
        wallet_id: &str,
        kind: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO ledger_transactions (transaction_id, wallet_id, kind, created_at) VALUES ($1, $2, $3, $4)")
            .bind(transaction_id)
            .bind(wallet_id)
            .bind(kind)
            .bind(now)
            .execute(&mut *self.connection)
            .await?;
        Ok(())
    }

    /// An account's balance, read in this transaction.
    pub async fn balance(&mut self, account_id: &str) -> Result<i64, StoreError> {
        balance(&mut *self.connection, account_id).await
    }

    /// The entries of the opened ledger transaction `transaction_id` (balanced by the
    /// ledger), and the balances they change, each kept between its account's limits.
    ///
    /// A debit of an account that must not go negative is checked and made in one
    /// statement, so concurrent payments cannot overspend: [`StoreError::BelowMinimum`].
    /// Every other account is created at its first entry and changed in one statement,
    /// guarded by its limits as the ledger gives them now (and stored with it, so an account
    /// made under older limits takes the current ones): [`StoreError::AboveMaximum`]. The entries follow in one more,
    /// since they refer to their accounts. Called last in a transaction, the rows many
    /// payments share (a busy shop's account) stay locked only for its end; they change in
    /// the same order in every transaction: guarded debits first, then by account.
    pub async fn post_entries(
        &mut self,
        transaction_id: &str,
        entries: &[EntryRow],
    ) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut changes: BTreeMap<&str, (&AccountRow, i64)> = BTreeMap::new();
        for entry in entries {
            let change = changes
                .entry(&entry.account.account_id)
                .or_insert((&entry.account, 0));
            change.1 = change
                .1
                .checked_add(entry.amount)
                .ok_or_else(|| StoreError::AboveMaximum(entry.account.account_id.clone()))?;
        }
        let guarded = |account: &AccountRow, amount: i64| account.min_balance >= 0 && amount < 0;
        for (account, amount) in changes.values() {
            if guarded(account, *amount) {
                let updated = sqlx::query(
                    "UPDATE ledger_accounts SET balance = balance + $1 WHERE account_id = $2 AND balance + $1 >= min_balance",
                )
                .bind(*amount)
                .bind(&account.account_id)
                .execute(&mut *self.connection)
                .await?;
                if updated.rows_affected() != 1 {
                    return Err(StoreError::BelowMinimum(account.account_id.clone()));
                }
            }
        }
        let others: Vec<_> = changes
            .values()
            .filter(|(account, amount)| !guarded(account, *amount))
            .collect();
        if !others.is_empty() {
            let upsert = format!(
                "INSERT INTO ledger_accounts (account_id, kind, currency, min_balance, max_balance, balance) VALUES {}
                 ON CONFLICT (account_id) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance,
                     min_balance = excluded.min_balance, max_balance = excluded.max_balance
                 WHERE ledger_accounts.balance + excluded.balance BETWEEN excluded.min_balance AND excluded.max_balance",
                super::placeholder_rows(others.len(), 6, 1)
            );
            let mut balances = sqlx::query(sqlx::AssertSqlSafe(upsert));
            for (account, amount) in &others {
                balances = balances
                    .bind(&account.account_id)
                    .bind(account.kind)
                    .bind(account.currency.code())
                    .bind(account.min_balance)
                    .bind(account.max_balance)
                    .bind(*amount);
            }
            let changed = balances.execute(&mut *self.connection).await?;
            if changed.rows_affected() != others.len() as u64 {
                let accounts: Vec<&str> = others
                    .iter()
                    .map(|(account, _)| account.account_id.as_str())
                    .collect();
                return Err(StoreError::AboveMaximum(accounts.join(", ")));
            }
        }
        // ($1, $2, $3, $4), ($1, $5, $6, $7), ...: the transaction id is $1 in every row.
        let mut insert = String::from(
            "INSERT INTO ledger_entries (transaction_id, account_id, amount, currency) VALUES ",
        );
        for index in 0..entries.len() {
            let first = 2 + 3 * index;
            if index > 0 {
                insert.push_str(", ");
            }
            insert.push_str(&format!("($1, ${first}, ${}, ${})", first + 1, first + 2));
        }
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(insert)).bind(transaction_id);
        for entry in entries {
            rows = rows
                .bind(&entry.account.account_id)
                .bind(entry.amount)
                .bind(entry.account.currency.code());
        }
        rows.execute(&mut *self.connection).await?;
        Ok(())
    }
}
