//! The key access tokens are signed with: `CMS_JWT_SECRET` when set (required
//! in production, checked by the configuration); in development, a random
//! secret generated once and kept beside the data so restarts do not sign
//! everyone out.

use std::io::Write;
use std::path::PathBuf;

use crate::config::{Config, DatabaseUrl};

const FILE_NAME: &str = ".jwt-secret";

fn secret_path(config: &Config) -> PathBuf {
    match &config.database_url {
        DatabaseUrl::Sqlite(path) => path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| d.join(FILE_NAME))
            .unwrap_or_else(|| PathBuf::from(FILE_NAME)),
        DatabaseUrl::Postgres(_) => PathBuf::from("data").join(FILE_NAME),
    }
}

pub fn resolve(config: &Config) -> Result<String, String> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let path = secret_path(config);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    let secret = crate::auth::secret::random_token(48);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(|e| {
        format!(
            "unset, and the development secret cannot be written to {}: {e}",
            path.display()
        )
    })?;
    file.write_all(secret.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a development signing secret");
    Ok(secret)
}
