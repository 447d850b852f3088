//! The service over real HTTP, on SQLite and (with `SAIFU_TEST_DATABASE_URL`) PostgreSQL:
//! one test binary, every response checked against `/openapi.json`.

mod api;
mod cli;
mod common;
mod crash;
mod currencies;
mod events;
mod limits;
mod logs;
mod lost_mode;
mod money;
mod pay_codes;
mod promotions;
mod refunds;
mod shop;
mod store;
mod tills;
