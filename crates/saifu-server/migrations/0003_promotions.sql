-- Promotions: campaigns, what each wallet has used of them, and claimed coupons. A payment
-- consumes budget, use and coupon with guarded updates in its own transaction, and posts
-- each saving to its funder's account: promo:merchant:<merchant>:<CUR>,
-- promo:issuer:<issuer>:<CUR> or promo:operator:<CUR>.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.

-- `definition` is the saifu_core::promo::Campaign as JSON. Beside it, what SQL filters and
-- guards on; `name` and `per_user_limit` repeat it for people reading the table. `funder_ref`
-- is who pays within the funder kind: the merchant's id, the issuer's name, or 'operator'.
CREATE TABLE campaigns (
    campaign_id           TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    definition            TEXT NOT NULL,
    currency              TEXT NOT NULL,
    funder                TEXT NOT NULL,
    funder_ref            TEXT NOT NULL,
    budget_minor          BIGINT,
    budget_spent_minor    BIGINT NOT NULL DEFAULT 0,
    per_user_limit        BIGINT,
    -- How long a claimed coupon lasts (capped by the campaign's end); coupon campaigns only.
    coupon_valid_seconds  BIGINT,
    -- Only for wallets whose home currency is not the campaign's: visitors from abroad.
    visitors_only         INTEGER NOT NULL DEFAULT 0,
    updated_at            BIGINT NOT NULL,
    CHECK (budget_minor IS NULL OR budget_spent_minor <= budget_minor)
);
CREATE INDEX campaigns_by_currency ON campaigns (currency);

CREATE TABLE campaign_usage (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (campaign_id),
    wallet_id    TEXT NOT NULL REFERENCES wallets (wallet_id),
    uses         BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, wallet_id)
);

-- `used_by_payment` is set in the transaction that inserts the payment, before its row: no
-- foreign key, which PostgreSQL would check at once.
CREATE TABLE coupons (
    coupon_id        TEXT PRIMARY KEY,
    wallet_id        TEXT NOT NULL REFERENCES wallets (wallet_id),
    campaign_id      TEXT NOT NULL REFERENCES campaigns (campaign_id),
    claimed_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_by_payment  TEXT
);
-- One unused coupon per campaign in a wallet: the index refuses a second claim.
CREATE UNIQUE INDEX coupons_unused_once ON coupons (wallet_id, campaign_id) WHERE used_by_payment IS NULL;

-- "First payment at this shop" looks up the wallet's payments.
CREATE INDEX payments_by_wallet ON payments (wallet_id);

-- Eligibility facts: a chain's group, and the offset of the shop's wall clock from UTC
-- (fixed: the demo's countries keep no daylight saving time).
ALTER TABLE merchants ADD COLUMN merchant_group TEXT;
ALTER TABLE merchants ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 0;

-- The card's first six digits, for issuer promotions by BIN: with the last four, the most
-- of a number PCI DSS lets be kept in the clear. Cards linked before have none.
ALTER TABLE cards ADD COLUMN bin TEXT;

-- What a quote promised, so the payment honours it: the seed of its random discounts and
-- its offers (saifu_api::QuoteOffer list as JSON).
ALTER TABLE quotes ADD COLUMN promo_seed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE quotes ADD COLUMN offers TEXT NOT NULL DEFAULT '[]';
