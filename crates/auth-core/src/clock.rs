//! What time it is, injectable so tests can move time instead of sleeping.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// The source of "now" for every expiry decision in this crate.
#[derive(Clone)]
pub struct Clock(Inner);

#[derive(Clone)]
enum Inner {
    System,
    Manual(Arc<Mutex<OffsetDateTime>>),
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Self(Inner::System)
    }

    /// A clock that stands still at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self(Inner::Manual(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.0 {
            Inner::System => OffsetDateTime::now_utc(),
            Inner::Manual(now) => *now.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved and ignores this.
    pub fn advance(&self, by: Duration) {
        if let Inner::Manual(now) = &self.0 {
            *now.lock().unwrap_or_else(|e| e.into_inner()) += by;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Inner::System => f.write_str("Clock::System"),
            Inner::Manual(_) => write!(f, "Clock::Manual({})", self.now()),
        }
    }
}
