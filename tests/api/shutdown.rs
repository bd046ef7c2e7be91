//! SIGTERM under load: the binary stops accepting, answers every request on
//! every connection it accepted, and exits 0.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestDatabase};
use crate::on_both_databases;
use crate::startup::{cms, wait_until_ready};

/// Enough connections that, at any instant, some are idle between requests,
/// some are mid-request and some are being opened.
const CLIENTS: usize = 64;
/// Load before the signal, so every client is in its steady loop.
const WARM_UP: Duration = Duration::from_secs(1);
/// Requests sent this long before the signal, or after it, were sent
/// "around" it: in flight, waiting in a socket, or on a connection about to
/// be closed.
const AROUND_THE_SIGNAL: Duration = Duration::from_millis(500);
/// Bounds the whole exercise; the server is told to stop long before.
const DEADLINE: Duration = Duration::from_secs(30);

#[derive(Debug)]
enum Outcome {
    /// A complete response, whatever its status.
    Answered,
    /// The connection was never established: the server had stopped
    /// accepting, which is allowed.
    NotAccepted,
    /// Connected, request sent, then the connection closed or reset (or
    /// went silent) without a complete response: the failure.
    Dropped(String),
}

struct Attempt {
    sent: Instant,
    outcome: Outcome,
}

async fn one_request(client: &reqwest::Client, url: &str) -> Outcome {
    let response = match client.get(url).send().await {
        Ok(response) => response,
        Err(err) if err.is_connect() => return Outcome::NotAccepted,
        Err(err) => return Outcome::Dropped(format!("{err:?}")),
    };
    // Headers without the whole body are not an answer.
    match response.bytes().await {
        Ok(_) => Outcome::Answered,
        Err(err) => Outcome::Dropped(format!("body: {err:?}")),
    }
}

/// One keep-alive client looping over two endpoints until the server stops
/// accepting it, the server has exited, or the deadline.
async fn client_loop(base: String, exited: Arc<AtomicBool>, until: Instant) -> Vec<Attempt> {
    cms::telemetry::init_for_tests();
    let client = reqwest::Client::builder()
        // A SYN the server ignores is retried by the kernel; connection
        // refused is the expected end, not a hang.
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        // Plain HTTP: no system certificates to load (the build's rustls
        // would read them for each of the 64 clients, while the load
        // should be starting).
        .tls_certs_only([])
        .build()
        .expect("http client");
    let paths = ["/api/v1/articles", "/health/ready"];
    let mut attempts = Vec::new();
    for i in 0.. {
        if exited.load(Ordering::Relaxed) || Instant::now() >= until {
            break;
        }
        let url = format!("{base}{}", paths[i % paths.len()]);
        let sent = Instant::now();
        let outcome = one_request(&client, &url).await;
        let refused = matches!(outcome, Outcome::NotAccepted);
        attempts.push(Attempt { sent, outcome });
        if refused {
            break;
        }
    }
    attempts
}

/// `cms serve` on a free port, its log in a file; ready to serve.
struct Served {
    child: std::process::Child,
    base: String,
    log_path: std::path::PathBuf,
    // Held so the log outlives the process.
    _log_dir: tempfile::TempDir,
}

impl Served {
    async fn start(database_url: &str) -> Self {
        let port = crate::helpers::free_port();
        let bind = format!("127.0.0.1:{port}");
        let base = format!("http://{bind}");
        let log_dir = tempfile::tempdir().unwrap();
        let log_path = log_dir.path().join("cms.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = cms(
            &[
                ("DATABASE_URL", database_url),
                ("CMS_BIND", &bind),
                ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
                ("CMS_SEED_DEMO", "true"),
                ("RUST_LOG", "info"),
            ],
            &[],
        )
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
        assert!(
            wait_until_ready(&base).await,
            "the binary never became ready"
        );
        Self {
            child,
            base,
            log_path,
            _log_dir: log_dir,
        }
    }

    fn sigterm(&self) {
        // SAFETY: kill(2) has no memory-safety preconditions; the pid is our
        // own child's, not yet reaped.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Its exit status, or `None` (and killed) if it is still running at
    /// `until`.
    async fn exit_status(&mut self, until: Instant) -> Option<std::process::ExitStatus> {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= until {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What the server logged above INFO.
    fn warnings(&self) -> String {
        std::fs::read_to_string(&self.log_path)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.contains(" INFO "))
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A test that fails early leaves no server behind.
impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Keep-alive clients loop over two endpoints; SIGTERM comes in the middle.
/// Each request is answered, or its connection was never accepted.
async fn sigterm_answers_every_accepted_request(backend: Backend) {
    // Empty, so that the server seeds the demo and the load reads articles.
    let database = TestDatabase::create_empty(backend);
    let mut served = Served::start(&database.url()).await;
    let base = served.base.clone();

    let start = Instant::now();
    let until = start + DEADLINE;
    let exited = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(client_loop(base.clone(), Arc::clone(&exited), until)))
        .collect();

    tokio::time::sleep(WARM_UP).await;
    let signalled = Instant::now();
    served.sigterm();
    let status = served.exit_status(until).await;
    let exit_after = signalled.elapsed();
    exited.store(true, Ordering::Relaxed);

    let mut attempts = Vec::new();
    for client in clients {
        attempts.extend(client.await.unwrap());
    }
    let answered = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Answered))
        .count();
    let answered_around_signal = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Answered))
        .filter(|a| a.sent + AROUND_THE_SIGNAL >= signalled)
        .count();
    let answered_after_signal = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Answered) && a.sent >= signalled)
        .count();
    let not_accepted = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::NotAccepted))
        .count();
    let dropped: Vec<String> = attempts
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Dropped(err) => Some(format!(
                "{:+} ms after the signal: {err}",
                a.sent.duration_since(start).as_millis() as i64
                    - signalled.duration_since(start).as_millis() as i64
            )),
            _ => None,
        })
        .collect();
    let summary = format!(
        "{answered} answered ({answered_around_signal} around the signal, \
         {answered_after_signal} sent after it), {not_accepted} not accepted, \
         {} dropped; exit {status:?} {exit_after:?} after the signal",
        dropped.len()
    );
    eprintln!("{backend:?}: {summary}");
    assert!(
        dropped.is_empty(),
        "{summary}\nrequests accepted but never answered:\n{}\nserver log:\n{}",
        dropped.join("\n"),
        served.warnings()
    );
    assert!(
        answered_around_signal >= 200,
        "too little load around the signal to prove anything: {summary}"
    );
    let status = status.unwrap_or_else(|| panic!("still running {DEADLINE:?} after SIGTERM"));
    assert!(
        status.success(),
        "{summary}\nserver log:\n{}",
        served.warnings()
    );
}

on_both_databases!(sigterm_answers_every_accepted_request);

/// One response's head (lower-cased), its body read to its length.
async fn read_response(stream: &mut TcpStream) -> Result<String, String> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) => return Err(format!("closed after {} bytes", buf.len())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(err) => return Err(err.to_string()),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no content-length: {head}"))?;
    let mut body = buf.len() - head_end;
    while body < length {
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) => return Err("closed in the body".to_owned()),
            Ok(n) => body += n,
            Err(err) => return Err(err.to_string()),
        }
    }
    Ok(head)
}

/// The drain in slow motion: a keep-alive connection idle when the signal
/// comes is still answered when it sends its next request, and told to
/// close; a new connection meanwhile is not accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_an_idle_keep_alive_connection_and_accepts_no_new_one() {
    let database = TestDatabase::create(Backend::Sqlite);
    let mut served = Served::start(&database.url()).await;
    let address = served.base.trim_start_matches("http://").to_owned();
    let request = format!("GET /health/live HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let mut idle = TcpStream::connect(&address).await.unwrap();
    idle.write_all(request.as_bytes()).await.unwrap();
    let first = read_response(&mut idle).await.unwrap();
    assert!(first.starts_with("http/1.1 200"), "{first}");
    assert!(!first.contains("connection: close"), "{first}");

    served.sigterm();
    // Well into the drain, still within actix's keep-alive timeout (5 s).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let newcomer =
        tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(&address)).await;
    assert!(
        !matches!(newcomer, Ok(Ok(_))),
        "a new connection was accepted after SIGTERM"
    );

    idle.write_all(request.as_bytes()).await.unwrap();
    let second = read_response(&mut idle).await;
    let mut rest = Vec::new();
    let after = idle.read_to_end(&mut rest).await;
    let status = served
        .exit_status(Instant::now() + Duration::from_secs(15))
        .await;
    let second = second.unwrap_or_else(|err| {
        panic!(
            "the idle connection's request got no answer: {err}\n{}",
            served.warnings()
        )
    });
    assert!(second.starts_with("http/1.1 200"), "{second}");
    assert!(second.contains("connection: close"), "{second}");
    assert!(
        after.is_ok() && rest.is_empty(),
        "then a clean close: {after:?}, {} more bytes",
        rest.len()
    );
    let status = status.expect("still running 15 s after SIGTERM");
    assert!(status.success(), "{status:?}\n{}", served.warnings());
}
