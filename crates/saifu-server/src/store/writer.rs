//! Where writes go: PostgreSQL's pool, or SQLite's one writing connection with group commit.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use super::{NonceUse, StoreError, WriteTx};

#[derive(Clone, Debug)]
pub(super) enum Writer {
    /// PostgreSQL: each write its own transaction on the shared pool.
    Pool(AnyPool),
    /// SQLite lets one writer in at a time, and one waiting on its file lock sleeps and polls
    /// (up to 100 ms a turn, first come not first served): its writes go to one connection,
    /// on a thread of its own, that commits them in batches ([`batch_writes`]).
    Batching(mpsc::UnboundedSender<Job>),
}

/// Called with the batch's commit, or why it failed.
type Committed = Box<dyn FnOnce(Result<(), Arc<StoreError>>) + Send>;

/// A write for the batching writer: it runs in the batch's transaction and answers once the
/// batch is committed. `Err` means that the batch's transaction cannot go on.
pub(super) type Job = Box<
    dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<Committed, StoreError>>
        + Send,
>;

/// The most write transactions committed together.
const MAX_BATCH: usize = 64;

impl Writer {
    pub(super) fn batching(connection: AnyPool) -> Writer {
        Writer::Batching(start_batching(connection))
    }

    pub(super) async fn write<T, E, F>(&self, nonce: Option<NonceUse>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        match self {
            Writer::Pool(pool) => {
                let mut tx = pool.begin().await.map_err(StoreError::from)?;
                let outcome = run(&mut tx, nonce, work).await?;
                tx.commit().await.map_err(StoreError::from)?;
                outcome
            }
            Writer::Batching(batches) => {
                let (answer, answered) = oneshot::channel::<Result<T, E>>();
                let job: Job = Box::new(move |connection| {
                    Box::pin(async move {
                        let outcome = match run(connection, nonce, work).await {
                            Ok(outcome) => outcome,
                            Err(failure) => {
                                let failure = Arc::new(failure);
                                let _ =
                                    answer.send(Err(E::from(StoreError::Batch(failure.clone()))));
                                return Err(StoreError::Batch(failure));
                            }
                        };
                        Ok(Box::new(move |committed: Result<(), Arc<StoreError>>| {
                            let _ = answer.send(match committed {
                                Ok(()) => outcome,
                                Err(failure) => Err(E::from(StoreError::Batch(failure))),
                            });
                        }) as Committed)
                    })
                });
                batches.send(job).map_err(|_| StoreError::WriterStopped)?;
                answered.await.map_err(|_| StoreError::WriterStopped)?
            }
        }
    }

    pub(super) async fn write_single<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(WriteTx<'c>) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        match self {
            Writer::Pool(pool) => {
                let mut connection = pool.acquire().await.map_err(StoreError::from)?;
                work(WriteTx {
                    connection: &mut connection,
                })
                .await
            }
            Writer::Batching(_) => self.write(None, work).await,
        }
    }
}

/// One write in an open transaction: the nonce, if any, then `work` from a savepoint that
/// its failure rolls back to. The outer `Err` is a database failure the transaction cannot
/// go on from; the inner result is `work`'s answer.
async fn run<T, E, F>(
    connection: &mut AnyConnection,
    nonce: Option<NonceUse>,
    work: F,
) -> Result<Result<T, E>, StoreError>
where
    E: From<StoreError>,
    F: for<'c> FnOnce(WriteTx<'c>) -> BoxFuture<'c, Result<T, E>>,
{
    if let Some(nonce) = &nonce {
        match (WriteTx {
            connection: &mut *connection,
        })
        .insert_nonce(nonce)
        .await
        {
            Ok(()) => {}
            Err(StoreError::NonceUsed) => return Ok(Err(E::from(StoreError::NonceUsed))),
            Err(failure) => return Err(failure),
        }
    }
    sqlx::raw_sql("SAVEPOINT work")
        .execute(&mut *connection)
        .await?;
    let outcome = work(WriteTx {
        connection: &mut *connection,
    })
    .await;
    if outcome.is_err() {
        sqlx::raw_sql("ROLLBACK TO SAVEPOINT work")
            .execute(&mut *connection)
            .await?;
    }
    Ok(outcome)
}

/// Starts the batching writer on a thread of its own, and returns where to send it work.
/// Its own thread, so that a batch holding the write lock goes on as soon as each statement
/// is done, never waiting for a busy runtime to poll it. It stops when every sender is gone.
fn start_batching(writer: AnyPool) -> mpsc::UnboundedSender<Job> {
    let (send, receive) = mpsc::unbounded_channel();
    // The writer logs where its opener does, a test's capture included.
    let logs = tracing::dispatcher::get_default(Clone::clone);
    let spawned = std::thread::Builder::new()
        .name("saifu-sqlite-writer".into())
        .spawn(move || {
            tracing::dispatcher::with_default(&logs, || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(batch_writes(writer, receive)),
                    Err(error) => tracing::error!(%error, "no runtime for the SQLite writer"),
                }
            })
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "no thread for the SQLite writer");
    }
    send
}

/// SQLite's group commit: takes the waiting write transactions in turn into one database
/// transaction (`BEGIN IMMEDIATE`), as many as wait, up to [`MAX_BATCH`], then commits once
/// and answers them all. The file lock is taken once per batch and the WAL synced once.
/// Savepoints are only rolled back to, never released: SQLite nests them harmlessly.
async fn batch_writes(writer: AnyPool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut next = Some(first);
        let mut committed: Vec<Committed> = Vec::new();
        let outcome = async {
            let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
            while let Some(job) = next.take() {
                // A panic fails the batch, not the writer.
                match AssertUnwindSafe(job(&mut tx)).catch_unwind().await {
                    Ok(Ok(answer)) => committed.push(answer),
                    Ok(Err(failure)) => return Err(failure),
                    Err(_) => return Err(StoreError::Panicked),
                }
                if committed.len() < MAX_BATCH {
                    next = jobs.try_recv().ok();
                }
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        let outcome = outcome.map_err(|failure| {
            tracing::error!(%failure, transactions = committed.len(), "a batch of write transactions failed");
            Arc::new(failure)
        });
        for answer in committed {
            answer(outcome.clone());
        }
    }
}
