//! The app under measurement: the release binary of this example as a child process, on the
//! embedded store in a fresh temporary `DATA_DIR`, and what `/proc` says about it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::process::{Child, Command};

/// How long the app may take to answer `GET /healthz` with 200 after it is started.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// Kernel clock ticks per second, the unit of the CPU times in `/proc/<pid>/stat`
/// (`sysconf(_SC_CLK_TCK)`, 100 on every mainstream Linux).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// The running app. Dropping it kills the process (also on panic) and deletes its data.
pub struct App {
    /// `http://127.0.0.1:<port>`, where requests are sent.
    pub base: String,
    /// `http://localhost:<port>`, the app's own origin, sent as `Origin` on form posts.
    pub origin: String,
    pub pid: u32,
    child: Child,
    data_dir: DataDir,
}

impl App {
    /// Starts the binary with a clean environment: embedded store, `HOST=127.0.0.1`, a free
    /// `PORT`, `TRUST_PROXY=true` (so each simulated client can bring its own address in
    /// `X-Forwarded-For`) and `RUST_LOG=warn`. Its output goes to a log file read by
    /// [`App::stop`]. Returns once `GET /healthz` answers 200.
    pub async fn start() -> App {
        let data_dir = DataDir::create();
        let port = free_port();
        let log = std::fs::File::create(data_dir.log_path()).expect("create the app log file");
        let child = Command::new(env!("CARGO_BIN_EXE_password"))
            // No inherited AWS_* or APP_ORIGIN; and no `.env` is found from the data dir.
            .env_clear()
            .current_dir(&data_dir.0)
            .env("DYNAMODB_BACKEND", "embedded")
            .env("DATA_DIR", &data_dir.0)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("TRUST_PROXY", "true")
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("share the app log file"))
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("start the password binary");
        let pid = child.id().expect("a running child has a pid");
        let mut app = App {
            base: format!("http://127.0.0.1:{port}"),
            origin: format!("http://localhost:{port}"),
            pid,
            child,
            data_dir,
        };
        app.wait_until_healthy().await;
        app
    }

    /// Polls `GET /healthz` every 100 ms until it answers 200, for at most [`STARTUP_LIMIT`].
    async fn wait_until_healthy(&mut self) {
        let http = reqwest::Client::new();
        let url = format!("{}/healthz", self.base);
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the app exited during startup ({status}):\n{}", self.log());
            }
            let response = http.get(&url).timeout(Duration::from_secs(2)).send().await;
            if response.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
                return;
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!(
                    "GET /healthz did not answer 200 within {STARTUP_LIMIT:?}:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What `/proc/<pid>` says now; `None` once the process is gone.
    pub fn sample(&self) -> Option<ProcSample> {
        ProcSample::read(self.pid)
    }

    /// Everything the app printed so far (`RUST_LOG=warn`: warnings and errors only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.log_path()).unwrap_or_default()
    }

    /// Kills the app and returns its log; the data dir goes when `self` is dropped.
    pub async fn stop(mut self) -> String {
        let _ = self.child.kill().await;
        self.log()
    }
}

/// One reading of `/proc/<pid>/status` and `/proc/<pid>/stat`.
#[derive(Clone, Copy, Debug)]
pub struct ProcSample {
    /// Resident set size (`VmRSS`): the physical memory the process holds, in KiB.
    pub rss_kib: u64,
    /// OS threads (`Threads`): tokio workers plus the blocking pool that hashes passwords.
    pub threads: u64,
    /// User + system CPU time consumed since the process started.
    pub cpu: Duration,
}

impl ProcSample {
    pub fn read(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            threads: field("Threads:")?,
            cpu: cpu_time(&format!("/proc/{pid}/stat"))?,
        })
    }
}

/// CPU time used by this benchmark process itself (the load generator shares the cores).
pub fn own_cpu_time() -> Duration {
    cpu_time("/proc/self/stat").unwrap_or_default()
}

/// CPU time all processes on the machine have used since boot (every column of the `cpu`
/// line of `/proc/stat` except idle and iowait).
pub fn machine_cpu_time() -> Duration {
    let busy = || -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(|t| t.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal
        Some(ticks.iter().sum::<u64>() - ticks.get(3)? - ticks.get(4)?)
    };
    Duration::from_secs_f64(busy().unwrap_or(0) as f64 / CLOCK_TICKS_PER_SECOND)
}

/// The 1-minute load average: above the core count before a run, something else is busy.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// `utime + stime` from a `/proc/.../stat` file (fields 14 and 15, counted after the
/// parenthesised command name, which may itself contain spaces).
fn cpu_time(stat_path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state), so field n is at index n - 3.
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / CLOCK_TICKS_PER_SECOND,
    ))
}

/// A port nobody listens on right now: bind port 0, note what the OS gave, let it go.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("a bound address").port()
}

/// A fresh directory under the system temp dir, deleted on drop.
struct DataDir(PathBuf);

impl DataDir {
    fn create() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path =
            std::env::temp_dir().join(format!("password-storm-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create the data dir");
        Self(path)
    }

    fn log_path(&self) -> PathBuf {
        self.0.join("app.log")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(Path::new(&self.0));
    }
}
