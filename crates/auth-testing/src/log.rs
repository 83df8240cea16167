//! The log lines one test causes, captured as text.
//!
//! `capture()` makes a recording subscriber the default of the current thread, for as long as
//! the guard lives. A `#[tokio::test]` runs on one thread (a current-thread runtime), and so
//! does the app `spawn_app` starts in it, so the app's log lines for this test's requests are
//! recorded here and other tests' are not.
//!
//! The subscriber is written against `tracing` alone. It records what `auth_web::telemetry`
//! prints by default (INFO and above),
//! each event with the fields of the spans it happened in, as the fmt subscriber shows them:
//! `INFO target: request{method=GET path=/x}: message field=value`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::dispatcher::DefaultGuard;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One recorded event.
#[derive(Clone, Debug)]
pub struct Line {
    pub level: Level,
    pub target: String,
    /// The spans it happened in and its own fields, as text.
    pub text: String,
}

/// What was logged so far, shared with the subscriber.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Line>>>);

impl Log {
    pub fn lines(&self) -> Vec<Line> {
        self.0.lock().unwrap().clone()
    }

    /// Every line, one per row, for assertions and failure messages.
    pub fn text(&self) -> String {
        self.lines()
            .iter()
            .map(|l| format!("{} {}: {}\n", l.level, l.target, l.text))
            .collect()
    }
}

/// Records this thread's INFO-and-above log lines until the guard is dropped.
pub fn capture() -> (Log, DefaultGuard) {
    let log = Log::default();
    let subscriber = Recorder {
        log: log.clone(),
        spans: Mutex::default(),
        entered: Mutex::default(),
        next_id: AtomicU64::new(1),
    };
    let guard = tracing::subscriber::set_default(subscriber);
    (log, guard)
}

struct Recorder {
    log: Log,
    /// Each span's name and fields, as text (`request{method=GET path=/}`).
    spans: Mutex<HashMap<u64, String>>,
    /// The spans entered now, outermost first (one thread, so one stack).
    entered: Mutex<Vec<u64>>,
    next_id: AtomicU64,
}

/// Appends `name=value` for every field; the message alone goes in without its name.
struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        // Strings as they are, not quoted and escaped as `Debug` would.
        self.record_debug(field, &format_args!("{value}"));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::INFO
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::INFO)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = String::new();
        span.record(&mut Fields(&mut fields));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let text = format!("{}{{{fields}}}", span.metadata().name());
        self.spans.lock().unwrap().insert(id, text);
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        if let Some(text) = spans.get_mut(&span.into_u64()) {
            let mut more = String::new();
            values.record(&mut Fields(&mut more));
            text.pop();
            let _ = write!(text, " {more}}}");
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = {
            let spans = self.spans.lock().unwrap();
            self.entered
                .lock()
                .unwrap()
                .iter()
                .filter_map(|id| spans.get(id))
                .map(|span| format!("{span}: "))
                .collect::<String>()
        };
        let mut fields = String::new();
        event.record(&mut Fields(&mut fields));
        text.push_str(&fields);
        self.log.0.lock().unwrap().push(Line {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            text,
        });
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|id| *id == span.into_u64()) {
            entered.remove(at);
        }
    }
}
