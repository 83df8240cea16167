//! argon2id as a bounded resource: a fixed pool of hashing threads, each with its own
//! reusable memory, behind a bounded queue that sheds load when it is full.
//!
//! One argon2id hash with OWASP's parameters takes 19 MiB and ~25 ms of a core. Run on an
//! unbounded thread pool, a burst of sign-ins takes as many threads and as much memory as it
//! has requests, and the allocator keeps the memory afterwards. Here:
//! - [`Hasher::new`] starts `workers` threads (by default one per core). Each allocates its
//!   19 MiB once and hashes into it forever after (`hash_password_into_with_memory`), so
//!   memory is `workers × 19 MiB` under any load. The threads run at a lower priority, so a
//!   storm of sign-ins slows other sign-ins, not every page.
//! - [`Hasher::reserve`] takes a place among `workers + queue` before the caller does any
//!   other work (reads, writes). With none left it fails at once with [`Error::Busy`]: the app
//!   answers 503 with `Retry-After` and has written nothing.
//! - A [`Slot`] then hashes or verifies, waiting for a free thread if all are busy.

use crate::password::{Password, PasswordHash};
use crate::{Error, Result};
use argon2::password_hash::{Output, ParamsString, Salt, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// argon2id with OWASP's parameters: 19 MiB of memory, 2 passes, 1 lane.
fn params() -> Params {
    Params::new(19_456, 2, 1, None).expect("OWASP parameters are valid")
}

/// How long a refused caller is told to wait: about the time the queue takes to drain.
const RETRY_AFTER: Duration = Duration::SECOND;
/// Queue places per hashing thread: a full queue waits about this many hashes (~25 ms each).
pub const QUEUE_PER_WORKER: usize = 8;

/// A handle on the hashing pool; clones share it.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    places: Arc<Semaphore>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("free_places", &self.places.available_permits())
            .finish()
    }
}

/// A place in the hashing queue, held from before the first DynamoDB call to the last hash.
pub struct Slot {
    hasher: Hasher,
    _place: OwnedSemaphorePermit,
}

enum Work {
    Hash(Password),
    Verify(Option<PasswordHash>, Password),
}

struct Job {
    work: Work,
    answer: oneshot::Sender<Result<Answer>>,
}

enum Answer {
    Hashed(PasswordHash),
    Verified(bool),
}

impl Hasher {
    /// Starts `workers` hashing threads (at least one) with `QUEUE_PER_WORKER` places each
    /// to wait in.
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue))
                .expect("a hashing thread starts");
        }
        Self {
            jobs,
            places: Arc::new(Semaphore::new(workers * (1 + QUEUE_PER_WORKER))),
        }
    }

    /// One thread per available core, the default for `MAX_CONCURRENT_HASHES`.
    pub fn default_workers() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    /// A place in the queue, or [`Error::Busy`] at once when there is none.
    pub fn reserve(&self) -> Result<Slot> {
        match self.places.clone().try_acquire_owned() {
            Ok(place) => Ok(Slot {
                hasher: self.clone(),
                _place: place,
            }),
            Err(_) => Err(Error::Busy {
                retry_after: RETRY_AFTER,
            }),
        }
    }
}

impl Slot {
    /// A new argon2id hash of the password, with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash> {
        match self.run(Work::Hash(password.clone())).await? {
            Answer::Hashed(hash) => Ok(hash),
            Answer::Verified(_) => unreachable!("a hash job answers with a hash"),
        }
    }

    /// True when `password` matches `hash`. With no hash (an unknown user, or an account
    /// without a password) a dummy hash is checked, so the time taken does not tell which.
    pub async fn verify(&self, hash: Option<&PasswordHash>, password: &Password) -> Result<bool> {
        match self
            .run(Work::Verify(hash.cloned(), password.clone()))
            .await?
        {
            Answer::Verified(matches) => Ok(matches),
            Answer::Hashed(_) => unreachable!("a verify job answers with a verdict"),
        }
    }

    async fn run(&self, work: Work) -> Result<Answer> {
        let (answer, answered) = oneshot::channel();
        self.hasher
            .jobs
            .send(Job { work, answer })
            .map_err(|_| Error::unavailable("the hashing threads stopped"))?;
        answered
            .await
            .map_err(|_| Error::unavailable("a hashing thread stopped"))?
    }
}

/// A hashing thread: its memory, allocated once, then one job after another.
fn work(queue: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    let mut memory = vec![Block::default(); params().block_count()];
    // Made now, so no request waits for it: a check without a real hash takes one hash's time.
    dummy_hash(&mut memory);
    loop {
        let job = match queue.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let answer = match job.work {
            Work::Hash(password) => hash(&password, &mut memory).map(Answer::Hashed),
            Work::Verify(hash, password) => {
                verify(hash.as_ref(), &password, &mut memory).map(Answer::Verified)
            }
        };
        let _ = job.answer.send(answer);
    }
}

/// Linux: a nice value of 10 for this thread (Linux keeps it per thread), so request handling
/// runs first when both want the CPU. Elsewhere the thread keeps the normal priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory effects; who = 0 names the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

fn hash(password: &Password, memory: &mut [Block]) -> Result<PasswordHash> {
    let salt = SaltString::generate(&mut OsRng);
    let params = params();
    let output = compute(password, salt.as_salt(), &params, memory)?;
    let phc = argon2::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(PasswordHash::from_phc(phc.to_string()))
}

fn verify(hash: Option<&PasswordHash>, password: &Password, memory: &mut [Block]) -> Result<bool> {
    let stored = hash.unwrap_or_else(|| dummy_hash(memory));
    let phc = argon2::PasswordHash::new(stored.as_str())
        .map_err(|e| Error::corrupt(format!("stored password hash: {e}")))?;
    let params = Params::try_from(&phc).map_err(|e| Error::corrupt(e.to_string()))?;
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return Err(Error::corrupt("stored password hash has no salt or output"));
    };
    if phc.algorithm != Algorithm::Argon2id.ident() {
        return Err(Error::corrupt("stored password hash is not argon2id"));
    }
    let actual = if params.block_count() <= memory.len() {
        compute(password, salt, &params, memory)?
    } else {
        // A hash made with more memory than today's parameters: a one-off allocation.
        let mut larger = vec![Block::default(); params.block_count()];
        compute(password, salt, &params, &mut larger)?
    };
    // `Output`'s equality is constant-time.
    Ok(hash.is_some() && actual == expected)
}

/// argon2id of `password` into `memory`, with the salt's bytes as `hash_password` uses them.
fn compute(
    password: &Password,
    salt: Salt<'_>,
    params: &Params,
    memory: &mut [Block],
) -> Result<Output> {
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(internal)?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(len, |out| {
        argon2
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt,
                out,
                &mut memory[..params.block_count()],
            )
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(internal)
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::unavailable(format!("argon2: {e}"))
}

/// A hash of a random password, made once (by the first hashing thread to start), for checks
/// that have no real hash to compare.
fn dummy_hash(memory: &mut [Block]) -> &'static PasswordHash {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let password = Password::parse(&crate::random::random_secret()).expect("a long password");
        hash(&password, memory).expect("hashing a random password works")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    fn password(p: &str) -> Password {
        Password::parse(p).unwrap()
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let slot = Hasher::new(1).reserve().unwrap();
        let hash = slot.hash(&password("correct horse battery")).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            slot.verify(Some(&hash), &password("correct horse battery"))
                .await
                .unwrap()
        );
        assert!(
            !slot
                .verify(Some(&hash), &password("correct horse battery!"))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify_and_the_other_way_round() {
        use argon2::password_hash::PasswordHasher;
        let p = password("correct horse battery");
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(p.expose().as_bytes(), &salt)
            .unwrap()
            .to_string();
        let slot = Hasher::new(1).reserve().unwrap();
        let theirs = PasswordHash::from_phc(theirs);
        assert!(slot.verify(Some(&theirs), &p).await.unwrap());
        let ours = slot.hash(&p).await.unwrap();
        let parsed = argon2::PasswordHash::new(ours.as_str()).unwrap();
        assert!(
            Argon2::default()
                .verify_password(p.expose().as_bytes(), &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn no_hash_never_verifies() {
        let slot = Hasher::new(1).reserve().unwrap();
        assert!(
            !slot
                .verify(None, &password("correct horse battery"))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_places_when_slots_are_dropped() {
        let hasher = Hasher::new(1);
        let held: Vec<Slot> = (0..1 + QUEUE_PER_WORKER)
            .map(|_| hasher.reserve().unwrap())
            .collect();
        assert!(matches!(hasher.reserve(), Err(Error::Busy { .. })));
        drop(held);
        assert!(hasher.reserve().is_ok());
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_is_our_fault_not_a_wrong_password() {
        let slot = Hasher::new(1).reserve().unwrap();
        let bad = PasswordHash::from_phc("not a hash".into());
        let result = slot
            .verify(Some(&bad), &password("correct horse battery"))
            .await;
        assert!(matches!(result, Err(Error::Corrupt(_))), "{result:?}");
    }
}
