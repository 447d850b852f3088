-- Refunds: an owner's till gives back all or part of a payment, to where the money came
-- from, at the payment's own rate, with its discount shared pro rata.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.

-- The shop a payment went to, beside the quote that says so, for the shop's feed; and how
-- much of its price has been refunded, the guard that no refund takes it past the price.
ALTER TABLE payments ADD COLUMN merchant_id TEXT REFERENCES merchants (merchant_id);
UPDATE payments SET merchant_id = (SELECT q.merchant_id FROM quotes q WHERE q.quote_id = payments.quote_id);
ALTER TABLE payments ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
CREATE INDEX payments_by_merchant ON payments (merchant_id, created_at);

-- `amount` is in the price's currency; `returned` is what went back to the balance or the
-- card, in the currency the payment left in.
CREATE TABLE refunds (
    refund_id          TEXT PRIMARY KEY,
    payment_id         TEXT NOT NULL REFERENCES payments (payment_id),
    merchant_id        TEXT NOT NULL REFERENCES merchants (merchant_id),
    till_id            TEXT NOT NULL REFERENCES tills (till_id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    returned_minor     BIGINT NOT NULL CHECK (returned_minor >= 0),
    returned_currency  TEXT NOT NULL,
    response           TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX refunds_by_payment ON refunds (payment_id);
CREATE INDEX refunds_by_merchant ON refunds (merchant_id, created_at);

-- A till's retried refund gets the stored answer: claimed in the refund's own transaction.
CREATE TABLE till_idempotency_keys (
    merchant_id      TEXT NOT NULL REFERENCES merchants (merchant_id),
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response         TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);

-- History lines may be refunds, which name the payment they give back. Rebuilt rather than
-- altered, since SQLite cannot change a CHECK.
CREATE TABLE activity_with_refunds (
    activity_id   TEXT PRIMARY KEY,
    wallet_id     TEXT NOT NULL REFERENCES wallets (wallet_id),
    kind          TEXT NOT NULL CHECK (kind IN ('payment', 'top_up', 'refund')),
    reference_id  TEXT NOT NULL,
    merchant_id   TEXT REFERENCES merchants (merchant_id),
    card_id       TEXT REFERENCES cards (card_id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor = CAST(amount_minor AS BIGINT)),
    currency      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    payment_id    TEXT REFERENCES payments (payment_id)
);
INSERT INTO activity_with_refunds (activity_id, wallet_id, kind, reference_id, merchant_id, card_id, amount_minor, currency, created_at)
SELECT activity_id, wallet_id, kind, reference_id, merchant_id, card_id, amount_minor, currency, created_at
FROM activity;
DROP TABLE activity;
ALTER TABLE activity_with_refunds RENAME TO activity;
CREATE INDEX activity_by_wallet ON activity (wallet_id, created_at, activity_id);
