//! The store's conformance suite: the same checks on SQLite and on PostgreSQL
//! (`SAIFU_TEST_DATABASE_URL`), through the store's own interface and raw SQL.

use saifu_core::money::Currency;
use saifu_core::money::Money;
use saifu_server::ledger::{self, Account, LedgerError, Posting, TransactionKind};
use saifu_server::store::{DeviceRow, StoreError, connect_pool};

use crate::common::{TestApp, spawn_app, unique};

fn cny() -> Currency {
    Currency::from_code("CNY").expect("ISO")
}

fn database_url(app: &TestApp) -> String {
    match &app.sqlite_file {
        Some(file) => format!("sqlite://{}", file.display()),
        None => std::env::var("SAIFU_TEST_DATABASE_URL").expect("the test database"),
    }
}

/// A wallet with one device, written through the store; its id.
async fn wallet(app: &TestApp) -> String {
    let wallet_id = unique("wal");
    let device = DeviceRow {
        device_id: unique("dev"),
        wallet_id: wallet_id.clone(),
        device_name: "Store test".into(),
        public_key: unique("key"),
        registered_at: 1,
        locked_at: None,
    };
    app.store
        .write(move |mut tx| {
            Box::pin(async move { tx.create_wallet(&device.wallet_id, cny(), &device).await })
        })
        .await
        .map_err(|error: StoreError| error)
        .expect("create the wallet");
    wallet_id
}

/// Posts `postings` as one top-up transaction of `wallet_id`.
async fn post(app: &TestApp, wallet_id: &str, postings: Vec<Posting>) -> Result<(), LedgerError> {
    let (wallet_id, id) = (wallet_id.to_owned(), unique("top"));
    app.store
        .write(move |mut tx| {
            Box::pin(async move {
                ledger::post(
                    &mut tx,
                    &id,
                    &wallet_id,
                    TransactionKind::TopUp,
                    1,
                    &postings,
                )
                .await
            })
        })
        .await
}

#[tokio::test]
async fn a_duplicate_is_a_typed_outcome_and_undoes_only_its_own_writes() {
    let app = spawn_app().await;
    let wallet_id = wallet(&app).await;
    let devices = app.store.wallet_devices(&wallet_id).await.expect("read");
    let again = devices[0].clone();
    let outcome = app
        .store
        .write(move |mut tx| {
            Box::pin(async move {
                tx.create_wallet(
                    &unique("wal"),
                    cny(),
                    &DeviceRow {
                        wallet_id: unique("other"),
                        ..again
                    },
                )
                .await
            })
        })
        .await;
    assert!(matches!(outcome, Err(StoreError::Duplicate)), "{outcome:?}");
    // Nothing of the refused write is kept, and the store goes on writing.
    assert_eq!(
        app.store
            .wallet_devices(&wallet_id)
            .await
            .expect("read")
            .len(),
        1
    );
    wallet(&app).await;
}

#[tokio::test]
async fn balances_stay_between_their_accounts_limits() {
    let app = spawn_app().await;
    let wallet_id = wallet(&app).await;
    let money = |minor| Money::from_minor(minor, cny());
    let top_up = |minor| ledger::top_up(&wallet_id, money(minor)).expect("under the ceiling");

    post(&app, &wallet_id, top_up(cny().ceiling_minor()))
        .await
        .expect("up to the ceiling");
    let over = post(&app, &wallet_id, top_up(1)).await;
    assert!(matches!(over, Err(LedgerError::BalanceLimit)), "{over:?}");
    let account = Account::wallet(&wallet_id, cny()).id();
    assert_eq!(
        app.store.balance(&account).await.expect("read"),
        cny().ceiling_minor()
    );

    // A debit below zero is refused as insufficient funds, and changes nothing.
    let spend = vec![
        Posting {
            account: Account::wallet(&wallet_id, cny()),
            amount: money(-cny().ceiling_minor() - 1),
        },
        Posting {
            account: Account::fx(cny()),
            amount: money(cny().ceiling_minor() + 1),
        },
    ];
    assert!(post(&app, &wallet_id, spend).await.is_err());
    assert_eq!(
        app.store.balance(&account).await.expect("read"),
        cny().ceiling_minor()
    );
}

#[tokio::test]
async fn the_ledger_tables_refuse_what_no_account_may_hold() {
    let app = spawn_app().await;
    let pool = connect_pool(&database_url(&app), 1).await.expect("connect");
    let account = unique("raw");
    // A balance past the limit, a wallet below zero, and on SQLite, whose columns take any
    // type, a float where an integer belongs (PostgreSQL's BIGINT has no floats to refuse).
    let mut refused = vec![("2000000000000000000", "-1000000000000000000"), ("-1", "0")];
    if app.sqlite_file.is_some() {
        refused.push(("1.5", "0"));
    }
    for (balance, min) in refused {
        let insert = format!(
            "INSERT INTO ledger_accounts (account_id, kind, currency, min_balance, max_balance, balance) VALUES ('{account}', 'fx', 'CNY', {min}, 1000000000000000000, {balance})"
        );
        let refused = sqlx::query(sqlx::AssertSqlSafe(insert))
            .execute(&pool)
            .await;
        assert!(refused.is_err(), "balance {balance} was stored");
    }
}
