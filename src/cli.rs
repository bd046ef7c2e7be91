//! The one-shot commands of the `cms` binary (everything but `serve`).

use std::io::BufRead;

use crate::accounts::users;
use crate::auth::{password, secret};
use crate::config::Config;
use crate::db::Db;

/// `cms migrate`: apply pending migrations.
pub fn migrate(config: &Config) -> Result<(), String> {
    Db::connect_and_migrate(config).map_err(|e| format!("DATABASE_URL: {e}"))?;
    println!("migrations applied to {}", config.database_url.redacted());
    Ok(())
}

/// `cms create-admin --email E`: the only way to make the first admin.
pub fn create_admin(
    config: &Config,
    email: &str,
    name: Option<&str>,
    password_stdin: bool,
) -> Result<(), String> {
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (secret::random_token(18), true)
    };
    password::check_policy("password", &password).map_err(|e| format!("password {}", e.message))?;
    let (db, _) = Db::connect_and_migrate(config).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let display_name = name
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let user = db
        .write_blocking(|tx| users::create_admin_account(tx, email, &display_name, &password))
        .map_err(|e| match e.problem().errors.first() {
            Some(field) => format!("{}: {}", field.field, field.message),
            None => e.problem().detail,
        })?;
    println!("created admin {} (id {})", user.email, user.id);
    if generated {
        println!("password: {password}");
        println!("(shown once; store it now)");
    }
    Ok(())
}

/// `cms seed-demo`: load the French demo content.
pub fn seed_demo(config: &Config) -> Result<(), String> {
    let (db, _) = Db::connect_and_migrate(config).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let summary = crate::demo::seed(&db).map_err(|e| e.problem().detail)?;
    println!("{summary}");
    Ok(())
}

/// `cms media gc`: settle what a crash left in the media store (see
/// `content::media::use_cases::sweep`).
pub fn media_gc(config: &Config) -> Result<(), String> {
    let (db, _) = Db::connect_and_migrate(config).map_err(|e| format!("DATABASE_URL: {e}"))?;
    let store = crate::storage::MediaStore::from_setting(&config.media_store, &config.media_s3)
        .map_err(|e| format!("CMS_MEDIA_STORE: {e}"))?;
    let swept =
        crate::content::media::use_cases::sweep(&db, &store).map_err(|e| e.problem().detail)?;
    println!(
        "media store swept: {} staged upload(s) made visible, {} dropped, {} unused director(ies) removed",
        swept.promoted, swept.dropped, swept.removed
    );
    Ok(())
}

/// The URL a person can open for a server bound to `bind` on `port`: an
/// unspecified address (`0.0.0.0`, `::`) is reached as `127.0.0.1` from
/// the same machine.
pub fn base_url(bind: std::net::SocketAddr, port: u16) -> String {
    let host = match bind.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::base_url;

    #[test]
    fn the_listening_line_names_an_address_one_can_open() {
        assert_eq!(
            base_url("0.0.0.0:8080".parse().unwrap(), 8080),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url("[::1]:0".parse().unwrap(), 4000),
            "http://[::1]:4000"
        );
        assert_eq!(
            base_url("192.0.2.7:80".parse().unwrap(), 80),
            "http://192.0.2.7:80"
        );
    }
}
