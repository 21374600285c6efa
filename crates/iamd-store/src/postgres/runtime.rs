//! The store's own tokio runtime, on a thread of its own: the `Store` trait is synchronous and
//! is called from request threads, blocking threads and async tasks alike; every database call
//! runs here and the caller waits on a plain channel, which is allowed anywhere.

use std::future::Future;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::StoreError;

/// How long one store call may take before it fails (the database is down or unreachable):
/// writes fail fast instead of hanging.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct Runtime {
    handle: tokio::runtime::Handle,
    /// Dropped with the store: the runtime's thread then ends.
    _stop: oneshot::Sender<()>,
}

impl Runtime {
    pub fn start() -> Result<Runtime, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError(format!("postgres: cannot start the store's runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("iamd-postgres".into())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                })
            })
            .map_err(|e| StoreError(format!("postgres: cannot start the store's thread: {e}")))?;
        Ok(Runtime {
            handle,
            _stop: stop,
        })
    }

    /// Runs `task` on the store's runtime and waits for its result, at most [`CALL_TIMEOUT`].
    pub fn run<T: Send + 'static>(
        &self,
        task: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_within(CALL_TIMEOUT, task)
    }

    /// [`Runtime::run`], waiting at most `limit`.
    pub fn run_within<T: Send + 'static>(
        &self,
        limit: std::time::Duration,
        task: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = sender.send(tokio::time::timeout(limit, task).await);
        });
        match receiver.recv() {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError(format!(
                "postgres: no answer from the database within {} s",
                limit.as_secs()
            ))),
            Err(_) => Err(StoreError("postgres: the store's runtime stopped".into())),
        }
    }
}

impl Runtime {
    /// Starts `task` on the store's runtime without waiting for it.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.handle.spawn(task);
    }
}
