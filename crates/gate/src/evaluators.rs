//! The gate's evaluation threads: a fixed pool, one thread per core, that
//! runs the policy set's evaluations off the async runtime.
//!
//! An evaluation is CPU-bound work that blocks (WebAssembly, bounded by each
//! policy's deadline), so it cannot run on the runtime's workers. Tokio's
//! blocking pool starts a thread per evaluation in flight: at 32 concurrent
//! requests, 32 threads time-slicing two cores, contending for the pool's
//! one lock and switching context on every hand-off. A queue served by one
//! thread per core runs the same work back to back instead: in `load http`
//! at concurrency 32, five interleaved rounds against the blocking pool,
//! decisions/s 4,786 -> 5,379 (median), the gate's CPU per decision 314 ->
//! 265 µs, p99 14.0 -> 11.1 ms; concurrency 1 unchanged. More threads than
//! cores only time-slice the same cores (4 on this 2-core machine: no
//! better; 1: worse).
//!
//! Evaluations wait their turn in arrival order. A policy that runs to its
//! deadline holds a thread for that long, as it would hold a core under a
//! thread per evaluation; the deadline bounds every evaluation, so the
//! queue always drains. A job that panics answers its caller with an error
//! (which the gate turns into a fault: fail closed), and its thread goes on
//! serving. Dropping the pool closes the queue; its threads finish the jobs
//! already queued and exit.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A job did not answer: it panicked, or no thread could take it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EvaluatorError {
    #[error("the evaluation panicked: {0}")]
    Panicked(String),
    #[error("no evaluation thread could be started: {0}")]
    Unavailable(String),
    #[error("the evaluation threads have stopped")]
    Stopped,
}

/// A fixed pool of evaluation threads fed by one queue. The threads start
/// with the first job, so a gate that never evaluates starts none, and a
/// failure to start them fails that job (closed) and is tried again with
/// the next.
pub struct Evaluators {
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    threads: usize,
    /// The threads' end of the queue, gone once they have all exited.
    #[cfg(test)]
    receiver: Mutex<std::sync::Weak<Mutex<mpsc::Receiver<Job>>>>,
}

impl Evaluators {
    /// A pool of `threads` threads; `0` means one per core.
    pub fn new(threads: usize) -> Evaluators {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Evaluators {
            queue: Mutex::new(None),
            threads,
            #[cfg(test)]
            receiver: Mutex::new(std::sync::Weak::new()),
        }
    }

    /// How many threads serve the queue.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` on an evaluation thread and waits for its answer.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, EvaluatorError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let answer = std::panic::catch_unwind(AssertUnwindSafe(f))
                .map_err(|payload| EvaluatorError::Panicked(panic_message(&*payload)));
            let _ = tx.send(answer);
        });
        self.send(job)?;
        rx.await.map_err(|_| EvaluatorError::Stopped)?
    }

    /// Queues `job`, starting the threads first if they are not running.
    fn send(&self, job: Job) -> Result<(), EvaluatorError> {
        let mut queue = match self.queue.lock() {
            Ok(queue) => queue,
            Err(poisoned) => poisoned.into_inner(),
        };
        if queue.is_none() {
            *queue = Some(self.start()?);
        }
        let sender = queue.as_ref().expect("started above");
        sender.send(job).map_err(|_| EvaluatorError::Stopped)
    }

    /// Starts the threads, returning the queue's sending end. If one cannot
    /// be started, those started already exit (the queue is dropped).
    fn start(&self) -> Result<mpsc::Sender<Job>, EvaluatorError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..self.threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("clawlaw-eval-{i}"))
                .spawn(move || serve(&rx))
                .map_err(|e| {
                    tracing::error!(error = %e, "starting an evaluation thread");
                    EvaluatorError::Unavailable(e.to_string())
                })?;
        }
        #[cfg(test)]
        {
            *self.receiver.lock().unwrap() = Arc::downgrade(&rx);
        }
        Ok(tx)
    }
}

/// An evaluation thread: takes jobs until the queue closes.
fn serve(rx: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job; a job never
        // panics out of here (`run` catches it), so the lock is not poisoned.
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match next {
            Ok(job) => job(),
            Err(mpsc::RecvError) => return,
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_named_threads_and_answers_each() {
        let pool = Evaluators::new(2);
        assert_eq!(pool.threads(), 2);
        let answers = futures_util::future::join_all((0..50).map(|i| {
            let pool = &pool;
            async move {
                pool.run(move || {
                    let name = std::thread::current().name().map(str::to_string);
                    (i * 2, name)
                })
                .await
            }
        }))
        .await;
        for (i, answer) in answers.into_iter().enumerate() {
            let (doubled, name) = answer.unwrap();
            assert_eq!(doubled, i * 2);
            assert!(name.unwrap().starts_with("clawlaw-eval-"));
        }
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_threads_keep_serving() {
        let pool = Evaluators::new(1);
        let err = pool
            .run(|| -> u32 { panic!("policy host bug") })
            .await
            .unwrap_err();
        assert_eq!(err, EvaluatorError::Panicked("policy host bug".into()));
        // The one thread survived the panic.
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn zero_means_one_thread_per_core() {
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(Evaluators::new(0).threads(), cores);
    }

    #[test]
    fn dropping_the_pool_runs_what_is_queued_and_stops_its_threads() {
        let pool = Evaluators::new(3);
        assert!(
            pool.receiver.lock().unwrap().upgrade().is_none(),
            "no thread before the first job"
        );
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..6 {
            let ran = ran.clone();
            pool.send(Box::new(move || {
                std::thread::sleep(std::time::Duration::from_millis(10));
                ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }))
            .unwrap();
        }
        let receiver = pool.receiver.lock().unwrap().clone();
        assert!(receiver.upgrade().is_some(), "the threads started");
        drop(pool);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while receiver.upgrade().is_some() {
            assert!(
                std::time::Instant::now() < deadline,
                "the threads outlived their pool"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 6);
    }
}
