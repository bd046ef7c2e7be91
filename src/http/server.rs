//! The HTTP/1 server: actix-web's `HttpServer`, assembled from the same
//! parts (actix-server's workers, actix-http's HTTP/1 service, the
//! application with its connection config) so that each connection's bytes
//! can pass through [`RawTargets`] first. `HttpServer` takes no stream
//! wrapper; everything else is as it sets it up: keep-alive, request and
//! disconnect timeouts, half-closed connections, the graceful shutdown
//! signal, the peer address.

use std::fmt;
use std::io;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::{Extensions, HttpService, KeepAlive, Protocol, Request, Response};
use actix_server::Server;
use actix_service::{
    IntoServiceFactory, Service, ServiceFactory, ServiceFactoryExt, fn_service, map_config,
};
use actix_web::body::MessageBody;
use actix_web::dev::AppConfig;
use actix_web::rt::net::TcpStream;

use super::raw_targets::RawTargets;

/// What differs from actix-server's defaults.
pub struct Options<C> {
    /// One per core when not set.
    pub workers: Option<usize>,
    pub max_blocking_threads: usize,
    /// Backstop of the graceful stop (the `shutdown` module does the rest).
    pub shutdown_timeout: Duration,
    /// Called with each new connection's extensions.
    pub on_connect: C,
}

/// Serves the application `factory` builds (once per worker) on
/// `listener`. Signals are left to the caller.
pub fn listen<F, I, S, B, C>(
    listener: TcpListener,
    factory: F,
    options: Options<C>,
) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    B: MessageBody + 'static,
    C: Fn(&mut Extensions) + Send + Clone + 'static,
{
    let addr = listener.local_addr()?;
    let mut builder = Server::build()
        .disable_signals()
        .shutdown_timeout(options.shutdown_timeout.as_secs())
        .worker_max_blocking_threads(options.max_blocking_threads);
    if let Some(workers) = options.workers {
        builder = builder.workers(workers);
    }
    let shutdown = builder.graceful_shutdown_signal();
    let on_connect = options.on_connect;
    let builder = builder.listen(format!("cms-http-{addr}"), listener, move || {
        let shutdown = shutdown.clone();
        let on_connect = on_connect.clone();
        let app = factory()
            .into_factory()
            .map_err(|err| err.into().error_response());
        // What `HttpServer` gives the application: the listening address
        // as the host of requests that name none.
        let app = map_config(app, move |()| {
            AppConfig::__priv_test_new(false, addr.to_string(), addr)
        });
        let http = HttpService::build()
            .graceful_shutdown_signal(move || {
                let shutdown = shutdown.clone();
                async move { shutdown.notified().await }
            })
            .keep_alive(KeepAlive::default())
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .h1_allow_half_closed(true)
            .local_addr(addr)
            .on_connect_ext(move |_: &RawTargets<TcpStream>, extensions| on_connect(extensions))
            .finish(app);
        fn_service(|stream: TcpStream| async move {
            let peer = stream.peer_addr().ok();
            Ok((RawTargets::new(stream), Protocol::Http1, peer))
        })
        .and_then(http)
    })?;
    Ok(builder.run())
}
