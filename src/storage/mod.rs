//! Where media bytes live, chosen by configuration like the database:
//! `CMS_MEDIA_STORE` is a directory (the default, `./data/media`, served by
//! this process under `/media/...`). The object-store backend
//! (`s3://bucket/prefix`) comes next behind the same calls.
//!
//! An upload's files are written to a staging area first, invisible to
//! readers, and made visible (`promote`) only after the row that names
//! them committed: a failure in between leaves nothing that is served,
//! and the start-up sweep (`sweep`) settles what a crash left behind.

pub mod local;

use std::time::Duration;

use crate::error::ApiError;

pub use local::LocalStore;

/// Staged uploads older than this are settled by a sweep: no upload takes
/// that long between its staging and its commit.
pub const STAGING_GRACE: Duration = Duration::from_secs(3_600);

#[derive(Debug, Clone)]
pub enum MediaStore {
    Local(LocalStore),
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
    /// From `CMS_MEDIA_STORE`: a directory path, or `file://` and a path.
    pub fn from_setting(setting: &str) -> Result<Self, String> {
        if setting.contains("://") && !setting.starts_with("file://") {
            return Err(format!(
                "`{setting}`: only a directory (or file://PATH) is supported yet"
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
        match self {
            Self::Local(store) => {
                let store = store.clone();
                let for_dir = dir.to_owned();
                let location = blocking(move || store.stage(&for_dir, &files)).await?;
                Ok(Staged {
                    dir: dir.to_owned(),
                    location,
                })
            }
        }
    }

    /// Makes staged files visible. When the directory already exists (an
    /// identical upload), the staged copy is dropped: the bytes are the same.
    pub async fn promote(&self, staged: Staged) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => {
                let store = store.clone();
                blocking(move || store.promote(&staged.location, &staged.dir)).await
            }
        }
    }

    /// Drops staged files whose row never committed.
    pub async fn discard(&self, staged: Staged) {
        match self {
            Self::Local(store) => {
                let store = store.clone();
                if let Err(e) = blocking(move || store.remove_staging(&staged.location)).await {
                    tracing::warn!(error = %e.problem().detail, "staged media left for the sweep");
                }
            }
        }
    }

    /// Removes a visible directory and its files; a missing one is fine.
    /// Blocking: called inside the transaction that checked no row uses it.
    pub fn remove_dir_blocking(&self, dir: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.remove_dir(dir).map_err(io_error),
        }
    }

    pub fn list_blocking(&self) -> Result<Listing, ApiError> {
        match self {
            Self::Local(store) => store.list(STAGING_GRACE).map_err(io_error),
        }
    }

    pub fn promote_blocking(&self, location: &str, dir: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.promote(location, dir).map_err(io_error),
        }
    }

    pub fn remove_staging_blocking(&self, location: &str) -> Result<(), ApiError> {
        match self {
            Self::Local(store) => store.remove_staging(location).map_err(io_error),
        }
    }
}
