//! Newsroom CMS: a headless CMS for French-language news sites.
//!
//! `Application::build` turns a [`Config`] into a running HTTP server; the
//! binary (`main.rs`) and the black-box tests both start it this way.

pub mod accounts;
pub mod auth;
pub mod changes;
pub mod cli;
pub mod clock;
pub mod comments;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod editors;
pub mod error;
pub mod ghost;
pub mod health;
pub mod home;
pub mod http;
pub mod indieauth;
pub mod jobs;
pub mod metrics;
pub mod micropub;
pub mod openapi;
pub mod routes;
pub mod shutdown;
pub mod site;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod timestamp;
pub mod work_pool;
pub mod wp_rest;
pub mod xmlrpc;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa_actix_web::AppExt;

pub use config::Config;
use db::Db;
use http::extract::BodyLimit;
use state::AppState;

/// Job worker threads per process: jobs are short database work, and
/// several processes share the queue.
const JOB_WORKERS: usize = 2;

/// A server bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    authenticator: auth::authenticate::Authenticator,
    drain: Arc<shutdown::Drain>,
    listener: shutdown::Listener,
}

/// Start-up failures, each naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("DATABASE_URL: {0}")]
    Database(#[from] db::SetupError),
    #[error("CMS_BIND: cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Seed(String),
    #[error("CMS_JWT_SECRET: {0}")]
    Secret(String),
    #[error("CMS_MEDIA_STORE: {0}")]
    MediaStore(String),
}

impl Application {
    /// Migrates the database, seeds the demo when the database is new and
    /// `CMS_SEED_DEMO` allows it, and binds the listening socket.
    pub fn build(config: Config) -> Result<Self, StartError> {
        Self::build_with_clock(config, Arc::new(clock::SystemClock))
    }

    /// `build` acting on `clock`'s time (tests set it).
    pub fn build_with_clock(
        config: Config,
        clock: Arc<dyn clock::Clock>,
    ) -> Result<Self, StartError> {
        let (db, fresh) = Db::connect_and_migrate(&config)?;
        tracing::info!(
            database = %config.database_url.redacted(),
            fresh,
            "database ready"
        );
        let occupancy = demo::occupancy(&db).map_err(|e| {
            StartError::Seed(format!(
                "could not read the database: {}",
                e.problem().detail
            ))
        })?;
        if config.seed_demo && occupancy.nothing_written_yet {
            let summary = demo::seed(&db).map_err(|e| {
                StartError::Seed(format!("demo seed failed: {}", e.problem().detail))
            })?;
            tracing::info!("{summary}");
        }
        if occupancy.accounts == 0 {
            tracing::warn!(
                "no account yet: create the administrator with \
                 `cms create-admin --email you@example.org --password-stdin` \
                 (the password is read from standard input)"
            );
        }
        // Started now, run by the job workers once the service listens.
        if let Err(e) = content::articles::backfill::schedule_if_needed(&db, clock.now()) {
            tracing::warn!(
                error = %e.problem().detail,
                "renderings backfill not scheduled; answers without one are built"
            );
        }
        if let Err(e) = content::french_order::backfill::schedule_if_needed(&db, clock.now()) {
            tracing::warn!(
                error = %e.problem().detail,
                "collation keys backfill not scheduled; names without one sort first"
            );
        }
        let listener = TcpListener::bind(config.bind).map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(config.bind.port());
        let secret = auth::signing_secret::resolve(&config).map_err(StartError::Secret)?;
        let access_tokens = auth::jwt::AccessTokens::new(
            secret.as_bytes(),
            &config.jwt_issuer,
            &config.jwt_audience,
            config.access_token_ttl,
        );
        let generation = Arc::clone(db.generation());
        let content = content::Content::new(
            db.clone(),
            Arc::clone(&clock),
            config.list_totals_memo,
            content::media::views::MediaUrls::new(config.media_public_url.as_deref()),
        )
        .with_comments_close_after(config.comments.close_after_days)
        .with_embed_hosts(config.embed_hosts.clone());
        let passwords = Arc::new(auth::password_work::PasswordWork::for_this_machine(
            config.password_hashing_threads,
        ));
        let access_tokens = Arc::new(access_tokens);
        let media_threads = work_pool::WorkPool::threads_for_this_machine(config.media_threads);
        let media = content::media::Media {
            db: db.clone(),
            store: storage::MediaStore::from_setting(&config.media_store, &config.media_s3)
                .map_err(StartError::MediaStore)?,
            // Uploads wait their turn rather than being refused: a burst
            // of photos from a press conference is normal.
            work: Arc::new(work_pool::WorkPool::start(
                "media",
                media_threads,
                media_threads * 32,
            )),
            limits: content::media::processing::Limits {
                max_pixels: config.media_max_pixels,
                widths: config.media_widths.clone(),
            },
            urls: content::media::views::MediaUrls::new(config.media_public_url.as_deref()),
            max_bytes: config.media_max_bytes,
        };
        let authenticator = auth::authenticate::Authenticator {
            db: db.clone(),
            access_tokens: Arc::clone(&access_tokens),
            passwords: Arc::clone(&passwords),
            application_passwords: Arc::new(auth::secret::ApplicationPasswordKey::derive(
                secret.as_bytes(),
            )),
            sealing: Arc::new(auth::secret::SealingKey::derive(secret.as_bytes())),
        };
        let cursor_key = Arc::new(http::cursor::CursorKey::derive(secret.as_bytes()));
        let comments = comments::Comments::new(
            db.clone(),
            Arc::clone(&clock),
            config.comments.clone(),
            secret.as_bytes(),
            Arc::clone(&cursor_key),
        );
        if let Err(e) = comments::housekeeping::schedule(&db, clock.now()) {
            tracing::warn!(
                error = %e.problem().detail,
                "comments housekeeping not scheduled; it runs at the next start"
            );
        }
        let state = AppState {
            accounts: accounts::Accounts {
                db: db.clone(),
                auth: authenticator.clone(),
                passwords: Arc::clone(&passwords),
                access_tokens: Arc::clone(&access_tokens),
                refresh_ttl: config.refresh_token_ttl,
            },
            auth: authenticator,
            db: db.clone(),
            content,
            media: media.clone(),
            site: site::use_cases::Site {
                db: db.clone(),
                defaults: Arc::new(config.site.clone()),
                api_url: config.public_url.clone(),
            },
            generation,
            alive: Arc::new(()),
            config: Arc::new(config),
            access_tokens,
            passwords,
            cursor_key,
            comments: comments.clone(),
        };
        let state_authenticator = state.auth.clone();
        jobs::runner::Runner::new(
            db.clone(),
            clock,
            jobs::runner::Handlers::of_the_service(&media, &comments.settings),
        )
        .start(
            JOB_WORKERS,
            Arc::clone(db.jobs_signal()),
            Arc::downgrade(&state.alive),
        );
        if state.config.media_sweep_on_start {
            content::media::use_cases::sweep_in_background(db.clone(), media.store.clone());
        }
        let bind_error = |source| StartError::Bind {
            addr: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            source,
        };
        let shutdown_listener = shutdown::Listener::new(&listener).map_err(bind_error)?;
        let drain = Arc::new(shutdown::Drain::default());
        let server = serve(listener, state, Arc::clone(&drain)).map_err(bind_error)?;
        Ok(Self {
            port,
            server,
            db,
            authenticator: state_authenticator,
            drain,
            listener: shutdown_listener,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where credentials become callers: for the editor protocols' tests
    /// before their transports exist, and for tools built on the library.
    pub fn authenticator(&self) -> &auth::authenticate::Authenticator {
        &self.authenticator
    }

    /// Serves until SIGTERM or SIGINT, then answers what its connections
    /// carry, accepting no new ones, and returns (see [`shutdown`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        shutdown::serve(self.server, self.drain, self.listener).await
    }
}

/// Blocking work is database work: a thread past the worker's share of the
/// pool (plus one, for SQLite's writer) would only wait for a connection,
/// and actix's default (256 per worker) let load grow ~40 threads. Threads
/// waiting in the pool are woken in no order (PostgreSQL's p99 at 16
/// connections was 10–800 ms with a 2–5 ms p50); tasks past the cap wait
/// in the worker's queue instead, in order.
fn blocking_threads_per_worker(db_pool_size: u32, workers: Option<usize>) -> usize {
    let workers = workers.unwrap_or_else(|| {
        // What actix-web starts when the count is not set.
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    (db_pool_size as usize).div_ceil(workers.max(1)) + 1
}

fn serve(
    listener: TcpListener,
    state: AppState,
    drain: Arc<shutdown::Drain>,
) -> std::io::Result<Server> {
    let document = web::Data::new(openapi::DocumentJson(openapi::document_json()));
    let metrics = web::Data::new(metrics::Metrics::default());
    let generation = Arc::clone(&state.generation);
    // The response cache, the totals memo and the category tree let go
    // when the watcher hears of another process's change (a scheduled
    // article going live is one: `content::articles::go_live`); the tree
    // is always kept, so the watcher always runs.
    changes::watcher::watch(
        state.config.database_url.clone(),
        &generation,
        state.db.jobs_signal(),
    );
    let response_cache = web::Data::new(
        http::response_cache::ResponseCache::new(state.config.response_cache_bytes, generation)
            .with_metrics(metrics.clone().into_inner()),
    );
    let known_routes = web::Data::new(http::fallback::KnownRoutes::from_document(
        &openapi::document(),
    ));
    let body_limit = web::Data::new(BodyLimit(state.config.max_body_bytes));
    let workers = state.config.workers;
    let blocking_threads = blocking_threads_per_worker(state.config.db_pool_size, workers);
    let cors_origins = state.config.cors_origins.clone();
    let state = web::Data::new(state);
    let draining = web::Data::from(Arc::clone(&drain));
    let app = move || {
        App::new()
            .wrap(from_fn(http::control_characters::refuse_in_path_and_query))
            .wrap(from_fn(http::fallback::problem_fallback))
            .wrap(from_fn(http::security_headers::security_headers))
            // Also compresses what it does not answer itself.
            .wrap(from_fn(http::response_cache::response_cache))
            .wrap(http::cors::policy(&cors_origins))
            .wrap(from_fn(http::request_log::request_log))
            .wrap(from_fn(shutdown::close_connections_while_draining))
            // Outermost: `/?rest_route=` is a `/wp-json` request for every
            // other layer.
            .wrap(wp_rest::index::RestRoute)
            .app_data(state.clone())
            .app_data(draining.clone())
            .app_data(body_limit.clone())
            .app_data(document.clone())
            .app_data(known_routes.clone())
            .app_data(metrics.clone())
            .app_data(response_cache.clone())
            .into_utoipa_app()
            .configure(routes::documented)
            .into_app()
            .configure(routes::undocumented)
            .default_service(web::to(http::fallback::unknown_route))
    };
    http::server::listen(
        listener,
        app,
        http::server::Options {
            workers,
            max_blocking_threads: blocking_threads,
            // Only a backstop: `shutdown::serve` stops it when its
            // connections are gone or the same time has passed since the
            // signal. SIGTERM and SIGINT are handled there too: actix's own
            // graceful stop drops requests (see the `shutdown` module).
            shutdown_timeout: shutdown::SHUTDOWN_TIMEOUT,
            on_connect: move |extensions: &mut actix_http::Extensions| {
                extensions.insert(drain.track());
            },
        },
    )
}
