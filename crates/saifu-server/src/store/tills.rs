//! A shop's tills and the invites that enrol them.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Store, StoreError, WriteTx};

/// What a till may do: an owner's refunds, invites and locks besides what staff do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TillRole {
    Owner,
    Staff,
}

impl TillRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TillRole::Owner => "owner",
            TillRole::Staff => "staff",
        }
    }

    fn stored(text: &str) -> Result<TillRole, StoreError> {
        match text {
            "owner" => Ok(TillRole::Owner),
            "staff" => Ok(TillRole::Staff),
            other => Err(StoreError::corrupt("till role", other)),
        }
    }
}

#[derive(Clone, Debug)]
pub struct TillRow {
    pub till_id: String,
    pub merchant_id: String,
    pub role: TillRole,
    pub till_name: String,
    pub public_key: String,
    pub enrolled_at: i64,
    pub locked_at: Option<i64>,
}

/// A literal `SELECT` of every till column, followed by `$rest`.
macro_rules! select_tills {
    ($rest:literal) => {
        concat!("SELECT till_id, merchant_id, role, till_name, public_key, enrolled_at, locked_at FROM tills ", $rest)
    };
}

fn till(row: &AnyRow) -> Result<TillRow, StoreError> {
    Ok(TillRow {
        till_id: row.try_get("till_id")?,
        merchant_id: row.try_get("merchant_id")?,
        role: TillRole::stored(&row.try_get::<String, _>("role")?)?,
        till_name: row.try_get("till_name")?,
        public_key: row.try_get("public_key")?,
        enrolled_at: row.try_get("enrolled_at")?,
        locked_at: row.try_get("locked_at")?,
    })
}

impl Store {
    pub async fn till(&self, till_id: &str) -> Result<Option<TillRow>, StoreError> {
        let row = sqlx::query(select_tills!("WHERE till_id = $1"))
            .bind(till_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(till).transpose()
    }

    pub async fn merchant_tills(&self, merchant_id: &str) -> Result<Vec<TillRow>, StoreError> {
        let rows = sqlx::query(select_tills!(
            "WHERE merchant_id = $1 ORDER BY enrolled_at, till_id"
        ))
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(till).collect()
    }
}

impl WriteTx<'_> {
    pub async fn insert_invite(
        &mut self,
        code_hash: &str,
        merchant_id: &str,
        role: TillRole,
        created_at: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO till_invites (code_hash, merchant_id, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(merchant_id)
        .bind(role.as_str())
        .bind(created_at)
        .bind(expires_at)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }

    /// Uses up an invite: its shop and role, or [`StoreError::NotFound`] when it is unknown,
    /// used or expired. One guarded update, so two enrolments racing for it cannot both win.
    pub async fn take_invite(
        &mut self,
        code_hash: &str,
        now: i64,
    ) -> Result<(String, TillRole), StoreError> {
        let row = sqlx::query(
            "UPDATE till_invites SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at >= $2
             RETURNING merchant_id, role",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&mut *self.connection)
        .await?
        .ok_or(StoreError::NotFound)?;
        let role = TillRole::stored(&row.try_get::<String, _>("role")?)?;
        Ok((row.try_get("merchant_id")?, role))
    }

    /// [`StoreError::Duplicate`] when the till's id or key is registered already.
    pub async fn add_till(&mut self, till: &TillRow) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO tills (till_id, merchant_id, role, till_name, public_key, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT DO NOTHING",
        )
        .bind(&till.till_id)
        .bind(&till.merchant_id)
        .bind(till.role.as_str())
        .bind(&till.till_name)
        .bind(&till.public_key)
        .bind(till.enrolled_at)
        .execute(&mut *self.connection)
        .await?;
        StoreError::inserted(inserted.rows_affected())
    }

    /// Locks a till unless it is locked already; the first lock's time and author stay.
    pub async fn lock_till(
        &mut self,
        till_id: &str,
        locked_by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tills SET locked_at = $1, locked_by = $2 WHERE till_id = $3 AND locked_at IS NULL",
        )
        .bind(now)
        .bind(locked_by)
        .bind(till_id)
        .execute(&mut *self.connection)
        .await?;
        Ok(())
    }
}
