//! A news site stays up when PostgreSQL goes down: anonymous readers get
//! the last good answer (marked stale), writes get 503 with Retry-After,
//! readiness reports the outage, and fresh content returns within a second
//! of the database. The test starts a PostgreSQL server of its own, stops
//! it and starts it again.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::content_fixtures::{desk, published};
use crate::helpers::{Backend, TestApp, header, postgres_admin_url};

/// A PostgreSQL server in a temporary directory, on a port of its own.
struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PgServer {
    /// `None` where no PostgreSQL server binaries are installed.
    fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("pg_ctl").exists())
            .max()?;
        let dir = tempfile::tempdir().expect("temp dir");
        // initdb refuses to run as root: run the server as `postgres`.
        let uid = Command::new("id").arg("-u").output().expect("id");
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let port = crate::helpers::free_port();
        let server = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = server.data();
        server.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        server.pg_ctl_start();
        Some(server)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command.args(args).output().expect(program);
        assert!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        let data = self.data();
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
    }

    fn stop(&self) {
        let data = self.data();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable&gssencmode=disable",
            self.port
        )
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let path = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_reads_survive_a_postgres_outage() {
    // Runs where the PostgreSQL tests run (CI always).
    if postgres_admin_url().is_none() {
        return;
    }
    let server = PgServer::start().expect("PostgreSQL server binaries under /usr/lib/postgresql");
    {
        use diesel::{Connection, RunQueryDsl};
        let mut admin = diesel::PgConnection::establish(&server.url("postgres")).unwrap();
        diesel::sql_query("CREATE DATABASE cms")
            .execute(&mut admin)
            .unwrap();
    }
    let app = TestApp::spawn_on(&server.url("cms"), Backend::Postgres, &[]).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let article = published(
        &app,
        &token,
        "Élection au Bénin",
        desk.category_id,
        desk.author_id,
    )
    .await;
    let pages = [
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{}", article["slug"].as_str().unwrap()),
        "/api/v1/categories".to_owned(),
    ];
    let mut last_good = Vec::new();
    for page in &pages {
        let response = app.get(page).await;
        assert_eq!(response.status(), 200);
        last_good.push(response.text().await.unwrap());
    }

    server.stop();
    let outage = Instant::now();
    let (mut served, mut stale, mut other) = (0, 0, Vec::new());
    while outage.elapsed() < Duration::from_secs(3) {
        for (page, body) in pages.iter().zip(&last_good) {
            let response = app.get(page).await;
            let status = response.status().as_u16();
            if status == 200 {
                served += 1;
                if header(&response, "x-cache") == "stale" {
                    stale += 1;
                    assert!(header(&response, "warning").starts_with("110"));
                }
                assert_eq!(&response.text().await.unwrap(), body, "{page}");
            } else {
                other.push(status);
            }
        }
    }
    assert!(other.is_empty(), "reads during the outage got {other:?}");
    assert!(
        stale > 0 && served >= 30,
        "{served} reads served, {stale} stale"
    );
    // Writes are refused with a time to come back, readiness says why.
    let write = app
        .post_json("/api/v1/tags", Some(&token), &json!({"name": "Panne"}))
        .await;
    assert_eq!(write.status(), 503);
    assert!(!header(&write, "retry-after").is_empty());
    assert_eq!(app.get("/health/ready").await.status(), 503);
    // A page never served before has nothing to fall back on.
    assert_eq!(app.get("/api/v1/tags").await.status(), 503);

    server.pg_ctl_start();
    let back = Instant::now();
    loop {
        let response = app.get(&pages[0]).await;
        if response.status() == 200 && header(&response, "x-cache") != "stale" {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(1),
            "still stale {:?} after PostgreSQL came back",
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.get("/health/ready").await.status(), 200);
    let write = app
        .post_json("/api/v1/tags", Some(&token), &json!({"name": "Retour"}))
        .await;
    assert_eq!(write.status(), 201);
    eprintln!(
        "outage: {served} reads served ({stale} stale) in 3 s; fresh {:?} after the restart",
        back.elapsed()
    );
}
