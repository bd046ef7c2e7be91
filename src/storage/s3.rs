//! Media in an S3-compatible object store (AWS S3, MinIO, Garage, R2…),
//! through `object_store`: the same layout as the local store under a key
//! prefix, so several app processes share one library.
//!
//! - `{prefix}/{hh}/{hash}/{file}`: visible (served at `/media/...` by any
//!   app process, or by a CDN at `CMS_MEDIA_PUBLIC_URL`);
//! - `{prefix}/.staging/{location}/{file}`: an upload being written.
//!
//! An object store has no rename: `promote` copies each staged object to
//! its visible key, then deletes the staged ones. The row naming the files
//! committed before, so a crash in between leaves staged copies that the
//! sweep promotes again (copies of the same bytes are idempotent).
//!
//! All I/O runs on one small runtime of its own (`io_runtime`), so that
//! its connection pool outlives any one actix worker, and the blocking
//! callers (the job workers' threads, `cms media gc`) can wait on it.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};

use super::{Listing, STAGING, is_plain_name, split_key, staged_is_stale};

/// Where and how to reach the store; the secret never appears in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    /// `AWS_ENDPOINT_URL`: an S3-compatible server; AWS itself when unset.
    pub endpoint: Option<String>,
    /// `AWS_REGION` (`us-east-1` when unset, what most compatible servers expect).
    pub region: Option<String>,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
    /// without them, the instance's role (EC2, ECS, EKS).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    /// `CMS_S3_PATH_STYLE`: `https://endpoint/bucket/key` (the default: what
    /// MinIO, Garage and moto expect) rather than `https://bucket.endpoint/key`.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .field("session_token", &self.session_token.as_ref().map(|_| "***"))
            .field("path_style", &self.path_style)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct S3Store {
    store: Arc<AmazonS3>,
    /// The key prefix, without leading or trailing slash (may be empty).
    prefix: String,
}

/// The runtime every S3 request runs on; never dropped (a runtime cannot
/// be dropped inside another one, where app instances end in tests).
fn io_runtime() -> std::io::Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("media-s3")
                .enable_all()
                .build()
                .map_err(|e| format!("the S3 I/O runtime did not start: {e}"))
        })
        .as_ref()
        .map_err(|e| std::io::Error::other(e.clone()))
}

/// rustls is built without a default crypto provider (to keep aws-lc out
/// of the build): ring is installed once, before any TLS client is made.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Runs `work` on the I/O runtime and waits for it from async code.
async fn on_io<T: Send + 'static>(
    work: impl Future<Output = object_store::Result<T>> + Send + 'static,
) -> std::io::Result<T> {
    io_runtime()?
        .spawn(work)
        .await
        .map_err(std::io::Error::other)?
        .map_err(to_io)
}

/// Runs `work` on the I/O runtime and waits for it, blocking the thread:
/// for a job worker, the CLI, and the start (which runs inside actix's
/// runtime, where `Runtime::block_on` would panic; a channel does not).
fn on_io_blocking<T: Send + 'static>(
    work: impl Future<Output = object_store::Result<T>> + Send + 'static,
) -> std::io::Result<T> {
    let (done, outcome) = std::sync::mpsc::sync_channel(1);
    io_runtime()?.spawn(async move {
        let _ = done.send(work.await);
    });
    outcome
        .recv()
        .map_err(|_| std::io::Error::other("the S3 I/O task ended without an answer"))?
        .map_err(to_io)
}

fn to_io(e: object_store::Error) -> std::io::Error {
    let kind = match &e {
        object_store::Error::NotFound { .. } => std::io::ErrorKind::NotFound,
        _ => std::io::ErrorKind::Other,
    };
    std::io::Error::new(kind, e.to_string())
}

/// A file as the serving route gets it.
pub enum Fetched {
    NotModified,
    Whole {
        size: u64,
        e_tag: Option<String>,
        body: futures_util::stream::BoxStream<'static, std::io::Result<Bytes>>,
    },
}

impl S3Store {
    /// `bucket` and `prefix` from `s3://bucket/prefix`; checks the bucket
    /// answers, so that a wrong setting stops the start with its reason.
    pub fn open(bucket: &str, prefix: &str, settings: &S3Settings) -> Result<Self, String> {
        install_tls_provider();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(settings.region.as_deref().unwrap_or("us-east-1"))
            .with_virtual_hosted_style_request(!settings.path_style)
            // Fewer, shorter retries than the default three minutes: an
            // upload waits on them, and a wrong endpoint should stop the
            // start within seconds.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(20),
                ..RetryConfig::default()
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(std::time::Duration::from_secs(5))
                    .with_timeout(std::time::Duration::from_secs(60)),
            );
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(key) = &settings.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        if let Some(token) = &settings.session_token {
            builder = builder.with_token(token);
        }
        let store = Arc::new(builder.build().map_err(|e| e.to_string())?);
        let prefix = prefix.trim_matches('/').to_owned();
        if !prefix
            .split('/')
            .all(|part| prefix.is_empty() || is_plain_name(part))
        {
            return Err(format!(
                "the prefix `{prefix}` must be plain names (letters, digits, - _ .) separated by /"
            ));
        }
        let this = Self { store, prefix };
        let probe = this.clone();
        let root = this.key(STAGING);
        on_io_blocking(async move {
            probe
                .store
                .list_with_delimiter(Some(&root))
                .await
                .map(|_| ())
        })
        .map_err(|e| format!("s3://{bucket}/{}: {e}", this.prefix))?;
        Ok(this)
    }

    fn key(&self, relative: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(relative)
        } else {
            Path::from(format!("{}/{relative}", self.prefix))
        }
    }

    /// A key under the prefix, relative to it (`None` when outside).
    fn relative<'a>(&self, key: &'a Path) -> Option<&'a str> {
        let key = key.as_ref();
        if self.prefix.is_empty() {
            Some(key)
        } else {
            key.strip_prefix(self.prefix.as_str())?.strip_prefix('/')
        }
    }

    pub async fn stage(
        &self,
        location: String,
        files: Vec<(String, Vec<u8>)>,
    ) -> std::io::Result<String> {
        if let Some((name, _)) = files.iter().find(|(name, _)| !is_plain_name(name)) {
            return Err(super::invalid(name));
        }
        let this = self.clone();
        let staged = location.clone();
        let written = on_io(async move {
            futures_util::stream::iter(files)
                .map(|(name, bytes)| {
                    let key = this.key(&format!("{STAGING}/{staged}/{name}"));
                    let store = this.store.clone();
                    async move { store.put(&key, PutPayload::from(bytes)).await }
                })
                .buffer_unordered(4)
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        match written {
            Ok(_) => Ok(location),
            Err(e) => {
                let _ = self.remove_staging(location).await;
                Err(e)
            }
        }
    }

    /// Every object under `relative/`.
    async fn keys_under(store: Arc<AmazonS3>, dir: Path) -> object_store::Result<Vec<Path>> {
        store
            .list(Some(&dir))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
    }

    pub async fn promote(&self, location: String, dir: String) -> std::io::Result<()> {
        on_io(self.clone().promote_io(location, dir)).await
    }

    pub fn promote_blocking(&self, location: &str, dir: &str) -> std::io::Result<()> {
        on_io_blocking(self.clone().promote_io(location.to_owned(), dir.to_owned()))
    }

    async fn promote_io(self, location: String, dir: String) -> object_store::Result<()> {
        let staged = self.key(&format!("{STAGING}/{location}"));
        let keys = Self::keys_under(self.store.clone(), staged).await?;
        let copies: Vec<(Path, Path)> = keys
            .iter()
            .map(|from| {
                let name = from.filename().unwrap_or_default();
                (from.clone(), self.key(&format!("{dir}/{name}")))
            })
            .collect();
        futures_util::stream::iter(copies)
            .map(|(from, to)| {
                let store = self.store.clone();
                async move { store.copy(&from, &to).await }
            })
            .buffer_unordered(4)
            .try_collect::<Vec<_>>()
            .await?;
        Self::delete_all(self.store.clone(), keys).await
    }

    async fn delete_all(store: Arc<AmazonS3>, keys: Vec<Path>) -> object_store::Result<()> {
        store
            .delete_stream(futures_util::stream::iter(keys.into_iter().map(Ok)).boxed())
            .map(|deleted| match deleted {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                other => other.map(|_| ()),
            })
            .try_collect()
            .await
    }

    async fn remove_prefix_io(self, relative: String) -> object_store::Result<()> {
        let keys = Self::keys_under(self.store.clone(), self.key(&relative)).await?;
        Self::delete_all(self.store, keys).await
    }

    pub async fn remove_staging(&self, location: String) -> std::io::Result<()> {
        if !is_plain_name(&location) {
            return Err(super::invalid(&location));
        }
        on_io(
            self.clone()
                .remove_prefix_io(format!("{STAGING}/{location}")),
        )
        .await
    }

    pub fn remove_staging_blocking(&self, location: &str) -> std::io::Result<()> {
        if !is_plain_name(location) {
            return Err(super::invalid(location));
        }
        on_io_blocking(
            self.clone()
                .remove_prefix_io(format!("{STAGING}/{location}")),
        )
    }

    pub fn remove_dir_blocking(&self, dir: &str) -> std::io::Result<()> {
        super::check_dir(dir)?;
        on_io_blocking(self.clone().remove_prefix_io(dir.to_owned()))
    }

    pub fn list_blocking(&self, grace: std::time::Duration) -> std::io::Result<Listing> {
        let this = self.clone();
        let keys = on_io_blocking(async move {
            let root = (!this.prefix.is_empty()).then(|| Path::from(this.prefix.as_str()));
            let keys: Vec<Path> = this
                .store
                .list(root.as_ref())
                .map_ok(|meta| meta.location)
                .try_collect()
                .await?;
            Ok(keys)
        })?;
        let mut listing = Listing::default();
        for key in &keys {
            let Some(relative) = self.relative(key) else {
                continue;
            };
            let mut parts = relative.split('/');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(STAGING), Some(location), Some(_), None) => {
                    if staged_is_stale(location, grace)
                        && let Some(dir) = super::dir_of_location(location)
                        && !listing.stale_staging.iter().any(|(_, l)| l == location)
                    {
                        listing.stale_staging.push((dir, location.to_owned()));
                    }
                }
                (Some(shard), Some(hash), Some(_), None)
                    if is_plain_name(shard) && is_plain_name(hash) =>
                {
                    let dir = format!("{shard}/{hash}");
                    if listing.dirs.last() != Some(&dir) {
                        listing.dirs.push(dir);
                    }
                }
                _ => {}
            }
        }
        listing.dirs.sort();
        listing.dirs.dedup();
        Ok(listing)
    }

    /// Size and ETag of a visible file.
    pub async fn head(&self, key: &str) -> std::io::Result<(u64, Option<String>)> {
        let (dir, file) = split_key(key).ok_or_else(|| super::invalid(key))?;
        let path = self.key(&format!("{dir}/{file}"));
        let store = self.store.clone();
        on_io(async move { store.head(&path).await.map(|m| (m.size, m.e_tag)) }).await
    }

    /// A visible file, or `NotModified` when `if_none_match` is its ETag.
    pub async fn fetch(
        &self,
        key: &str,
        if_none_match: Option<String>,
    ) -> std::io::Result<Fetched> {
        let (dir, file) = split_key(key).ok_or_else(|| super::invalid(key))?;
        let path = self.key(&format!("{dir}/{file}"));
        let store = self.store.clone();
        on_io(async move {
            let options = GetOptions {
                if_none_match,
                ..GetOptions::default()
            };
            match store.get_opts(&path, options).await {
                Err(object_store::Error::NotModified { .. }) => Ok(Fetched::NotModified),
                Err(e) => Err(e),
                Ok(got) => {
                    let size = got.meta.size;
                    let e_tag = got.meta.e_tag.clone();
                    // The stream is polled by the actix worker, and its
                    // connection lives on the I/O runtime: relay it.
                    let (tx, rx) = tokio::sync::mpsc::channel(4);
                    let mut stream = got.into_stream();
                    tokio::spawn(async move {
                        while let Some(chunk) = stream.next().await {
                            if tx.send(chunk.map_err(to_io)).await.is_err() {
                                break;
                            }
                        }
                    });
                    let body = futures_util::stream::unfold(rx, |mut rx| async move {
                        rx.recv().await.map(|chunk| (chunk, rx))
                    })
                    .boxed();
                    Ok(Fetched::Whole { size, e_tag, body })
                }
            }
        })
        .await
    }

    /// Bytes `range` of a visible file.
    pub async fn range(&self, key: &str, range: std::ops::Range<u64>) -> std::io::Result<Bytes> {
        let (dir, file) = split_key(key).ok_or_else(|| super::invalid(key))?;
        let path = self.key(&format!("{dir}/{file}"));
        let store = self.store.clone();
        on_io(async move { store.get_range(&path, range).await }).await
    }
}
