-- Lost mode: a wallet's lock code, which only suspends it, and its recovery code, which
-- lifts the suspension; kept as SHA-256, as till invites are. A suspended wallet's devices
-- keep their keys, and are refused until the suspension is lifted.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.
ALTER TABLE wallets ADD COLUMN lock_code_hash TEXT;
ALTER TABLE wallets ADD COLUMN recovery_code_hash TEXT;
ALTER TABLE wallets ADD COLUMN suspended_at BIGINT;
CREATE UNIQUE INDEX wallets_by_lock_code ON wallets (lock_code_hash);

-- Wrong lock codes, by where they came from: a source that sends too many is paused.
CREATE TABLE lock_attempts (
    source    TEXT NOT NULL,
    tried_at  BIGINT NOT NULL
);
CREATE INDEX lock_attempts_by_source ON lock_attempts (source, tried_at);
