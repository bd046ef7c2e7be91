//! The media store a test app writes to, looked at from outside the
//! application: a directory, or a prefix of a bucket on the S3-compatible
//! server that `.ci/run` starts (moto), read with `object_store` rather
//! than through the application's own store code.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Local,
    S3,
}

pub const TEST_BUCKET: &str = "cms-test";

/// The S3-compatible server tests use, from `TEST_S3_ENDPOINT`. Under
/// `CI=true` its absence is a failure, not a skip.
pub fn s3_endpoint() -> Option<String> {
    match std::env::var("TEST_S3_ENDPOINT") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TEST_S3_ENDPOINT is not set: S3 store tests cannot be skipped in CI"
            );
            None
        }
    }
}

/// Configuration for an app on a bucket prefix of its own (the bucket is
/// created on first use; creating it again is harmless).
pub async fn s3_overrides(endpoint: &str) -> Vec<(String, String)> {
    let created = {
        cms::telemetry::init_for_tests();
        reqwest::Client::new()
    }
    .put(format!("{endpoint}/{TEST_BUCKET}"))
    .send()
    .await
    .expect("the S3 test server answers");
    assert!(
        created.status().is_success() || created.status().as_u16() == 409,
        "creating the test bucket: {}",
        created.status()
    );
    let prefix = format!("t-{}", uuid::Uuid::new_v4().simple());
    [
        (
            "CMS_MEDIA_STORE",
            format!("s3://{TEST_BUCKET}/{prefix}/media"),
        ),
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "cms-test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "cms-test-secret".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[derive(Debug, Clone)]
pub enum TestMediaStore {
    Local(PathBuf),
    S3 {
        store: Arc<dyn ObjectStore>,
        prefix: String,
        /// What `cms media gc` needs in its environment.
        env: Vec<(String, String)>,
    },
}

impl TestMediaStore {
    pub fn of(config: &cms::Config) -> Self {
        let Some(rest) = config.media_store.strip_prefix("s3://") else {
            return Self::Local(PathBuf::from(&config.media_store));
        };
        let (bucket, prefix) = rest.split_once('/').expect("s3://bucket/prefix");
        let s3 = &config.media_s3;
        let endpoint = s3.endpoint.clone().expect("AWS_ENDPOINT_URL");
        let store = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("cms-test")
            .with_secret_access_key("cms-test-secret")
            .build()
            .expect("a test S3 client");
        let env = [
            ("CMS_MEDIA_STORE", config.media_store.clone()),
            ("AWS_ENDPOINT_URL", endpoint),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "cms-test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "cms-test-secret".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self::S3 {
            store: Arc::new(store),
            prefix: prefix.to_owned(),
            env,
        }
    }

    /// The variables `cms media gc` is run with to reach this store.
    pub fn env(&self) -> Vec<(String, String)> {
        match self {
            Self::Local(dir) => vec![(
                "CMS_MEDIA_STORE".to_owned(),
                dir.to_string_lossy().into_owned(),
            )],
            Self::S3 { env, .. } => env.clone(),
        }
    }

    /// Every file, relative to the store's root, sorted.
    pub async fn files(&self) -> Vec<String> {
        let mut files = match self {
            Self::Local(root) => {
                fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
                    for entry in std::fs::read_dir(dir).unwrap() {
                        let path = entry.unwrap().path();
                        if path.is_dir() {
                            walk(root, &path, out);
                        } else {
                            let relative = path.strip_prefix(root).unwrap();
                            out.push(relative.to_string_lossy().into_owned());
                        }
                    }
                }
                let mut out = Vec::new();
                walk(root, root, &mut out);
                out
            }
            Self::S3 { store, prefix, .. } => {
                let keys: Vec<_> = store
                    .list(Some(&Path::from(prefix.as_str())))
                    .map_ok(|meta| meta.location.to_string())
                    .try_collect()
                    .await
                    .unwrap();
                keys.into_iter()
                    .map(|k| k[prefix.len() + 1..].to_owned())
                    .collect()
            }
        };
        files.sort();
        files
    }

    /// Visible directories (`hh/hash`) and staged uploads (their
    /// locations), each once.
    pub async fn contents(&self) -> (Vec<String>, Vec<String>) {
        let mut visible = Vec::new();
        let mut staged = Vec::new();
        for file in self.files().await {
            let parts: Vec<&str> = file.split('/').collect();
            match parts.as_slice() {
                [".staging", location, _] => staged.push((*location).to_owned()),
                [shard, hash, _] => visible.push(format!("{shard}/{hash}")),
                other => panic!("unexpected file in the media store: {other:?}"),
            }
        }
        // The local store keeps an empty staging directory.
        visible.dedup();
        staged.dedup();
        (visible, staged)
    }

    pub async fn write(&self, relative: &str, bytes: &[u8]) {
        match self {
            Self::Local(root) => {
                let path = root.join(relative);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            Self::S3 { store, prefix, .. } => {
                store
                    .put(
                        &Path::from(format!("{prefix}/{relative}")),
                        PutPayload::from(bytes.to_vec()),
                    )
                    .await
                    .unwrap();
            }
        }
    }

    /// Moves every file of directory `from` into directory `to`.
    pub async fn move_dir(&self, from: &str, to: &str) {
        match self {
            Self::Local(root) => {
                std::fs::create_dir_all(root.join(to).parent().unwrap()).unwrap();
                std::fs::rename(root.join(from), root.join(to)).unwrap();
            }
            Self::S3 { store, prefix, .. } => {
                let keys: Vec<Path> = store
                    .list(Some(&Path::from(format!("{prefix}/{from}"))))
                    .map_ok(|meta| meta.location)
                    .try_collect()
                    .await
                    .unwrap();
                for key in keys {
                    let name = key.filename().unwrap().to_owned();
                    store
                        .rename(&key, &Path::from(format!("{prefix}/{to}/{name}")))
                        .await
                        .unwrap();
                }
            }
        }
    }

    /// Whether any file lies in directory `dir`.
    pub async fn has_dir(&self, dir: &str) -> bool {
        let dir = format!("{dir}/");
        self.files().await.iter().any(|f| f.starts_with(&dir))
    }
}
