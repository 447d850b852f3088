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
        wallet_suspended_at: None,
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

/// A database written before migration 0004 keeps its balances and its history, which now
/// names the top-up and its card. SQLite only: it needs a database of its own.
#[tokio::test]
async fn books_written_before_the_ledger_became_data_survive_the_migration() {
    if std::env::var("SAIFU_TEST_DATABASE_URL").is_ok() {
        return;
    }
    let dir = saifu_server::testing::temp_dir("migrate");
    let earlier = dir.join("migrations");
    std::fs::create_dir_all(&earlier).expect("dir");
    for name in ["0001_devices.sql", "0002_money.sql", "0003_promotions.sql"] {
        let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(name);
        std::fs::copy(from, earlier.join(name)).expect("copy a migration");
    }
    let url = format!("sqlite://{}", dir.join("wallet.db").display());
    let pool = connect_pool(&url, 1).await.expect("connect");
    sqlx::migrate::Migrator::new(earlier.as_path())
        .await
        .expect("the earlier migrations")
        .run(&pool)
        .await
        .expect("migrate to 0003");
    for statement in [
        "INSERT INTO wallets (wallet_id, created_at, home_currency) VALUES ('w', 1, 'CNY')",
        "INSERT INTO cards (card_id, wallet_id, fingerprint, brand, issuer, last4, expiry_month, expiry_year, sandbox_rule, linked_at) VALUES ('card_1', 'w', 'f', 'visa', 'Saifu Sandbox Bank', '4242', 12, 2035, 'approve', 1)",
        "INSERT INTO accounts (account_id, currency, balance) VALUES ('wallet:w:CNY', 'CNY', 50000), ('card-clearing:CNY', 'CNY', -50000)",
        "INSERT INTO ledger_transactions (transaction_id, wallet_id, kind, created_at) VALUES ('top_1', 'w', 'top_up', 100)",
        "INSERT INTO ledger_entries (transaction_id, account_id, amount, currency) VALUES ('top_1', 'wallet:w:CNY', 50000, 'CNY'), ('top_1', 'card-clearing:CNY', -50000, 'CNY')",
        "INSERT INTO activity (activity_id, wallet_id, kind, title, amount_minor, currency, created_at) VALUES ('act_1', 'w', 'top_up', 'Top up from Saifu Sandbox Bank •••• 4242', 50000, 'CNY', 100)",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect(statement);
    }
    pool.close().await;

    let store = saifu_server::Store::connect(&url)
        .await
        .expect("migrate to the latest");
    assert_eq!(store.balance("wallet:w:CNY").await.expect("read"), 50_000);
    assert_eq!(
        store.ledger_sums().await.expect("sums"),
        [("CNY".to_owned(), 0)]
    );
    let lines = store.activity_page("w", None, 10).await.expect("history");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].reference_id, "top_1");
    assert_eq!(
        lines[0].card.as_ref().map(|card| card.0.as_str()),
        Some("card_1")
    );
}
