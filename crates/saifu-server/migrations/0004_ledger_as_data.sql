-- An account's kind and limits are data, not a prefix of its id; amounts are integers the
-- tables check, so an overflow can never turn a balance into a float on SQLite; history
-- lines are facts (which payment or top-up, which shop, which card), never English text.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL. Tables are rebuilt
-- rather than altered, since SQLite cannot add a CHECK to an existing table.

-- 10^18: no balance or entry goes past it, so adding an amount under a currency's ceiling
-- (at most 10^14 minor units) to one never overflows a BIGINT.
CREATE TABLE ledger_accounts (
    account_id   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('wallet', 'merchant', 'card_clearing', 'fx', 'promotion')),
    currency     TEXT NOT NULL,
    min_balance  BIGINT NOT NULL CHECK (min_balance = CAST(min_balance AS BIGINT)),
    max_balance  BIGINT NOT NULL CHECK (max_balance = CAST(max_balance AS BIGINT)),
    balance      BIGINT NOT NULL CHECK (balance = CAST(balance AS BIGINT)),
    CHECK (balance BETWEEN min_balance AND max_balance),
    CHECK (min_balance >= -1000000000000000000 AND max_balance <= 1000000000000000000)
);
INSERT INTO ledger_accounts (account_id, kind, currency, min_balance, max_balance, balance)
SELECT account_id,
       CASE
           WHEN account_id LIKE 'wallet:%' THEN 'wallet'
           WHEN account_id LIKE 'merchant:%' THEN 'merchant'
           WHEN account_id LIKE 'card-clearing:%' THEN 'card_clearing'
           WHEN account_id LIKE 'fx:%' THEN 'fx'
           ELSE 'promotion'
       END,
       currency,
       CASE WHEN account_id LIKE 'wallet:%' THEN 0 ELSE -1000000000000000000 END,
       1000000000000000000,
       balance
FROM accounts;

CREATE TABLE ledger_entries_checked (
    transaction_id  TEXT NOT NULL REFERENCES ledger_transactions (transaction_id),
    account_id      TEXT NOT NULL REFERENCES ledger_accounts (account_id),
    amount          BIGINT NOT NULL CHECK (amount = CAST(amount AS BIGINT) AND amount BETWEEN -1000000000000000000 AND 1000000000000000000),
    currency        TEXT NOT NULL
);
INSERT INTO ledger_entries_checked (transaction_id, account_id, amount, currency)
SELECT transaction_id, account_id, amount, currency FROM ledger_entries;
DROP TABLE ledger_entries;
DROP TABLE accounts;
ALTER TABLE ledger_entries_checked RENAME TO ledger_entries;
CREATE INDEX ledger_entries_by_transaction ON ledger_entries (transaction_id);

-- History as facts. Lines written before name their payment or top-up when one of the
-- wallet's was made in the same second, and their shop for a payment.
CREATE TABLE activity_facts (
    activity_id   TEXT PRIMARY KEY,
    wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
    kind          TEXT NOT NULL CHECK (kind IN ('payment', 'top_up')),
    reference_id  TEXT NOT NULL,
    merchant_id   TEXT REFERENCES merchants (merchant_id),
    card_id       TEXT REFERENCES cards (card_id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor = CAST(amount_minor AS BIGINT)),
    currency      TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
INSERT INTO activity_facts (activity_id, wallet_id, kind, reference_id, merchant_id, card_id, amount_minor, currency, created_at)
SELECT a.activity_id, a.wallet_id, a.kind,
       COALESCE(
           (SELECT t.transaction_id FROM ledger_transactions t
            WHERE t.wallet_id = a.wallet_id AND t.kind = a.kind AND t.created_at = a.created_at
            ORDER BY t.transaction_id LIMIT 1),
           ''),
       (SELECT q.merchant_id FROM payments p JOIN quotes q ON q.quote_id = p.quote_id
        WHERE a.kind = 'payment' AND p.wallet_id = a.wallet_id AND p.created_at = a.created_at
        ORDER BY p.payment_id LIMIT 1),
       -- A top-up's card, by the words its title was written in.
       (SELECT c.card_id FROM cards c
        WHERE a.kind = 'top_up' AND c.wallet_id = a.wallet_id
          AND a.title = 'Top up from ' || c.issuer || ' •••• ' || c.last4
        ORDER BY c.card_id LIMIT 1),
       a.amount_minor, a.currency, a.created_at
FROM activity a;
DROP TABLE activity;
ALTER TABLE activity_facts RENAME TO activity;
CREATE INDEX activity_by_wallet ON activity (wallet_id, created_at, activity_id);
