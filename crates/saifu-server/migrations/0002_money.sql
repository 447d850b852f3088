-- Cards, balances and payments: a double-entry ledger whose wallet accounts never go negative.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.

ALTER TABLE wallets ADD COLUMN home_currency TEXT NOT NULL DEFAULT 'CNY';

-- Keys the service makes for itself on first use (the card fingerprint key).
CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Never a card number or security code: a keyed fingerprint, brand, issuer, last 4, expiry.
CREATE TABLE cards (
    card_id       TEXT PRIMARY KEY,
    wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
    fingerprint   TEXT NOT NULL,
    brand         TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    last4         TEXT NOT NULL,
    expiry_month  INTEGER NOT NULL,
    expiry_year   INTEGER NOT NULL,
    sandbox_rule  TEXT NOT NULL,
    linked_at     BIGINT NOT NULL,
    unlinked_at   BIGINT
);
CREATE UNIQUE INDEX cards_linked_once ON cards (wallet_id, fingerprint) WHERE unlinked_at IS NULL;

-- Balances by account: wallet:<wallet>:<CUR>, merchant:<merchant>:<CUR>, card-clearing:<CUR>
-- (money arriving from card issuers) and fx:<CUR> (the operator's currency position).
CREATE TABLE accounts (
    account_id  TEXT PRIMARY KEY,
    currency    TEXT NOT NULL,
    balance     BIGINT NOT NULL DEFAULT 0,
    CHECK (balance >= 0 OR account_id NOT LIKE 'wallet:%')
);

CREATE TABLE ledger_transactions (
    transaction_id  TEXT PRIMARY KEY,
    wallet_id       TEXT NOT NULL REFERENCES wallets (wallet_id),
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Every transaction's entries sum to zero per currency.
CREATE TABLE ledger_entries (
    transaction_id  TEXT NOT NULL REFERENCES ledger_transactions (transaction_id),
    account_id      TEXT NOT NULL REFERENCES accounts (account_id),
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL
);
CREATE INDEX ledger_entries_by_transaction ON ledger_entries (transaction_id);

CREATE TABLE fx_rates (
    base_currency   TEXT NOT NULL,
    quote_currency  TEXT NOT NULL,
    rate            TEXT NOT NULL,
    as_of           BIGINT NOT NULL,
    PRIMARY KEY (base_currency, quote_currency)
);

CREATE TABLE quotes (
    quote_id        TEXT PRIMARY KEY,
    wallet_id       TEXT NOT NULL REFERENCES wallets (wallet_id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (merchant_id),
    price_minor     BIGINT NOT NULL,
    price_currency  TEXT NOT NULL,
    pay_minor       BIGINT NOT NULL,
    pay_currency    TEXT NOT NULL,
    rate            TEXT,
    rate_as_of      BIGINT,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);

-- One payment per quote: the unique key refuses paying the same price twice.
CREATE TABLE payments (
    payment_id      TEXT PRIMARY KEY,
    wallet_id       TEXT NOT NULL REFERENCES wallets (wallet_id),
    device_id       TEXT NOT NULL REFERENCES devices (device_id),
    quote_id        TEXT NOT NULL UNIQUE REFERENCES quotes (quote_id),
    transaction_id  TEXT NOT NULL REFERENCES ledger_transactions (transaction_id),
    receipt         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- A retried request with the same key gets the stored response; written in the same
-- transaction as the effect, so a key is stored if and only if its effect happened.
CREATE TABLE idempotency_keys (
    wallet_id        TEXT NOT NULL REFERENCES wallets (wallet_id),
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response         TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (wallet_id, idempotency_key)
);

CREATE TABLE activity (
    activity_id   TEXT PRIMARY KEY,
    wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX activity_by_wallet ON activity (wallet_id, created_at, activity_id);
