//! The `cms` binary itself: configuration errors stop it with one line that
//! names the variable, and it migrates, seeds and serves on either database.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestDatabase};
use crate::on_both_databases;

const BIN: &str = env!("CARGO_BIN_EXE_cms");

pub(crate) fn cms(vars: &[(&str, &str)], args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    // Run where no .env file can interfere.
    command.current_dir(std::env::temp_dir());
    for (k, v) in vars {
        command.env(k, v);
    }
    command
}

#[test]
fn configuration_errors_name_the_variable_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let under_a_file = format!("sqlite://{}/cms.sqlite3", file.display());
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("CMS_BIND", "not-an-address")], "CMS_BIND"),
        (&[("CMS_BIND", "127.0.0.1:70000")], "CMS_BIND"),
        (&[("DATABASE_URL", "mysql://localhost/cms")], "DATABASE_URL"),
        (&[("DATABASE_URL", under_a_file.as_str())], "DATABASE_URL"),
        (&[("CMS_SEED_DEMO", "perhaps")], "CMS_SEED_DEMO"),
        (&[("CMS_JWT_SECRET", "too-short")], "CMS_JWT_SECRET"),
        // Published in .env.example: refused in development too.
        (
            &[("CMS_JWT_SECRET", cms::config::EXAMPLE_JWT_SECRET)],
            "CMS_JWT_SECRET",
        ),
        (
            &[("CMS_JWT_SECRET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")],
            "CMS_JWT_SECRET",
        ),
        (&[("CMS_ENV", "production")], "CMS_JWT_SECRET"),
        (
            &[("CMS_SITE_TIMEZONE", "Afrique/Cotonou")],
            "CMS_SITE_TIMEZONE",
        ),
        (&[("CMS_SITE_LANGUAGE", "français")], "CMS_SITE_LANGUAGE"),
        (&[("CMS_SITE_URL", "www.journal.example")], "CMS_SITE_URL"),
    ];
    for (vars, variable) in cases {
        let output = cms(vars, &["serve"]).output().unwrap();
        assert!(!output.status.success(), "{vars:?} started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(error_lines.len(), 1, "{vars:?}: {stderr}");
        assert!(error_lines[0].contains(variable), "{vars:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{stderr}"
        );
    }
}

/// Starts `cms serve` on a free port, waits for readiness, returns the child.
pub(crate) fn serve(vars: &[(&str, &str)]) -> (std::process::Child, String) {
    let port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut all: Vec<(&str, &str)> = vars.to_vec();
    all.push(("CMS_BIND", &bind));
    all.push(("RUST_LOG", "warn"));
    let child = cms(&all, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, format!("http://{bind}"))
}

pub(crate) async fn wait_until_ready(base: &str) -> bool {
    let client = {
        cms::telemetry::init_for_tests();
        reqwest::Client::new()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/health/ready")).send().await
            && r.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// SIGTERM: a graceful stop.
pub(crate) fn stop(child: &mut std::process::Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    child.wait().unwrap()
}

/// In development without `CMS_JWT_SECRET`, the generated secret is kept
/// beside the data: a restart does not sign everyone out.
#[tokio::test]
async fn the_development_secret_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/cms.sqlite3", dir.path().display());
    let vars = [("DATABASE_URL", url.as_str()), ("CMS_SEED_DEMO", "false")];
    let mut create = cms(
        &vars,
        &[
            "create-admin",
            "--email",
            "admin@redaction.test",
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    std::io::Write::write_all(
        create.stdin.as_mut().unwrap(),
        b"un mot de passe assez long\n",
    )
    .unwrap();
    assert!(create.wait().unwrap().success());

    let (mut first, base) = serve(&vars);
    assert!(wait_until_ready(&base).await);
    let client = {
        cms::telemetry::init_for_tests();
        reqwest::Client::new()
    };
    let pair: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@redaction.test", "password": "un mot de passe assez long"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    assert!(stop(&mut first).success());
    let secret = std::fs::metadata(dir.path().join("data/.jwt-secret")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&secret.permissions()) & 0o777,
        0o600
    );

    let (mut second, base) = serve(&vars);
    assert!(wait_until_ready(&base).await);
    let me = client
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let status = me.status();
    stop(&mut second);
    assert_eq!(status, 200, "a token issued before the restart still works");
}

async fn the_binary_migrates_seeds_and_serves(backend: Backend) {
    let database = TestDatabase::create_empty(backend);
    let url = database.url();
    let (mut child, base) = serve(&[
        ("DATABASE_URL", &url),
        ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
    ]);
    let ready = wait_until_ready(&base).await;
    let status = stop(&mut child);
    assert!(ready, "the binary never became ready");
    assert!(status.success(), "graceful shutdown on SIGTERM: {status:?}");

    // The demo landed in the database.
    let config = crate::helpers::test_config(&url, &[]);
    let (db, fresh) = cms::db::Db::connect_and_migrate(&config).unwrap();
    assert!(!fresh);
    let titles: Vec<String> = db
        .read(|conn| {
            use cms::db::schema::articles;
            use diesel::prelude::*;
            Ok(articles::table.select(articles::title).load(conn)?)
        })
        .await
        .unwrap();
    assert!(
        titles
            .iter()
            .any(|t| t == "Lutte contre le terrorisme : le Niger compte sur la Russie")
    );
    assert!(titles.len() >= 12);
}

on_both_databases!(the_binary_migrates_seeds_and_serves);

/// Malformed HTTP is a client's noise: answered, never logged as an ERROR.
#[tokio::test]
async fn malformed_http_from_clients_is_not_logged_as_an_error() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/cms.sqlite3", dir.path().display());
    let log = dir.path().join("server.log");
    let port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{port}");
    let vars = [
        ("DATABASE_URL", url.as_str()),
        ("CMS_SEED_DEMO", "false"),
        ("CMS_BIND", bind.as_str()),
        ("RUST_LOG", "info"),
    ];
    // The log goes to standard output.
    let mut child = cms(&vars, &[])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until_ready(&format!("http://{bind}")).await);
    let huge_header = format!(
        "GET /api/v1/articles HTTP/1.1\r\nHost: x\r\nX-Cursor: {}\r\n\r\n",
        "a".repeat(512 * 1024)
    );
    for request in [
        "GARBAGE\r\n\r\n".to_owned(),
        "GET /api/v1/articles HTTP/9.9\r\nHost: x\r\n\r\n".to_owned(),
        "GET /api/v1/articles HTTP/1.1\r\nBad Header\r\n\r\n".to_owned(),
        huge_header,
    ] {
        let mut stream = std::net::TcpStream::connect(&bind).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = stream.write_all(request.as_bytes());
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 4"),
            "{request:.40}: {answer:.80}"
        );
    }
    assert!(stop(&mut child).success());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("INFO"), "the log is written: {logged}");
    assert!(!logged.contains("ERROR"), "{logged}");
}
