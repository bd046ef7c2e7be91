//! The test harness: `TestApp::spawn(backend)` starts the real application on
//! a random port against a database of its own (a temp SQLite file, or a new
//! PostgreSQL database dropped afterwards) and returns an HTTP client.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;

use cms::Config;
use cms::db::{Db, DbConnection};
use diesel::{Connection, RunQueryDsl, pg::PgConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` once per database, as
/// `name::sqlite` and `name::postgres`. Without `TEST_DATABASE_URL` the
/// PostgreSQL variant passes without running (and fails under `CI=true`).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_admin_url().is_some() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        }
    )*};
}

pub const TEST_JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

/// The PostgreSQL server tests create their databases on, from
/// `TEST_DATABASE_URL`. Under `CI=true` its absence is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(without_tls_negotiation(url)),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI"
            );
            None
        }
    }
}

/// Tests reach a local server over loopback, so libpq is told not to try
/// TLS or GSSAPI encryption first. Each app's content watcher keeps
/// reconnecting to its test's dropped database until the process exits,
/// and a connection attempt negotiating TLS while OpenSSL's exit handlers
/// ran crashed the test binary (SIGSEGV after every test had passed).
fn without_tls_negotiation(url: String) -> String {
    if url.contains("sslmode=") {
        return url;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable&gssencmode=disable")
}

/// A PostgreSQL database that exists for one test.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// A database with every migration applied: a copy of the migrated
    /// template, which spares each test running the migrations itself. The
    /// application finds it not `fresh`, so it never seeds the demo there.
    pub fn create() -> Self {
        let admin_url = postgres_admin_url().expect("TEST_DATABASE_URL");
        let template = migrated_template(&admin_url);
        Self::create_from(admin_url, &format!("TEMPLATE {template}"))
    }

    /// An empty database, for a test of what the application does with a
    /// new one: migrating it, reporting it `fresh`, seeding the demo.
    pub fn create_empty() -> Self {
        let admin_url = postgres_admin_url().expect("TEST_DATABASE_URL");
        Self::create_from(admin_url, "")
    }

    fn create_from(admin_url: String, options: &str) -> Self {
        let name = format!("cms_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {name} {options}"))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_database(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }

    /// Drops the database, closing the application's connections to it.
    pub fn drop_database(&self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }

    /// Closes every connection to the database from the server side, as a
    /// server restart or a failover would; returns how many it closed.
    pub fn terminate_connections(&self) -> usize {
        #[derive(diesel::QueryableByName)]
        struct Terminated {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            #[allow(dead_code)]
            done: bool,
        }
        let mut admin =
            PgConnection::establish(&self.admin_url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            self.name
        ))
        .load::<Terminated>(&mut admin)
        .expect("terminate connections")
        .len()
    }

    /// Creates the (empty) database again under the same name.
    pub fn recreate_database(&self) {
        let mut admin =
            PgConnection::establish(&self.admin_url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE {}", self.name))
            .execute(&mut admin)
            .expect("recreate test database");
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.drop_database();
    }
}

/// Serialises the building of templates across test processes (several
/// test binaries, or runs from several work trees, on one server).
const TEMPLATE_LOCK: i64 = 0x636d_735f_7465_6d70; // "cms_temp"

/// The template database with every PostgreSQL migration applied, named
/// after the migrations, so that a new or changed one makes a new template.
/// Built once per test process, and only by the first of the processes
/// running the same migrations; the others find it built. Templates of
/// other migration sets are left alone: another work tree's run may be
/// copying them.
fn migrated_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| build_template(admin_url))
}

fn build_template(admin_url: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let name = format!("cms_template_{}", migrations_fingerprint());
    let mut admin = PgConnection::establish(admin_url).expect("connect to TEST_DATABASE_URL");
    // Held until unlocked or until this connection closes (a panic too).
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .expect("take the template lock");
    let built =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result::<Found>(&mut admin)
            .expect("look for the template")
            .found;
    if !built {
        // Migrated under another name and renamed when complete, so that a
        // half-migrated template is never copied; a leftover of a run that
        // died while building is dropped first.
        let building = format!("{name}_building");
        for statement in [
            format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
            format!("CREATE DATABASE {building}"),
        ] {
            diesel::sql_query(statement)
                .execute(&mut admin)
                .expect("create the template");
        }
        {
            let conn = PgConnection::establish(&with_database(admin_url, &building))
                .expect("connect to the template");
            let fresh =
                cms::db::migrate(&mut DbConnection::Postgres(conn)).expect("migrate the template");
            assert!(fresh, "{building} was created empty");
            // The connection closes here: a database with a session on it
            // can be neither renamed nor copied.
        }
        // No connection to a template ever again, so none can hold up a copy.
        for statement in [
            format!("ALTER DATABASE {building} RENAME TO {name}"),
            format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
        ] {
            diesel::sql_query(statement)
                .execute(&mut admin)
                .expect("publish the template");
        }
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .expect("release the template lock");
    name
}

/// A digest of `migrations/postgres` as it is on disk (every file's path and
/// contents), the migrations this build embeds.
fn migrations_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the migrations directory") {
            let path = entry.expect("a migrations directory entry").path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let mut hasher = Sha256::new();
    for path in paths {
        let relative = path.strip_prefix(&root).expect("under the root");
        let contents = std::fs::read(&path).expect("read a migration");
        // Each part preceded by its length: no two sets of files hash alike
        // by running together.
        for part in [relative.as_os_str().as_encoded_bytes(), contents.as_slice()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    hex::encode(&hasher.finalize()[..8])
}

/// Replaces the database name (the path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Where a test's data lives; dropping it removes the database.
pub enum TestDatabase {
    Sqlite {
        // Held so the directory lives as long as the test.
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres(PgDatabase),
    /// Another instance's database, owned (and dropped) by that instance.
    Shared {
        url: String,
    },
}

impl TestDatabase {
    /// A new SQLite file (left to the application to create and migrate),
    /// or a PostgreSQL database with every migration applied.
    pub fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::Postgres(PgDatabase::create()),
        }
    }

    /// A database no migration has touched on either backend, for a test of
    /// what the application does with a new one (reports it `fresh`, seeds
    /// the demo).
    pub fn create_empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::Postgres(PgDatabase::create_empty()),
        }
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data").join("cms.sqlite3");
        Self::Sqlite { _dir: dir, path }
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Self::Postgres(db) => db.url.clone(),
            Self::Shared { url } => url.clone(),
        }
    }
}

pub fn test_config(database_url: &str, overrides: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("CMS_BIND", "127.0.0.1:0"),
        ("CMS_SEED_DEMO", "false"),
        ("CMS_JWT_SECRET", TEST_JWT_SECRET),
        ("CMS_WORKERS", "2"),
        ("CMS_DB_POOL_SIZE", "4"),
        // A test that wants the start-up sweep asks for it.
        ("CMS_MEDIA_SWEEP_ON_START", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("DATABASE_URL".to_owned(), database_url.to_owned());
    // A media store of each application's own, left in the temporary
    // directory (empty unless the test uploads).
    let media = tempfile::Builder::new()
        .prefix("cms-test-media-")
        .tempdir()
        .expect("temporary media directory")
        .keep();
    vars.insert(
        "CMS_MEDIA_STORE".to_owned(),
        media.to_string_lossy().into_owned(),
    );
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test configuration")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: Backend,
    pub database: TestDatabase,
    /// The media store, as the test sees it.
    pub media: crate::media_store::TestMediaStore,
    /// The application's authenticator, to check credentials that no
    /// HTTP surface takes yet.
    pub auth: cms::auth::authenticate::Authenticator,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// A PostgreSQL app with extra configuration variables, for a test of
    /// PostgreSQL alone; `None` when `TEST_DATABASE_URL` is not set.
    pub async fn spawn_postgres_with(overrides: &[(&str, &str)]) -> Option<Self> {
        postgres_admin_url()?;
        Some(Self::spawn_with(Backend::Postgres, overrides).await)
    }

    /// Starts the app with extra configuration variables.
    pub async fn spawn_with(backend: Backend, overrides: &[(&str, &str)]) -> Self {
        cms::telemetry::init_for_tests();
        // The demo is seeded into a new database only: a test that sets
        // CMS_SEED_DEMO gets one as new as the application would see.
        let database = if overrides.iter().any(|(name, _)| *name == "CMS_SEED_DEMO") {
            TestDatabase::create_empty(backend)
        } else {
            TestDatabase::create(backend)
        };
        let config = test_config(&database.url(), overrides);
        Self::start(database, backend, config, Arc::new(cms::clock::SystemClock)).await
    }

    /// Starts the app on a media store of `kind` (S3: a prefix of its own
    /// on the test server; see `media_store`).
    pub async fn spawn_on_store(
        backend: Backend,
        kind: crate::media_store::StoreKind,
        overrides: &[(&str, &str)],
    ) -> Self {
        let mut vars: Vec<(String, String)> = match kind {
            crate::media_store::StoreKind::Local => Vec::new(),
            crate::media_store::StoreKind::S3 => {
                let endpoint = crate::media_store::s3_endpoint().expect("TEST_S3_ENDPOINT");
                crate::media_store::s3_overrides(&endpoint).await
            }
        };
        vars.extend(
            overrides
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Self::spawn_with(backend, &vars).await
    }

    /// A second application process on the same database, as when several
    /// stateless app nodes share one PostgreSQL.
    pub async fn spawn_sibling(&self, overrides: &[(&str, &str)]) -> Self {
        let sibling = Self::spawn_on(&self.database.url(), self.backend, overrides).await;
        Self {
            client: self.client.clone(),
            ..sibling
        }
    }

    /// The application on a database that something else owns (another
    /// app, a server the test started).
    pub async fn spawn_on(url: &str, backend: Backend, overrides: &[(&str, &str)]) -> Self {
        cms::telemetry::init_for_tests();
        let database = TestDatabase::Shared {
            url: url.to_owned(),
        };
        let config = test_config(&database.url(), overrides);
        Self::start(database, backend, config, Arc::new(cms::clock::SystemClock)).await
    }

    /// The application on a database of its own, acting on `clock`'s time
    /// (a test sets it instead of sleeping).
    pub async fn spawn_with_clock(backend: Backend, clock: Arc<dyn cms::clock::Clock>) -> Self {
        Self::spawn_with_clock_and(backend, clock, &[]).await
    }

    /// `spawn_with_clock` with extra configuration variables.
    pub async fn spawn_with_clock_and(
        backend: Backend,
        clock: Arc<dyn cms::clock::Clock>,
        overrides: &[(&str, &str)],
    ) -> Self {
        cms::telemetry::init_for_tests();
        let database = TestDatabase::create(backend);
        let config = test_config(&database.url(), overrides);
        Self::start(database, backend, config, clock).await
    }

    /// Builds the application on `database` and serves it in the background.
    async fn start(
        database: TestDatabase,
        backend: Backend,
        config: Config,
        clock: Arc<dyn cms::clock::Clock>,
    ) -> Self {
        let media = crate::media_store::TestMediaStore::of(&config);
        let app =
            tokio::task::spawn_blocking(move || cms::Application::build_with_clock(config, clock))
                .await
                .expect("join")
                .expect("the application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        let auth = app.authenticator().clone();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Plain HTTP: no system certificates to load for each app.
            .tls_certs_only([])
            .build()
            .expect("http client");
        Self {
            address,
            client,
            db,
            backend,
            database,
            media,
            auth,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Sends `body` verbatim with the given content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

/// A port free on loopback at the time of asking, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A response header as text; empty when absent.
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Reads a problem+json response, checking its media type and status field.
pub async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "problem lacks {key}: {body}");
    }
    body
}

/// The fields a problem's `errors` name, in order.
pub fn problem_fields(problem: &serde_json::Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .expect("the problem lists its errors")
        .iter()
        .map(|e| e["field"].as_str().expect("each error names its field"))
        .collect()
}

/// A signed-in account made by the harness.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub password: String,
    pub role: cms::auth::Role,
    /// The byline the account writes under (authors and contributors get one).
    pub author_id: Option<i64>,
    /// A valid access token for `Authorization: Bearer`.
    pub token: String,
}

pub const TEST_PASSWORD: &str = "mot de passe de test très long";

impl TestApp {
    /// Creates an account of `role`; authors and contributors get a byline of
    /// their own. The token is a real access JWT signed with the test secret.
    pub async fn create_user(&self, role: cms::auth::Role) -> TestUser {
        use cms::auth::Role;
        use cms::db::schema::authors;
        use diesel::prelude::*;
        let n = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("{}-{}@redaction.test", role.as_str(), &n[..8]);
        let with_byline = matches!(role, Role::Author | Role::Contributor);
        let email_for_db = email.clone();
        let (id, author_id) = self
            .db
            .write(move |conn| {
                let author_id = if with_byline {
                    let now = cms::timestamp::now();
                    Some(
                        diesel::insert_into(authors::table)
                            .values((
                                authors::slug.eq(format!("plume-{}", &n[..12])),
                                authors::name.eq(format!("Plume {}", &n[..6])),
                                authors::links.eq("[]"),
                                authors::created_at.eq(now),
                                authors::updated_at.eq(now),
                            ))
                            .returning(authors::id)
                            .get_result::<i64>(conn.conn())?,
                    )
                } else {
                    None
                };
                let user = cms::accounts::users::create_account(
                    conn,
                    &cms::accounts::users::NewAccount {
                        email: &email_for_db,
                        display_name: "Journaliste de test",
                        role,
                        author_id,
                        password: TEST_PASSWORD,
                    },
                )?;
                Ok((user.id, author_id))
            })
            .await
            .expect("create test user");
        TestUser {
            id,
            email,
            password: TEST_PASSWORD.to_owned(),
            role,
            author_id,
            token: self.access_token(id, role),
        }
    }

    /// A valid access token for a user, as the server would issue it.
    pub fn access_token(&self, user_id: i64, role: cms::auth::Role) -> String {
        cms::auth::jwt::AccessTokens::new(
            TEST_JWT_SECRET.as_bytes(),
            "newsroom-cms",
            "newsroom-cms-api",
            std::time::Duration::from_secs(900),
        )
        .issue(user_id, role)
        .expect("sign token")
    }

    fn with_token(
        &self,
        builder: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        match token {
            Some(t) => builder.bearer_auth(t),
            None => builder,
        }
    }

    /// GET, optionally authenticated.
    pub async fn get_as(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        self.with_token(self.client.get(self.url(path)), token)
            .send()
            .await
            .expect("request")
    }

    /// A JSON request of any method, optionally authenticated.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.with_token(self.client.request(method, self.url(path)), token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, token, body)
            .await
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.send_json(reqwest::Method::PATCH, path, token, body)
            .await
    }

    pub async fn delete_as(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        self.with_token(self.client.delete(self.url(path)), token)
            .send()
            .await
            .expect("request")
    }
}

impl TestApp {
    /// A fingerprint of everything a write could change: compare it before and
    /// after a refused request to prove that nothing was written.
    pub async fn snapshot(&self) -> Vec<String> {
        use cms::db::schema::*;
        use diesel::prelude::*;
        self.db
            .read(|conn| {
                let mut rows: Vec<String> = Vec::new();
                let mut push = |table: &str, items: Vec<String>| {
                    rows.push(format!("{table}: {} rows", items.len()));
                    rows.extend(items.into_iter().map(|r| format!("{table} {r}")));
                };
                push(
                    "articles",
                    articles::table
                        .select((
                            articles::id,
                            articles::slug,
                            articles::status,
                            articles::version,
                            articles::updated_at,
                            articles::title,
                        ))
                        .order(articles::id)
                        .load::<(i64, String, String, i32, chrono::NaiveDateTime, String)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "categories",
                    categories::table
                        .select((
                            categories::id,
                            categories::slug,
                            categories::parent_id,
                            categories::version,
                        ))
                        .order(categories::id)
                        .load::<(i64, String, Option<i64>, i32)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "authors",
                    authors::table
                        .select((authors::id, authors::slug, authors::name, authors::version))
                        .order(authors::id)
                        .load::<(i64, String, String, i32)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "tags",
                    tags::table
                        .select((tags::id, tags::slug, tags::name, tags::version))
                        .order(tags::id)
                        .load::<(i64, String, String, i32)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "article_authors",
                    article_authors::table
                        .order((article_authors::article_id, article_authors::position))
                        .load::<(i64, i64, i32)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "article_tags",
                    article_tags::table
                        .order((article_tags::article_id, article_tags::tag_id))
                        .load::<(i64, i64)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "users",
                    users::table
                        .select((
                            users::id,
                            users::email,
                            users::role,
                            users::active,
                            users::author_id,
                            users::password_hash,
                            users::version,
                        ))
                        .order(users::id)
                        .load::<(i64, String, String, bool, Option<i64>, String, i32)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "refresh_tokens",
                    refresh_tokens::table
                        .select((
                            refresh_tokens::id,
                            refresh_tokens::used_at,
                            refresh_tokens::revoked_at,
                        ))
                        .order(refresh_tokens::id)
                        .load::<(
                            i64,
                            Option<chrono::NaiveDateTime>,
                            Option<chrono::NaiveDateTime>,
                        )>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "article_renderings",
                    article_renderings::table
                        .select((
                            article_renderings::article_id,
                            article_renderings::shape,
                            article_renderings::list_item,
                        ))
                        .order(article_renderings::article_id)
                        .load::<(i64, i32, Vec<u8>)>(conn)?
                        .into_iter()
                        .map(|(id, shape, item)| {
                            format!("{id} {shape} {}", String::from_utf8_lossy(&item))
                        })
                        .collect(),
                );
                push(
                    "api_tokens",
                    api_tokens::table
                        .select((
                            api_tokens::id,
                            api_tokens::name,
                            api_tokens::scopes,
                            api_tokens::revoked_at,
                        ))
                        .order(api_tokens::id)
                        .load::<(i64, String, String, Option<chrono::NaiveDateTime>)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "application_passwords",
                    application_passwords::table
                        .select((
                            application_passwords::uuid,
                            application_passwords::user_id,
                            application_passwords::name,
                            application_passwords::password_hash,
                        ))
                        .order(application_passwords::id)
                        .load::<(String, i64, String, String)>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                push(
                    "media",
                    media::table
                        .select((
                            media::id,
                            media::content_hash,
                            media::version,
                            media::alt,
                            media::caption,
                            media::credit,
                            media::title,
                        ))
                        .order(media::id)
                        .load::<(
                            i64,
                            String,
                            i32,
                            Option<String>,
                            Option<String>,
                            Option<String>,
                            Option<String>,
                        )>(conn)?
                        .into_iter()
                        .map(|r| format!("{r:?}"))
                        .collect(),
                );
                Ok(rows)
            })
            .await
            .expect("snapshot")
    }
}

impl TestApp {
    /// Signs in and returns the token pair (asserting success).
    pub async fn login(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login of {email} failed");
        response.json().await.expect("token pair")
    }

    /// Creates an API token through the API as `admin_token`; returns its id
    /// and its plain value.
    pub async fn create_api_token(&self, admin_token: &str, scopes: &[&str]) -> (i64, String) {
        let response = self
            .post_json(
                "/api/v1/tokens",
                Some(admin_token),
                &serde_json::json!({"name": "Jeton de test", "scopes": scopes}),
            )
            .await;
        assert_eq!(response.status(), 201, "token creation failed");
        let body: serde_json::Value = response.json().await.expect("created token");
        (
            body["id"].as_i64().expect("token id"),
            body["token"].as_str().expect("token").to_owned(),
        )
    }
}

/// Runs one of the real Node clients (`tests/clients/{script}`) with
/// `envs` (plus `NODE_CLIENTS`, and `CHROMIUM` when `browser`) and returns
/// the JSON it prints. `None` when the clients are not installed here
/// (`TEST_NODE_CLIENTS`, and `TEST_CHROMIUM` for a browser, set by
/// `.ci/run`), which fails under CI.
pub fn node_client(
    script: &str,
    browser: bool,
    envs: &[(&str, &str)],
) -> Option<serde_json::Value> {
    let setting = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let clients = setting("TEST_NODE_CLIENTS");
    let chromium = setting("TEST_CHROMIUM");
    let (Some(clients), true) = (clients, !browser || chromium.is_some()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but TEST_NODE_CLIENTS (or TEST_CHROMIUM) is not set"
        );
        return None;
    };
    let mut command = std::process::Command::new("node");
    command
        .arg(format!("{clients}/{script}"))
        .env("NODE_CLIENTS", &clients)
        .envs(envs.iter().copied());
    if let Some(chromium) = chromium.filter(|_| browser) {
        command.env("CHROMIUM", chromium);
    }
    let output = command.output().expect("node");
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("the client's JSON summary"))
}

/// Runs one of the real Python clients (`tests/clients/{script}`, in the
/// editors' virtualenv, `TEST_EDITORS_PYTHON`, set by `.ci/run`) with
/// `envs` and returns the JSON it prints; `None` where that virtualenv is
/// not set up, which fails under CI.
pub fn python_client(script: &str, envs: &[(&str, &str)]) -> Option<serde_json::Value> {
    let python = match std::env::var("TEST_EDITORS_PYTHON") {
        Ok(python) if !python.is_empty() => python,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TEST_EDITORS_PYTHON is not set"
            );
            return None;
        }
    };
    let output = std::process::Command::new(python)
        .arg(format!(
            "{}/tests/clients/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .envs(envs.iter().copied())
        .output()
        .expect("python");
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("the client's JSON summary"))
}
