-- Portable SQL: the same migrations run on SQLite and PostgreSQL.
CREATE TABLE wallets (
    wallet_id   TEXT PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

CREATE TABLE devices (
    device_id      TEXT PRIMARY KEY,
    wallet_id      TEXT NOT NULL REFERENCES wallets (wallet_id),
    device_name    TEXT NOT NULL,
    public_key     TEXT NOT NULL UNIQUE,
    registered_at  BIGINT NOT NULL,
    locked_at      BIGINT,
    locked_by      TEXT REFERENCES devices (device_id)
);
CREATE INDEX devices_by_wallet ON devices (wallet_id);

-- Registration challenges: single use, deleted when used.
CREATE TABLE challenges (
    challenge   TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);

-- Nonces seen per device: the primary key is what refuses a replay.
CREATE TABLE request_nonces (
    device_id  TEXT NOT NULL REFERENCES devices (device_id),
    nonce      TEXT NOT NULL,
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);

CREATE TABLE merchants (
    merchant_id  TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    city         TEXT NOT NULL,
    country      TEXT NOT NULL,
    mcc          TEXT NOT NULL,
    currency     TEXT NOT NULL
);
