//! Where media bytes live, chosen by configuration like the database:
//! `CMS_MEDIA_STORE` is a directory (the default, `./data/media`) or an
//! S3-compatible bucket (`s3://bucket/prefix`); either way this process
//! serves the files under `/media/...` (`content::media::serve`), unless a
//! CDN does at `CMS_MEDIA_PUBLIC_URL`.
//!
//! An upload's files are written to a staging area first, invisible to
//! readers, and made visible (`promote`) only after the row that names
//! them committed: a failure in between leaves nothing that is served,
//! and the sweep (`content::media::use_cases::sweep`) settles what a crash
//! left behind.
//!
//! The layout is the same in both stores: `{hh}/{hash}/{file}` visible,
//! `.staging/{hash}.{unix seconds}-{random}/{file}` staged. The staging
//! time is in the name because an object store cannot backdate or touch
//! an object: the sweep reads a staging's age from its name.

pub mod local;
pub mod s3;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::ApiError;

pub use local::LocalStore;
pub use s3::{S3Settings, S3Store};

const STAGING: &str = ".staging";

/// Directory and file names the stores write: no separators, no leading
/// dot, nothing a path could climb with.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("invalid media path {what:?}"),
    )
}

/// `{hh}/{hash}` checked: two plain names.
fn check_dir(dir: &str) -> std::io::Result<(&str, &str)> {
    let mut parts = dir.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(shard), Some(hash), None) if is_plain_name(shard) && is_plain_name(hash) => {
            Ok((shard, hash))
        }
        _ => Err(invalid(dir)),
    }
}

/// `{hh}/{hash}/{file}` as (directory, file), when it names a file a
/// store could have written (never a staged one).
fn split_key(key: &str) -> Option<(&str, &str)> {
    let (dir, file) = key.rsplit_once('/')?;
    check_dir(dir).ok()?;
    is_plain_name(file).then_some((dir, file))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A new staging location for the files of `{hh}/{hash}`.
fn staging_location(dir: &str) -> std::io::Result<String> {
    let (_, hash) = check_dir(dir)?;
    let random = uuid::Uuid::new_v4().simple().to_string();
    Ok(format!("{hash}.{}-{random}", unix_now()))
}

/// The directory a staging location is for.
fn dir_of_location(location: &str) -> Option<String> {
    let (hash, _) = location.split_once('.')?;
    (hash.len() >= 2 && is_plain_name(hash)).then(|| format!("{}/{hash}", &hash[..2]))
}

/// Staged at least `grace` ago, by the time in its name; a name without
/// one was not written by this version and is old by definition.
fn staged_is_stale(location: &str, grace: Duration) -> bool {
    let staged_at = location
        .split_once('.')
        .and_then(|(_, rest)| rest.split_once('-'))
        .and_then(|(secs, _)| secs.parse::<u64>().ok());
    staged_at.is_none_or(|at| unix_now().saturating_sub(at) >= grace.as_secs())
}

/// Staged uploads older than this are settled by a sweep: no upload takes
/// that long between its staging and its commit.
pub const STAGING_GRACE: Duration = Duration::from_secs(3_600);

#[derive(Debug, Clone)]
pub enum MediaStore {
    Local(LocalStore),
    S3(S3Store),
}

/// An upload's files, written but not yet visible.
#[derive(Debug)]
pub struct Staged {
    /// The directory the files will be visible in (`{hh}/{hash}`).
    pub dir: String,
    location: String,
}

/// What a sweep found in the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Visible directories (`{hh}/{hash}`).
    pub dirs: Vec<String>,
    /// Staged uploads older than `STAGING_GRACE`: (the directory they are
    /// for, their staging location).
    pub stale_staging: Vec<(String, String)>,
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("media store: {e}"))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    actix_web::web::block(f)
        .await
        .map_err(|e| ApiError::Internal(format!("media store: {e}")))?
        .map_err(io_error)
}

impl MediaStore {
    /// From `CMS_MEDIA_STORE`: a directory path, `file://` and a path, or
    /// `s3://bucket/prefix` reached with `s3`.
    pub fn from_setting(setting: &str, s3: &S3Settings) -> Result<Self, String> {
        if let Some(rest) = setting.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!("`{setting}` names no bucket"));
            }
            return S3Store::open(bucket, prefix, s3).map(Self::S3);
        }
        if setting.contains("://") && !setting.starts_with("file://") {
            return Err(format!(
                "`{setting}`: a directory, file://PATH or s3://BUCKET/PREFIX"
            ));
        }
        let path = setting.strip_prefix("file://").unwrap_or(setting);
        LocalStore::open(path).map(Self::Local)
    }

    /// Writes `files` (name, bytes) for the directory `dir`, unseen.
    pub async fn stage(
        &self,
        dir: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<Staged, ApiError> {
        let location = staging_location(dir).map_err(io_error)?;
        let location = match self {
            Self::Local(store) => {
                let store = store.clone();
                blocking(move || store.stage(&location, &files)).await?
            }
            Self::S3(store) => store.stage(location, files).await.map_err(io_error)?,
        };
        Ok(Staged {
            dir: dir.to_owned(),
            location,
        })
    }

    /// Makes staged files visible. When the directory already exists (an
    /// identical upload), the staged copy is dropped: the bytes are the same.
    pub async fn promote(&self, staged: Staged) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => {
                let store = store.clone();
                blocking(move || store.promote(&staged.location, &staged.dir)).await
            }
            Self::S3(store) => store
                .promote(staged.location, staged.dir)
                .await
                .map_err(io_error),
        }
    }

    /// Drops staged files whose row never committed.
    pub async fn discard(&self, staged: Staged) {
        let removed = match self {
            Self::Local(store) => {
                let store = store.clone();
                blocking(move || store.remove_staging(&staged.location)).await
            }
            Self::S3(store) => store
                .remove_staging(staged.location)
                .await
                .map_err(io_error),
        };
        if let Err(e) = removed {
            tracing::warn!(error = %e.problem().detail, "staged media left for the sweep");
        }
    }

    /// Removes a visible directory and its files; a missing one is fine.
    /// Blocking: called inside the transaction that checked no row uses it.
    pub fn remove_dir_blocking(&self, dir: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.remove_dir(dir),
            Self::S3(store) => store.remove_dir_blocking(dir),
        }
        .map_err(io_error)
    }

    pub fn list_blocking(&self) -> Result<Listing, ApiError> {
        match self {
            Self::Local(store) => store.list(STAGING_GRACE),
            Self::S3(store) => store.list_blocking(STAGING_GRACE),
        }
        .map_err(io_error)
    }

    pub fn promote_blocking(&self, location: &str, dir: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.promote(location, dir),
            Self::S3(store) => store.promote_blocking(location, dir),
        }
        .map_err(io_error)
    }

    pub fn remove_staging_blocking(&self, location: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.remove_staging(location),
            Self::S3(store) => store.remove_staging_blocking(location),
        }
        .map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staging_is_stale_by_the_time_in_its_name() {
        let dir = format!("ab/{}", "ab".repeat(32));
        let fresh = staging_location(&dir).unwrap();
        assert!(!staged_is_stale(&fresh, STAGING_GRACE));
        assert!(staged_is_stale(&fresh, Duration::ZERO));
        assert_eq!(dir_of_location(&fresh), Some(dir.clone()));
        let old = format!("{}.{}-x", "ab".repeat(32), unix_now() - 3_601);
        assert!(staged_is_stale(&old, STAGING_GRACE));
        assert!(staged_is_stale(
            &format!("{}.crash", "ab".repeat(32)),
            STAGING_GRACE
        ));
        assert!(staging_location("../x").is_err());
    }
}
