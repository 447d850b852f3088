//! What the store answers besides its rows: typed outcomes the service branches on, never
//! the text of a database message.

use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row with the same key exists already.
    #[error("a row with this key exists already")]
    Duplicate,
    /// No row matched.
    #[error("no such row")]
    NotFound,
    /// The signed request's nonce was recorded before: a replay.
    #[error("the nonce was used before")]
    NonceUsed,
    /// A debit would take the account below its lowest allowed balance.
    #[error("account {0} would go below its lowest balance")]
    BelowMinimum(String),
    /// A credit or debit would take the account past the most it may hold.
    #[error("account {0} would go past its balance limit")]
    AboveMaximum(String),
    /// A stored value no longer reads as what it should be.
    #[error("a stored {what} does not decode: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// The batch of SQLite transactions this one was committed with failed.
    #[error("the batch it was written in failed: {0}")]
    Batch(Arc<StoreError>),
    #[error("the writer has stopped")]
    WriterStopped,
    #[error("a write transaction panicked")]
    Panicked,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// `Ok` when a statement changed exactly one row, else [`StoreError::NotFound`].
    pub(super) fn one_row(rows_affected: u64) -> Result<(), StoreError> {
        if rows_affected == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// `Ok` when an `INSERT ... ON CONFLICT DO NOTHING` inserted its row, else
    /// [`StoreError::Duplicate`].
    pub(super) fn inserted(rows_affected: u64) -> Result<(), StoreError> {
        if rows_affected == 1 {
            Ok(())
        } else {
            Err(StoreError::Duplicate)
        }
    }

    pub(super) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}
