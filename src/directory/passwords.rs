//! argon2id password hashing on a fixed pool of hashing threads, one per
//! core, each reusing one block of argon2 memory for its whole life. Hashes
//! never run on the async workers, never more at once than there are cores
//! (more would only share the same cores and multiply the memory), and
//! never allocate their 19 MiB afresh: with glibc's allocator, a freed
//! block of that size stays in the process (its mmap threshold rises with
//! the first one freed), so allocating per hash grew RSS to the high-water
//! mark of hashes in flight, and freeing when idle only fragmented it.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;

use crate::config::Argon2Params;

/// A password as it is stored: the argon2id hash (password sign-in, the
/// hosted pages) and Cognito's SRP salt and verifier (USER_SRP_AUTH), made
/// together from the same password so that no path can set one without
/// the other. No `Debug`: it is never logged.
#[derive(Clone)]
pub struct PasswordRecord {
    pub hash: String,
    /// `SALT` as sent to clients (lowercase hex).
    pub srp_salt: String,
    /// `g^x mod N` (lowercase hex).
    pub srp_verifier: String,
}

/// The hashing pool has stopped (only while the server shuts down).
#[derive(Debug, thiserror::Error)]
#[error("the password hashing pool has stopped")]
pub struct PoolStopped;

type Job = Box<dyn FnOnce(&mut Hasher) + Send>;

/// Hashes and verifies passwords with the configured argon2id cost on the
/// hashing threads. Cloning shares the pool; the threads end with the last
/// clone.
#[derive(Clone)]
pub struct Passwords {
    settings: Arc<Settings>,
    queue: Arc<Owner>,
    /// The memory of the hashes made at start-up (the dummy hash, the
    /// console password's), one block shared by them and freed by
    /// [`Passwords::started`].
    startup: Arc<Mutex<Option<Hasher>>>,
}

struct Settings {
    params: Params,
    /// A hash of a random password with the same cost, checked when the
    /// user does not exist so that timing does not tell.
    dummy_hash: String,
}

/// The jobs waiting for a hashing thread.
#[derive(Default)]
struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    closed: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Jobs run outside the lock: it is never poisoned by a hash.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A hashing thread's life: run jobs as they come, until closed.
    fn serve(&self, mut hasher: Hasher) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                drop(state);
                job(&mut hasher);
                state = self.lock();
            } else if state.closed {
                return;
            } else {
                state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// Closes the queue when the last [`Passwords`] goes: the threads finish
/// what is queued and end.
struct Owner(Arc<Queue>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.ready.notify_all();
    }
}

/// One hashing thread's state, lent to each job it runs.
pub struct Hasher {
    settings: Arc<Settings>,
    /// argon2's working memory, kept between hashes.
    blocks: Vec<Block>,
}

impl Passwords {
    /// Starts one hashing thread per core.
    pub fn new(p: Argon2Params) -> Result<Passwords, argon2::Error> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Passwords::with_threads(p, threads)
    }

    /// Starts `threads` hashing threads.
    pub fn with_threads(p: Argon2Params, threads: usize) -> Result<Passwords, argon2::Error> {
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)?;
        let mut startup = Hasher {
            settings: Arc::new(Settings {
                params: params.clone(),
                dummy_hash: String::new(),
            }),
            blocks: Vec::new(),
        };
        let dummy_hash = startup
            .hash(&crate::directory::ids::random_token(24))
            .map_err(|_| argon2::Error::AlgorithmInvalid)?;
        let settings = Arc::new(Settings { params, dummy_hash });
        startup.settings = settings.clone();
        let queue = Arc::new(Queue::default());
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let hasher = Hasher {
                settings: settings.clone(),
                blocks: Vec::new(),
            };
            std::thread::Builder::new()
                .name(format!("cognate-hash-{i}"))
                .spawn(move || queue.serve(hasher))
                .map_err(|_| argon2::Error::AlgorithmInvalid)?;
        }
        Ok(Passwords {
            settings,
            queue: Arc::new(Owner(queue)),
            startup: Arc::new(Mutex::new(Some(startup))),
        })
    }

    /// Runs `job` on a hashing thread and waits for its answer.
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolStopped>
    where
        F: FnOnce(&mut Hasher) -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |hasher: &mut Hasher| {
            // The request went away while its job waited (a client that
            // gave up): no hash for nobody.
            if tx.is_closed() {
                return;
            }
            // A hash that panics answers nothing: the caller sees
            // PoolStopped and the thread keeps serving.
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(hasher)));
            if let Ok(out) = out {
                let _ = tx.send(out);
            }
        });
        let queue = &self.queue.0;
        queue.lock().jobs.push_back(job);
        queue.ready.notify_one();
        rx.await.map_err(|_| PoolStopped)
    }

    /// Checks `password` against `hash` on a hashing thread; with `None` (no
    /// such user) the dummy hash is checked instead and the answer is
    /// always `false`.
    pub async fn verify(&self, hash: Option<String>, password: String) -> bool {
        self.run(move |h| h.verify(hash.as_deref(), &password))
            .await
            .unwrap_or(false)
    }

    /// A PHC-format hash made on the calling thread: for start-up, before
    /// the server runs.
    pub fn hash_now(&self, password: &str) -> Result<String, argon2::password_hash::Error> {
        self.now(|h| h.hash(password))
    }

    /// [`Passwords::verify`] on the calling thread.
    pub fn verify_now(&self, hash: Option<&str>, password: &str) -> bool {
        self.now(|h| h.verify(hash, password))
    }

    /// Start-up is over: frees the memory of the start-up hashes (later
    /// ones on the calling thread get memory of their own).
    pub fn started(&self) {
        if let Ok(mut s) = self.startup.lock() {
            *s = None;
        }
    }

    fn now<T>(&self, f: impl FnOnce(&mut Hasher) -> T) -> T {
        let mut startup = self.startup.lock().unwrap_or_else(|e| e.into_inner());
        match startup.as_mut() {
            Some(h) => f(h),
            None => f(&mut Hasher {
                settings: self.settings.clone(),
                blocks: Vec::new(),
            }),
        }
    }
}

impl Hasher {
    /// A PHC-format argon2id hash of `password` with a fresh salt.
    pub fn hash(&mut self, password: &str) -> Result<String, argon2::password_hash::Error> {
        let mut salt = [0u8; 16];
        rand::rng().fill(&mut salt);
        let salt = SaltString::encode_b64(&salt)?;
        let params = self.settings.params.clone();
        let output = self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            &params,
            password,
            salt.as_salt(),
            Params::DEFAULT_OUTPUT_LEN,
        )?;
        Ok(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        }
        .to_string())
    }

    /// Checks `password` against `hash` (with the parameters stored in the
    /// hash itself); with `None` the dummy hash is checked and the answer is
    /// `false`.
    pub fn verify(&mut self, hash: Option<&str>, password: &str) -> bool {
        let settings = self.settings.clone();
        let (stored, real) = match hash {
            Some(h) => (h, true),
            None => (settings.dummy_hash.as_str(), false),
        };
        self.matches(stored, password).unwrap_or(false) && real
    }

    fn matches(
        &mut self,
        stored: &str,
        password: &str,
    ) -> Result<bool, argon2::password_hash::Error> {
        use argon2::password_hash::Error;
        let parsed = PasswordHash::new(stored)?;
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v)?,
            None => Version::V0x13,
        };
        let params = Params::try_from(&parsed)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Err(Error::PhcStringField);
        };
        let actual = self.compute(algorithm, version, &params, password, salt, expected.len())?;
        // Output's equality is constant-time.
        Ok(actual == expected)
    }

    fn compute(
        &mut self,
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &str,
        salt: Salt<'_>,
        output_len: usize,
    ) -> Result<Output, argon2::password_hash::Error> {
        let mut salt_buf = [0u8; 64];
        let salt = salt.decode_b64(&mut salt_buf)?;
        let needed = params.block_count();
        // The pool's own cost keeps its memory; a hash stored with another
        // cost (the parameters changed since) borrows what it needs once.
        let mut other;
        let blocks = if needed == self.settings.params.block_count() {
            if self.blocks.len() != needed {
                self.blocks = vec![Block::default(); needed];
            }
            &mut self.blocks[..]
        } else {
            other = vec![Block::default(); needed];
            &mut other[..]
        };
        let argon = Argon2::new(algorithm, version, params.clone());
        Output::init_with(output_len, |out| {
            argon
                .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut *blocks)
                .map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    fn cheap() -> Passwords {
        Passwords::with_threads(
            Argon2Params {
                memory_kib: 64,
                iterations: 1,
                parallelism: 1,
            },
            2,
        )
        .unwrap()
    }

    /// Polls `f` once: queues a job without waiting for it.
    async fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> Option<F::Output> {
        tokio::select! {
            biased;
            out = f => Some(out),
            _ = std::future::ready(()) => None,
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn hash_and_verify_on_the_pool() {
        let p = cheap();
        rt().block_on(async {
            let h = p.run(|h| h.hash("Correct-Horse-1").unwrap()).await.unwrap();
            assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
            assert!(p.verify(Some(h.clone()), "Correct-Horse-1".into()).await);
            assert!(!p.verify(Some(h), "correct-horse-1".into()).await);
            assert!(!p.verify(None, "anything".into()).await);
            assert!(!p.verify(Some("not a hash".into()), "x".into()).await);
        });
    }

    #[test]
    fn reads_hashes_made_by_the_argon2_crate_and_other_costs() {
        let p = cheap();
        // Made with argon2's own PasswordHasher, at a different cost.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(128, 2, 2, None).unwrap(),
        )
        .hash_password(b"Other-Cost-2", &salt)
        .unwrap()
        .to_string();
        let mine = p.hash_now("Same-Cost-3").unwrap();
        let parsed = PasswordHash::new(&mine).unwrap();
        assert!(Argon2::default()
            .verify_password(b"Same-Cost-3", &parsed)
            .is_ok());
        rt().block_on(async {
            assert!(p.verify(Some(other.clone()), "Other-Cost-2".into()).await);
            assert!(!p.verify(Some(other), "Other-Cost-3".into()).await);
            assert!(p.verify(Some(mine), "Same-Cost-3".into()).await);
        });
    }

    #[test]
    fn many_jobs_share_the_threads() {
        let p = cheap();
        rt().block_on(async {
            let names: Vec<_> = (0..16)
                .map(|_| p.run(|_| std::thread::current().name().map(str::to_string)))
                .collect();
            let mut seen = std::collections::BTreeSet::new();
            for n in names {
                seen.insert(n.await.unwrap().unwrap());
            }
            assert!(
                seen.iter().all(|n| n.starts_with("cognate-hash-")),
                "{seen:?}"
            );
            assert!(seen.len() <= 2, "{seen:?}");
        });
    }

    #[test]
    fn a_job_whose_caller_went_away_is_skipped() {
        let p = Passwords::with_threads(
            Argon2Params {
                memory_kib: 64,
                iterations: 1,
                parallelism: 1,
            },
            1,
        )
        .unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        rt().block_on(async {
            // The one thread is held by a first job while a second is queued
            // and then abandoned (its request dropped).
            let (release, held) = std::sync::mpsc::channel::<()>();
            let blocker = p.run(move |_| held.recv().ok());
            tokio::pin!(blocker);
            assert!(poll_once(&mut blocker).await.is_none());
            let counted = ran.clone();
            let mut abandoned = Box::pin(p.run(move |_| counted.fetch_add(1, SeqCst)));
            assert!(poll_once(&mut abandoned).await.is_none());
            drop(abandoned);
            release.send(()).unwrap();
            blocker.await.unwrap();
            // Jobs run in order: once this one has run, the abandoned one
            // was skipped or counted.
            p.run(|_| ()).await.unwrap();
        });
        assert_eq!(ran.load(SeqCst), 0);
    }

    #[test]
    fn a_panicking_job_leaves_the_pool_serving() {
        let p = cheap();
        rt().block_on(async {
            assert!(p.run(|_| -> u8 { panic!("boom") }).await.is_err());
            assert_eq!(p.run(|_| 7).await.unwrap(), 7);
            assert_eq!(p.run(|_| 8).await.unwrap(), 8);
        });
    }

    #[test]
    fn start_up_hashes_share_one_block_until_started() {
        let p = cheap();
        let one = p.hash_now("Correct-Horse-1").unwrap();
        assert_eq!(p.now(|h| h.blocks.len()), 64);
        assert!(p.verify_now(Some(&one), "Correct-Horse-1"));
        p.started();
        assert!(p.verify_now(Some(&one), "Correct-Horse-1"));
        assert!(!p.verify_now(Some(&one), "Correct-Horse-2"));
        assert_eq!(p.now(|h| h.blocks.len()), 0);
    }

    #[test]
    fn production_parameters_are_owasp() {
        let p = Passwords::new(Argon2Params::default()).unwrap();
        let h = p.hash_now("Correct-Horse-1").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        rt().block_on(async {
            assert!(p.verify(Some(h), "Correct-Horse-1".into()).await);
        });
    }
}
