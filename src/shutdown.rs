//! Graceful shutdown: on SIGTERM or SIGINT the server stops taking new
//! connections, answers every request on the connections it already has,
//! and exits once they have all closed.
//!
//! actix-web's own handling of SIGTERM lost requests (issue 15: 6 of 1,783
//! requests sent in the last 10 ms got a closed connection and no answer).
//! Its graceful stop closes at once every connection that is not running a
//! handler at that instant, including one whose next request has already
//! arrived (in the socket buffer, or read and not yet started) and an idle
//! keep-alive connection a client is reusing right then; it also drops
//! accepted connections still queued for a worker, and closes the listening
//! socket at once, which resets connections the kernel completed but nobody
//! accepted. Frozen with SIGSTOP while one request waited on each of 64 open
//! connections, then sent SIGTERM, the server answered 5 to 14 of them.
//!
//! So the stop happens in two steps. First the drain: every response says
//! `Connection: close`, so a connection closes cleanly after answering the
//! request it carries or the next one it receives; the kernel stops
//! completing new handshakes while actix keeps accepting those it already
//! completed. When no connection is left (an idle keep-alive connection that
//! sends nothing closes at its keep-alive timeout), actix's graceful stop has
//! nothing to cut short. [`SHUTDOWN_TIMEOUT`] bounds the whole of it, so a
//! stuck request cannot hold the process; a second signal stops at once.

use std::io;
use std::net::TcpListener;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::rt::signal::unix::{Signal, SignalKind, signal};
use actix_web::rt::time::{Instant, sleep, sleep_until};
use actix_web::web;
use futures_util::future::{Either, select};

/// From the first signal to exit, at most; what is still open then is closed.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the drain looks at what is left.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Handshakes the kernel had begun before it stopped answering new ones
/// finish within a round trip; until then a connection can still join the
/// accept queue, and closing the listener would reset it.
const HANDSHAKE_GRACE: Duration = Duration::from_millis(250);

/// Shared by the server's connections and the code that stops it.
#[derive(Debug, Default)]
pub struct Drain {
    draining: AtomicBool,
    connections: AtomicUsize,
}

/// Counts one open connection; actix drops it with the connection.
#[derive(Debug)]
pub struct ConnectionGuard(Arc<Drain>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drain {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Connections the workers are serving.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Counts a connection until the returned guard is dropped.
    pub fn track(self: &Arc<Self>) -> ConnectionGuard {
        self.connections.fetch_add(1, Ordering::Relaxed);
        ConnectionGuard(Arc::clone(self))
    }

    /// Resolves once no connection is open and, when the kernel refuses new
    /// handshakes, none completed before that is left to accept.
    async fn settled(&self, listener: &Listener, refusing: bool) {
        let began = Instant::now();
        let mut empty_before = false;
        loop {
            sleep(POLL_INTERVAL).await;
            // A queue that cannot be read is taken for empty rather than
            // holding the process until the timeout.
            let accepted_all = !refusing
                || (began.elapsed() >= HANDSHAKE_GRACE
                    && !matches!(listener.queued(), Ok(n) if n > 0));
            let empty = accepted_all && self.connections() == 0;
            // A connection actix has just accepted is counted only once its
            // worker takes it up; the second look gives it that time.
            if empty && empty_before {
                return;
            }
            empty_before = empty;
        }
    }
}

/// While draining, every response closes its connection after it, so a
/// keep-alive client sends nothing more on a connection about to close.
/// The outermost middleware, so that it sees every response. (An error from
/// a middleware passes through unmarked: its connection stays open until
/// its keep-alive timeout, as any idle connection does.)
pub async fn close_connections_while_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let drain = req.app_data::<web::Data<Drain>>().cloned();
    let mut response = next.call(req).await?;
    if drain.is_some_and(|drain| drain.is_draining()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// The listening socket, through a descriptor of its own for the drain;
/// dropped before actix stops, so that actix's closing its descriptor closes
/// the socket.
#[derive(Debug)]
pub struct Listener(TcpListener);

impl Listener {
    pub fn new(listener: &TcpListener) -> io::Result<Self> {
        listener.try_clone().map(Self)
    }

    /// Has the kernel ignore new connection attempts (a SYN without ACK)
    /// while the handshakes already under way complete into the accept
    /// queue, where actix accepts them. An ignored client retries its SYN
    /// and, the listener closed by then, is refused: it never believes it is
    /// connected to a server that will not answer it. (Connections accepted
    /// from now on inherit the filter: on those a lone SYN is meaningless.)
    #[cfg(target_os = "linux")]
    fn refuse_new_handshakes(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;

        // A classic BPF socket filter sees a TCP segment from its TCP
        // header: byte 13 holds the flags, SYN 0x02 and ACK 0x10.
        let mut program = [
            bpf(libc::BPF_LD | libc::BPF_B | libc::BPF_ABS, 0, 0, 13),
            bpf(libc::BPF_ALU | libc::BPF_AND | libc::BPF_K, 0, 0, 0x12),
            bpf(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K, 0, 1, 0x02),
            // A SYN alone: drop it.
            bpf(libc::BPF_RET | libc::BPF_K, 0, 0, 0),
            // Anything else: keep all of it.
            bpf(libc::BPF_RET | libc::BPF_K, 0, 0, u32::MAX),
        ];
        let filter = libc::sock_fprog {
            len: program.len() as libc::c_ushort,
            filter: program.as_mut_ptr(),
        };
        // SAFETY: the descriptor is open (owned by self.0) and `filter`
        // points at a program that outlives the call; the kernel copies it.
        let rc = unsafe {
            libc::setsockopt(
                self.0.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                std::ptr::from_ref(&filter).cast(),
                size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn refuse_new_handshakes(&self) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no socket filter on this system",
        ))
    }

    /// Connections the kernel has completed and nobody has accepted yet.
    #[cfg(target_os = "linux")]
    fn queued(&self) -> io::Result<u32> {
        use std::os::fd::AsRawFd;

        // SAFETY: tcp_info is plain integers; zeroes are a valid value.
        let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::tcp_info>() as libc::socklen_t;
        // SAFETY: the descriptor is open; `info` and `len` are valid for
        // writes of the length given.
        let rc = unsafe {
            libc::getsockopt(
                self.0.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                std::ptr::from_mut(&mut info).cast(),
                &mut len,
            )
        };
        if rc == 0 {
            // On a listening socket Linux reports the accept queue's length
            // here (and its limit in tcpi_sacked).
            Ok(info.tcpi_unacked)
        } else {
            Err(io::Error::last_os_error())
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn queued(&self) -> io::Result<u32> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

#[cfg(target_os = "linux")]
fn bpf(code: u32, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// SIGTERM (what orchestrators send) and SIGINT (Ctrl-C), alike.
struct Signals {
    terminate: Signal,
    interrupt: Signal,
}

impl Signals {
    fn new() -> io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        match select(pin!(self.terminate.recv()), pin!(self.interrupt.recv())).await {
            Either::Left(_) => "SIGTERM",
            Either::Right(_) => "SIGINT",
        }
    }
}

/// Runs `server` (started with actix's own signal handling disabled) until
/// SIGTERM or SIGINT, then drains it as the module describes.
pub async fn serve(server: Server, drain: Arc<Drain>, listener: Listener) -> io::Result<()> {
    let mut signals = Signals::new()?;
    let handle = server.handle();
    let stop = async move {
        let name = signals.recv().await;
        let signalled = Instant::now();
        let deadline = signalled + SHUTDOWN_TIMEOUT;
        tracing::info!(
            signal = name,
            connections = drain.connections(),
            "stopping: answering the open connections, accepting no new ones"
        );
        drain.draining.store(true, Ordering::Relaxed);
        let refusing = match listener.refuse_new_handshakes() {
            Ok(()) => true,
            Err(err) => {
                // Not accepting at all instead: a connection completed in
                // the meantime is reset when the listener closes.
                tracing::warn!(error = %err, "cannot refuse new handshakes; pausing accepts");
                handle.pause().await;
                false
            }
        };
        let settled = drain.settled(&listener, refusing);
        let cut_short = async {
            match select(pin!(signals.recv()), pin!(sleep_until(deadline))).await {
                Either::Left((name, _)) => Some(name),
                Either::Right(_) => None,
            }
        };
        let graceful = match select(pin!(settled), pin!(cut_short)).await {
            Either::Left(_) => {
                tracing::info!(
                    elapsed_ms = signalled.elapsed().as_millis(),
                    "every connection closed; stopping"
                );
                true
            }
            Either::Right((Some(name), _)) => {
                tracing::warn!(
                    signal = name,
                    connections = drain.connections(),
                    "second signal: closing the open connections"
                );
                false
            }
            Either::Right((None, _)) => {
                tracing::warn!(
                    connections = drain.connections(),
                    timeout_s = SHUTDOWN_TIMEOUT.as_secs(),
                    "shutdown timeout: closing the open connections"
                );
                false
            }
        };
        // Only actix's descriptor should keep the socket open now: it closes
        // it as it stops.
        drop(listener);
        handle.stop(graceful).await;
    };
    match select(pin!(server), pin!(stop)).await {
        Either::Left((result, _)) => result,
        // The stop has completed; the server returns as soon as polled.
        Either::Right(((), server)) => server.await,
    }
}
