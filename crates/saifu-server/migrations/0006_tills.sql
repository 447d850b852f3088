-- A shop's tills: browsers enrolled with a one-time invite, each keeping a P-256 key and
-- signing every request as a wallet's devices do. An owner's till may refund, invite and
-- lock; a staff till takes payments and sees the feed.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.

-- Only the code's SHA-256 is kept: whoever reads the database cannot enrol with it.
CREATE TABLE till_invites (
    code_hash    TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (merchant_id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);

CREATE TABLE tills (
    till_id      TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (merchant_id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    till_name    TEXT NOT NULL,
    public_key   TEXT NOT NULL UNIQUE,
    enrolled_at  BIGINT NOT NULL,
    locked_at    BIGINT,
    locked_by    TEXT REFERENCES tills (till_id)
);
CREATE INDEX tills_by_merchant ON tills (merchant_id);

-- Nonces seen per till: the primary key is what refuses a replay.
CREATE TABLE till_nonces (
    till_id  TEXT NOT NULL REFERENCES tills (till_id),
    nonce    TEXT NOT NULL,
    seen_at  BIGINT NOT NULL,
    PRIMARY KEY (till_id, nonce)
);
