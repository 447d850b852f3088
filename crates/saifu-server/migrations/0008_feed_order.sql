-- Payments and refunds made in the same second keep the order they were made in, for the
-- shop's feed and statements: the microsecond each was recorded at.
-- Portable SQL: the same migrations run on SQLite and PostgreSQL.
ALTER TABLE payments ADD COLUMN recorded_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN recorded_us BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET recorded_us = created_at * 1000000;
UPDATE refunds SET recorded_us = created_at * 1000000;
