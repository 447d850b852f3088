-- Pay codes: the codes a wallet's device shows and a shop's till charges.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.

-- Each device's pay-code key (32 bytes, base64url) and the number its codes carry, with how
-- they pay: the card first used (NULL: the balance), the card the balance falls back to
-- when short (NULL: none), and the most paid without asking the device, in the wallet's
-- currency.
CREATE TABLE pay_codes (
    device_id           TEXT PRIMARY KEY REFERENCES devices (device_id),
    device_number       BIGINT NOT NULL UNIQUE,
    pay_key             TEXT NOT NULL,
    funding_card_id     TEXT,
    fallback_card_id    TEXT,
    no_pin_limit_minor  BIGINT NOT NULL CHECK (no_pin_limit_minor >= 0),
    issued_at           BIGINT NOT NULL
);

-- A code is good for one charge: the primary key is what refuses the second. A refused
-- or timed-out confirmation uses the code up too, with no payment.
CREATE TABLE pay_code_uses (
    device_id    TEXT NOT NULL REFERENCES devices (device_id),
    step         BIGINT NOT NULL,
    merchant_id  TEXT NOT NULL REFERENCES merchants (merchant_id),
    payment_id   TEXT,
    used_at      BIGINT NOT NULL,
    PRIMARY KEY (device_id, step)
);

-- Codes a shop's tills sent that no key made: a shop that sends too many is paused.
CREATE TABLE pay_code_misses (
    merchant_id  TEXT NOT NULL REFERENCES merchants (merchant_id),
    missed_at    BIGINT NOT NULL
);
CREATE INDEX pay_code_misses_by_shop ON pay_code_misses (merchant_id, missed_at);
