//! Media on the local disk, under one root:
//!
//! - `{hh}/{hash}/{name}.{ext}` and its renditions beside it: visible, and
//!   served at `/media/{hh}/{hash}/{file}` (`content::media::serve`);
//! - `.staging/{location}/` (`super::staging_location`): an upload being
//!   written, never served.
//!
//! `promote` is one `rename` of a directory: readers see all of an
//! upload's files or none.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    Listing, STAGING, check_dir, dir_of_location, invalid, is_plain_name, split_key,
    staged_is_stale,
};

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
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
        let (shard, hash) = check_dir(dir)?;
        Ok(self.root.join(shard).join(hash))
    }

    /// The file a `/media/{hh}/{hash}/{file}` request names, if it is one
    /// this store could have written (never a staging file).
    pub fn file_path(&self, key: &str) -> Option<PathBuf> {
        let (dir, file) = split_key(key)?;
        Some(self.dir_path(dir).ok()?.join(file))
    }

    /// Writes `files` at the staging `location` (`super::staging_location`).
    pub fn stage(&self, location: &str, files: &[(String, Vec<u8>)]) -> std::io::Result<String> {
        if !is_plain_name(location) {
            return Err(invalid(location));
        }
        let location = location.to_owned();
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
        for staged in std::fs::read_dir(self.root.join(STAGING))? {
            let location = staged?.file_name().to_string_lossy().into_owned();
            if staged_is_stale(&location, grace)
                && let Some(dir) = dir_of_location(&location)
            {
                listing.stale_staging.push((dir, location));
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
