//! Percentiles, outcome counts and number formatting.

use crate::browser::Outcome;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies, sorted once all are in.
#[derive(Clone, Debug, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The nearest-rank percentile `p` (0–100): the smallest latency that at least `p`% of
    /// the requests did not exceed. Zero when there are none.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    pub fn median(&self) -> Duration {
        self.percentile(50.0)
    }

    pub fn min(&self) -> Duration {
        self.0.iter().copied().min().unwrap_or_default()
    }

    pub fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }
}

/// How many requests ended how: by status code, plus "error" for no answer at all.
#[derive(Clone, Debug, Default)]
pub struct Tally(BTreeMap<String, usize>);

impl Tally {
    pub fn count(&mut self, outcome: &Outcome) {
        let key = match outcome {
            Ok(status) => status.as_u16().to_string(),
            Err(e) if e.is_timeout() => "timeout".to_owned(),
            Err(_) => "error".to_owned(),
        };
        *self.0.entry(key).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Tally) {
        for (key, n) in &other.0 {
            *self.0.entry(key.clone()).or_default() += n;
        }
    }

    /// The count for one status code.
    pub fn get(&self, status: u16) -> usize {
        self.0.get(&status.to_string()).copied().unwrap_or(0)
    }

    /// Every outcome except `expected`, as `429×12, 503×3`, or `none`.
    pub fn others(&self, expected: u16) -> String {
        let expected = expected.to_string();
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(key, _)| **key != expected)
            .map(|(key, n)| format!("{key}×{n}"))
            .collect();
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// A latency with a precision that suits its size: `0.84 ms`, `27.3 ms`, `2.41 s`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// KiB (as `/proc` counts) in MiB.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

pub fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}
