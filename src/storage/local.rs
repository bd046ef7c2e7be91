//! Media on the local disk, under one root:
//!
//! - `{hh}/{hash}/{name}.{ext}` and its renditions beside it: visible, and
//!   served at `/media/{hh}/{hash}/{file}` (`content::media::serve`);
//! - `.staging/{hash}.{random}/`: an upload being written, never served.
//!
//! `promote` is one `rename` of a directory: readers see all of an
//! upload's files or none.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Listing;

const STAGING: &str = ".staging";

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

/// Directory and file names this store writes: no separators, no leading
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
        ErrorKind::InvalidInput,
        format!("invalid media path {what:?}"),
    )
}

impl LocalStore {
    pub fn open(root: &str) -> Result<Self, String> {
        let root = PathBuf::from(root);
        std::fs::create_dir_all(root.join(STAGING))
            .map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `{hh}/{hash}` checked, as a path under the root.
    fn dir_path(&self, dir: &str) -> std::io::Result<PathBuf> {
        let mut parts = dir.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(shard), Some(hash), None) if is_plain_name(shard) && is_plain_name(hash) => {
                Ok(self.root.join(shard).join(hash))
            }
            _ => Err(invalid(dir)),
        }
    }

    /// The file a `/media/{hh}/{hash}/{file}` request names, if it is one
    /// this store could have written (never a staging file).
    pub fn file_path(&self, key: &str) -> Option<PathBuf> {
        let (dir, file) = key.rsplit_once('/')?;
        let dir = self.dir_path(dir).ok()?;
        is_plain_name(file).then(|| dir.join(file))
    }

    pub fn stage(&self, dir: &str, files: &[(String, Vec<u8>)]) -> std::io::Result<String> {
        let hash = dir.rsplit('/').next().ok_or_else(|| invalid(dir))?;
        self.dir_path(dir)?;
        let random = uuid::Uuid::new_v4().simple().to_string();
        let location = format!("{hash}.{random}");
        let path = self.root.join(STAGING).join(&location);
        std::fs::create_dir_all(&path)?;
        let written = files.iter().try_for_each(|(name, bytes)| {
            if !is_plain_name(name) {
                return Err(invalid(name));
            }
            let mut file = std::fs::File::create(path.join(name))?;
            file.write_all(bytes)?;
            // On disk before the row that names it commits.
            file.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&path);
            return Err(e);
        }
        Ok(location)
    }

    pub fn promote(&self, location: &str, dir: &str) -> std::io::Result<()> {
        if !is_plain_name(location) {
            return Err(invalid(location));
        }
        let staged = self.root.join(STAGING).join(location);
        let target = self.dir_path(dir)?;
        if let Some(shard) = target.parent() {
            std::fs::create_dir_all(shard)?;
        }
        match std::fs::rename(&staged, &target) {
            Ok(()) => Ok(()),
            // Already there: an identical upload promoted first.
            Err(e) if target.is_dir() => {
                tracing::debug!(error = %e, "media directory exists; staged copy dropped");
                std::fs::remove_dir_all(&staged)
            }
            Err(e) => Err(e),
        }
    }

    pub fn remove_staging(&self, location: &str) -> std::io::Result<()> {
        if !is_plain_name(location) {
            return Err(invalid(location));
        }
        match std::fs::remove_dir_all(self.root.join(STAGING).join(location)) {
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    pub fn remove_dir(&self, dir: &str) -> std::io::Result<()> {
        match std::fs::remove_dir_all(self.dir_path(dir)?) {
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    pub fn list(&self, grace: Duration) -> std::io::Result<Listing> {
        let mut listing = Listing::default();
        for shard in std::fs::read_dir(&self.root)? {
            let shard = shard?;
            let shard_name = shard.file_name().to_string_lossy().into_owned();
            if !is_plain_name(&shard_name) || !shard.file_type()?.is_dir() {
                continue;
            }
            for dir in std::fs::read_dir(shard.path())? {
                let dir = dir?;
                let name = dir.file_name().to_string_lossy().into_owned();
                if is_plain_name(&name) && dir.file_type()?.is_dir() {
                    listing.dirs.push(format!("{shard_name}/{name}"));
                }
            }
        }
        let now = SystemTime::now();
        for staged in std::fs::read_dir(self.root.join(STAGING))? {
            let staged = staged?;
            let location = staged.file_name().to_string_lossy().into_owned();
            let old = staged
                .metadata()?
                .modified()
                .ok()
                .and_then(|at| now.duration_since(at).ok())
                .is_some_and(|age| age >= grace);
            if let (true, Some((hash, _))) = (old, location.split_once('.'))
                && hash.len() >= 2
            {
                listing
                    .stale_staging
                    .push((format!("{}/{hash}", &hash[..2]), location.clone()));
            }
        }
        listing.dirs.sort();
        Ok(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_this_store_writes_are_served() {
        let store = LocalStore {
            root: PathBuf::from("/srv/media"),
        };
        assert_eq!(
            store.file_path("ab/abcdef/photo-640w.webp"),
            Some(PathBuf::from("/srv/media/ab/abcdef/photo-640w.webp"))
        );
        for hostile in [
            "../etc/passwd",
            "ab/../../etc/passwd",
            ".staging/abc.def/photo.jpg",
            "ab/.hidden/photo.jpg",
            "ab/abcdef/.htaccess",
            "ab/abcdef/sub/photo.jpg",
            "ab/abc def/photo.jpg",
            "/etc/passwd",
            "ab/abcdef/",
        ] {
            assert_eq!(store.file_path(hostile), None, "{hostile}");
        }
    }
}
