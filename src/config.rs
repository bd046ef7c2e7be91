//! Every setting of the service, read once from the environment (and `.env`),
//! validated, with errors that name the variable at fault.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the data lives, decided by the scheme of `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file; its directory is created on start.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string, passed to libpq as given.
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://relative/path`, `sqlite:///absolute/path`, `sqlite:path`,
    /// `postgres://...` or `postgresql://...`; anything else is refused, because
    /// SQLite would happily treat any string as a file name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() || path.starts_with(':') || path.contains('?') {
                return Err(format!(
                    "'{raw}' has no usable SQLite file path (in-memory databases and URI parameters are not supported)"
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        let scheme = raw.split(':').next().unwrap_or_default();
        Err(format!(
            "unsupported scheme '{scheme}' (expected sqlite:// or postgres://)"
        ))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The URL with any password removed, for logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Development mode relaxes what production must set explicitly (the JWT secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub environment: Environment,
    pub seed_demo: bool,
    /// `None` in development when unset: a random secret is generated and kept
    /// beside the data so that restarts do not log everyone out.
    pub jwt_secret: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub db_pool_size: u32,
    pub db_connect_timeout: Duration,
    pub max_body_bytes: usize,
    /// When set, `GET /metrics` answers only `Authorization: Bearer <it>`.
    pub metrics_token: Option<String>,
    pub workers: Option<usize>,
    pub cors_origins: Vec<String>,
    /// Hosts whose frames article bodies keep (`CMS_EMBED_HOSTS`: domains
    /// separated by commas, or `none`; `embeds::DEFAULT_HOSTS` when unset).
    pub embed_hosts: crate::content::embeds::EmbedHosts,
    pub public_cache_seconds: u32,
    /// Memory for cached public responses; 0 turns the cache off.
    pub response_cache_bytes: u64,
    /// Remember list totals (`meta.total`) until content changes, instead of
    /// counting every matching row on every list request.
    pub list_totals_memo: bool,
    /// Threads for Argon2 (password checks and hashes); `None`: one fewer
    /// than the cores, at least one.
    pub password_hashing_threads: Option<usize>,
    /// `CMS_PUBLIC_URL`: the start of every absolute URL the API writes
    /// (see `http::origin`), without a trailing slash.
    pub public_url: Option<String>,
    /// `CMS_TRUSTED_PROXIES`: peers whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `CMS_SITE_*`: the site's settings until an administrator changes
    /// them (`PATCH /api/v1/site`).
    pub site: crate::site::Defaults,
    /// `CMS_MEDIA_STORE`: where media files live (a directory, or
    /// `s3://bucket/prefix`).
    pub media_store: String,
    /// How to reach an `s3://` media store (`AWS_*`, `CMS_S3_PATH_STYLE`).
    pub media_s3: crate::storage::S3Settings,
    /// `CMS_MEDIA_SWEEP_ON_START`: settle what a crash left in the media
    /// store once at start, in the background (`cms media gc` does the same).
    pub media_sweep_on_start: bool,
    /// `CMS_MEDIA_PUBLIC_URL`: where clients fetch media files from (a
    /// CDN); `/media` on this service when unset.
    pub media_public_url: Option<String>,
    /// `CMS_MEDIA_MAX_MB`, in bytes.
    pub media_max_bytes: usize,
    /// `CMS_MEDIA_MAX_PIXELS`: width × height beyond which an upload is
    /// refused without being decoded.
    pub media_max_pixels: u64,
    /// `CMS_MEDIA_WIDTHS`: rendition widths, ascending.
    pub media_widths: Vec<u32>,
    /// `CMS_MEDIA_THREADS`: threads that process images; `None`: one fewer
    /// than the cores, at least one.
    pub media_threads: Option<usize>,
    /// Reader comments: moderation, anti-spam, limits (`CMS_COMMENTS_*`).
    pub comments: crate::comments::settings::CommentSettings,
}

/// A configuration error: the variable at fault and what is wrong with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

/// The value `.env.example` ships with; refused as a real secret outside development.
pub const EXAMPLE_JWT_SECRET: &str = "change-me-to-a-random-string-of-at-least-32-bytes";

impl Config {
    /// Reads the process environment (after loading `.env`, if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is worth saying.
        if let Err(err) = dotenvy::dotenv()
            && !err.not_found()
        {
            return Err(ConfigError {
                variable: ".env",
                message: err.to_string(),
            });
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| get(name).filter(|v| !v.trim().is_empty());
        let err = |variable: &'static str, message: String| ConfigError { variable, message };

        let bind_raw = var("CMS_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            err(
                "CMS_BIND",
                format!("'{bind_raw}' is not a host:port address such as 127.0.0.1:8080"),
            )
        })?;

        let database_url_raw =
            var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/cms.sqlite3".to_owned());
        let database_url =
            DatabaseUrl::parse(database_url_raw.trim()).map_err(|m| err("DATABASE_URL", m))?;

        let environment = match var("CMS_ENV").as_deref().map(str::trim) {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(err(
                    "CMS_ENV",
                    format!("'{other}' is not one of development, production"),
                ));
            }
        };

        let jwt_secret = var("CMS_JWT_SECRET");
        if let Some(secret) = &jwt_secret {
            if secret.len() < 32 {
                return Err(err(
                    "CMS_JWT_SECRET",
                    format!("must be at least 32 bytes long (got {})", secret.len()),
                ));
            }
            // In every mode: a development server reachable from the
            // newsroom's network signs admin tokens with it all the same.
            if secret == EXAMPLE_JWT_SECRET {
                return Err(err(
                    "CMS_JWT_SECRET",
                    "is the example value from .env.example; generate a random one (openssl rand -base64 48)".to_owned(),
                ));
            }
            let bits = estimated_entropy_bits(secret);
            if bits < MIN_SECRET_ENTROPY_BITS {
                return Err(err(
                    "CMS_JWT_SECRET",
                    format!(
                        "is too predictable (about {bits:.0} bits of entropy, at least {MIN_SECRET_ENTROPY_BITS:.0} needed); generate a random one (openssl rand -base64 48)"
                    ),
                ));
            }
        } else if environment == Environment::Production {
            return Err(err(
                "CMS_JWT_SECRET",
                "must be set when CMS_ENV=production".to_owned(),
            ));
        }

        let metrics_token = var("CMS_METRICS_TOKEN").filter(|t| !t.is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(err(
                "CMS_METRICS_TOKEN",
                "must be at least 16 characters long (openssl rand -hex 24)".to_owned(),
            ));
        }

        let number = |name: &'static str, default: u64, min: u64, max: u64| match var(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    err(
                        name,
                        format!("'{raw}' is not a whole number between {min} and {max}"),
                    )
                }),
        };
        let flag = |name: &'static str, default: bool| match var(name).as_deref().map(str::trim) {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(err(name, format!("'{other}' is not true or false"))),
        };

        let workers = match number("CMS_WORKERS", 0, 0, 1024)? {
            0 => None,
            n => Some(n as usize),
        };

        let db_pool_size =
            number("CMS_DB_POOL_SIZE", default_pool_size(&database_url), 1, 512)? as u32;
        Ok(Self {
            bind,
            database_url,
            environment,
            seed_demo: flag("CMS_SEED_DEMO", true)?,
            jwt_secret,
            jwt_issuer: var("CMS_JWT_ISSUER").unwrap_or_else(|| "newsroom-cms".to_owned()),
            jwt_audience: var("CMS_JWT_AUDIENCE").unwrap_or_else(|| "newsroom-cms-api".to_owned()),
            access_token_ttl: Duration::from_secs(number(
                "CMS_ACCESS_TOKEN_TTL_SECONDS",
                900,
                30,
                86_400,
            )?),
            refresh_token_ttl: Duration::from_secs(
                number("CMS_REFRESH_TOKEN_TTL_DAYS", 30, 1, 365)? * 86_400,
            ),
            db_pool_size,
            db_connect_timeout: Duration::from_millis(number(
                "CMS_DB_TIMEOUT_MS",
                2_000,
                100,
                60_000,
            )?),
            max_body_bytes: number("CMS_MAX_BODY_BYTES", 1_048_576, 1_024, 64 * 1_048_576)?
                as usize,
            metrics_token,
            workers,
            embed_hosts: crate::content::embeds::EmbedHosts::from_setting(
                var("CMS_EMBED_HOSTS").as_deref(),
            ),
            cors_origins: var("CMS_CORS_ORIGINS")
                .map(|raw| {
                    raw.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            public_cache_seconds: number("CMS_PUBLIC_CACHE_SECONDS", 60, 0, 86_400)? as u32,
            response_cache_bytes: number("CMS_RESPONSE_CACHE_MB", 8, 0, 4_096)? * 1_048_576,
            list_totals_memo: flag("CMS_LIST_TOTALS_MEMO", true)?,
            public_url: var("CMS_PUBLIC_URL")
                .map(|raw| crate::http::origin::parse_public_url(&raw))
                .transpose()
                .map_err(|m| err("CMS_PUBLIC_URL", m))?,
            trusted_proxies: var("CMS_TRUSTED_PROXIES")
                .map(|raw| crate::http::origin::parse_trusted_proxies(&raw))
                .transpose()
                .map_err(|m| err("CMS_TRUSTED_PROXIES", m))?
                .unwrap_or_default(),
            password_hashing_threads: match number("CMS_PASSWORD_HASHING_THREADS", 0, 0, 256)? {
                0 => None,
                n => Some(n as usize),
            },
            site: crate::site::Defaults {
                title: var("CMS_SITE_TITLE")
                    .map(|t| t.trim().to_owned())
                    .unwrap_or_else(|| crate::site::Defaults::default().title),
                description: var("CMS_SITE_DESCRIPTION").unwrap_or_default(),
                frontend_url: var("CMS_SITE_URL")
                    .map(|raw| crate::http::origin::parse_public_url(&raw))
                    .transpose()
                    .map_err(|m| err("CMS_SITE_URL", m))?,
                timezone: var("CMS_SITE_TIMEZONE")
                    .map(|raw| crate::site::TimeZone::parse(&raw))
                    .transpose()
                    .map_err(|m| err("CMS_SITE_TIMEZONE", m))?
                    .unwrap_or(crate::site::Defaults::default().timezone),
                language: var("CMS_SITE_LANGUAGE")
                    .map(|raw| crate::site::Language::parse(&raw))
                    .transpose()
                    .map_err(|m| err("CMS_SITE_LANGUAGE", m))?
                    .unwrap_or_else(|| crate::site::Defaults::default().language),
            },
            media_store: var("CMS_MEDIA_STORE").unwrap_or_else(|| "data/media".to_owned()),
            media_s3: crate::storage::S3Settings {
                endpoint: var("AWS_ENDPOINT_URL")
                    .map(|raw| crate::http::origin::parse_public_url(&raw))
                    .transpose()
                    .map_err(|m| err("AWS_ENDPOINT_URL", m))?,
                region: var("AWS_REGION"),
                access_key_id: var("AWS_ACCESS_KEY_ID"),
                secret_access_key: var("AWS_SECRET_ACCESS_KEY"),
                session_token: var("AWS_SESSION_TOKEN"),
                path_style: flag("CMS_S3_PATH_STYLE", true)?,
            },
            media_sweep_on_start: flag("CMS_MEDIA_SWEEP_ON_START", true)?,
            media_public_url: var("CMS_MEDIA_PUBLIC_URL")
                .map(|raw| crate::http::origin::parse_public_url(&raw))
                .transpose()
                .map_err(|m| err("CMS_MEDIA_PUBLIC_URL", m))?,
            media_max_bytes: number("CMS_MEDIA_MAX_MB", 20, 1, 1_024)? as usize * 1_048_576,
            media_max_pixels: number("CMS_MEDIA_MAX_PIXELS", 50_000_000, 1, 1_000_000_000)?,
            media_widths: match var("CMS_MEDIA_WIDTHS") {
                None => vec![320, 640, 960, 1280, 1920],
                Some(raw) => parse_widths(&raw).map_err(|m| err("CMS_MEDIA_WIDTHS", m))?,
            },
            media_threads: match number("CMS_MEDIA_THREADS", 0, 0, 256)? {
                0 => None,
                n => Some(n as usize),
            },
            comments: crate::comments::settings::CommentSettings::from_lookup(
                &var, &number, &flag,
            )?,
        })
    }
}

/// Rendition widths: whole numbers from 16 to 10,000, comma-separated.
fn parse_widths(raw: &str) -> Result<Vec<u32>, String> {
    let mut widths = raw
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.parse::<u32>()
                .ok()
                .filter(|n| (16..=10_000).contains(n))
                .ok_or_else(|| format!("'{w}' is not a width from 16 to 10000"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    widths.sort_unstable();
    widths.dedup();
    Ok(widths)
}

/// What a signing secret must carry: 128 bits, HS256's security level.
pub const MIN_SECRET_ENTROPY_BITS: f64 = 128.0;

/// A simple estimate of a secret's entropy: its length times the Shannon
/// entropy of its characters' frequencies. Thirty-two `a` give 0 bits, a
/// phrase of repeated words little; 48 random base64 characters about 260.
/// It cannot tell a random string from a well-mixed memorable one, and
/// only refuses what is clearly not random.
pub fn estimated_entropy_bits(secret: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in secret.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    let total = secret.chars().count() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum();
    per_char * total
}

/// SQLite reads run on the CPU, one core per connection at best, and every
/// connection keeps its own page cache (up to 2 MB): more connections than
/// cores plus a couple only add memory. PostgreSQL connections spend their
/// time waiting on the server, so more of them keep the cores busy.
fn default_pool_size(url: &DatabaseUrl) -> u64 {
    match url {
        DatabaseUrl::Sqlite(_) => 4,
        DatabaseUrl::Postgres(_) => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_bind_localhost_and_sqlite_file() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("data/cms.sqlite3"))
        );
        assert!(c.seed_demo);
        assert_eq!(c.environment, Environment::Development);
    }

    #[test]
    fn the_pool_size_follows_the_backend_unless_set() {
        assert_eq!(config(&[]).unwrap().db_pool_size, 4);
        let pg = [("DATABASE_URL", "postgres://u@localhost/cms")];
        assert_eq!(config(&pg).unwrap().db_pool_size, 10);
        let set = [pg[0], ("CMS_DB_POOL_SIZE", "24")];
        assert_eq!(config(&set).unwrap().db_pool_size, 24);
    }

    #[test]
    fn errors_name_the_variable() {
        for (vars, variable) in [
            (vec![("CMS_BIND", "localhost")], "CMS_BIND"),
            (vec![("CMS_BIND", "127.0.0.1:99999")], "CMS_BIND"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("DATABASE_URL", "cms.sqlite3")], "DATABASE_URL"),
            (vec![("DATABASE_URL", "sqlite::memory:")], "DATABASE_URL"),
            (vec![("CMS_SEED_DEMO", "maybe")], "CMS_SEED_DEMO"),
            (vec![("CMS_JWT_SECRET", "short")], "CMS_JWT_SECRET"),
            (vec![("CMS_ENV", "production")], "CMS_JWT_SECRET"),
            (
                vec![
                    ("CMS_ENV", "production"),
                    ("CMS_JWT_SECRET", EXAMPLE_JWT_SECRET),
                ],
                "CMS_JWT_SECRET",
            ),
            (
                vec![("CMS_JWT_SECRET", EXAMPLE_JWT_SECRET)],
                "CMS_JWT_SECRET",
            ),
            (vec![("CMS_JWT_SECRET", &"a".repeat(32))], "CMS_JWT_SECRET"),
            (
                vec![("CMS_JWT_SECRET", "abababababababababababababababababab")],
                "CMS_JWT_SECRET",
            ),
            (vec![("CMS_DB_POOL_SIZE", "0")], "CMS_DB_POOL_SIZE"),
            (vec![("CMS_ENV", "staging")], "CMS_ENV"),
            (vec![("CMS_PUBLIC_URL", "javascript://x")], "CMS_PUBLIC_URL"),
            (
                vec![("CMS_TRUSTED_PROXIES", "10.0.0.0/40")],
                "CMS_TRUSTED_PROXIES",
            ),
        ] {
            let e = config(&vars).unwrap_err();
            assert_eq!(e.variable, variable, "{vars:?} gave {e}");
        }
    }

    #[test]
    fn random_secrets_pass_the_entropy_estimate() {
        for secret in [
            crate::auth::secret::random_token(32),
            "test-secret-that-is-long-enough-for-hs256-0123456789".to_owned(),
        ] {
            assert!(
                estimated_entropy_bits(&secret) >= MIN_SECRET_ENTROPY_BITS,
                "{secret}"
            );
            assert!(config(&[("CMS_JWT_SECRET", &secret)]).is_ok());
        }
    }

    #[test]
    fn database_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u:secret@h/db")
                .unwrap()
                .redacted(),
            "postgresql://u:***@h/db"
        );
    }
}
