//! What a newcomer and an operator meet first: the root, the first start's
//! log, the demo after `create-admin`, and protected metrics.

use std::process::Stdio;

use crate::helpers::{Backend, TestApp, TestDatabase, header, problem};
use crate::on_both_databases;
use crate::startup::{cms, stop, wait_until_ready};

async fn the_root_answers_json_and_a_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let asked = app
        .client
        .get(app.url("/"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(header(&asked, "content-type").starts_with("application/json"));
    // The editors' discovery links are there for JSON clients too.
    assert!(header(&asked, "link").contains("https://api.w.org/"));
    let json: serde_json::Value = asked.json().await.unwrap();
    assert_eq!(json["name"], "Newsroom CMS");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["links"]["docs"], "/docs");
    assert_eq!(json["links"]["openapi"], "/openapi.json");
    assert_eq!(json["links"]["api"], "/api/v1");
    // Each link leads somewhere.
    for link in ["/docs/", "/openapi.json", "/api/v1/articles"] {
        assert_eq!(app.get(link).await.status(), 200, "{link}");
    }
    // What a browser sends.
    let page = app
        .client
        .get(app.url("/"))
        .header(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert!(header(&page, "vary").contains("Accept"));
    let html = page.text().await.unwrap();
    assert!(html.contains("href=\"/docs\"") && html.contains("href=\"/openapi.json\""));
    assert!(html.contains("Documentation de l’API"));
    // Still the editors' discovery page (MarsEdit reads its EditURI).
    assert!(html.contains("rel=\"EditURI\""));
    // Without `Accept` (curl, an editor's discovery): the page.
    let plain = app.get("/").await;
    assert!(header(&plain, "content-type").starts_with("text/html"));
    // A client asking for JSON first gets JSON.
    let api = app
        .client
        .get(app.url("/"))
        .header("Accept", "application/json, text/html;q=0.5")
        .send()
        .await
        .unwrap();
    assert!(header(&api, "content-type").starts_with("application/json"));
}

async fn metrics_can_be_protected_and_show_routes_and_the_cache(backend: Backend) {
    let token = "jeton-de-supervision-0123456789";
    let app = TestApp::spawn_with(backend, &[("CMS_METRICS_TOKEN", token)]).await;
    let refused = app.get("/metrics").await;
    assert!(header(&refused, "www-authenticate").starts_with("Bearer"));
    problem(refused, 401).await;
    problem(
        app.get_as("/metrics", Some("un-autre-jeton-de-test")).await,
        401,
    )
    .await;
    // A miss then a hit of the same public read.
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/articles?per_page=3").await.status(), 200);
    }
    let text = app
        .get_as("/metrics", Some(token))
        .await
        .text()
        .await
        .unwrap();
    let value = |line_prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(line_prefix))
            .unwrap_or_else(|| panic!("{line_prefix} missing from {text}"))
            .trim()
            .parse()
            .unwrap()
    };
    assert!(value("cms_response_cache_requests_total{result=\"hit\"} ") >= 1.0);
    assert!(value("cms_response_cache_requests_total{result=\"miss\"} ") >= 1.0);
    // Both reads counted under their route, the hit too.
    let route = "method=\"GET\",route=\"/api/v1/articles\"";
    assert_eq!(
        value(&format!(
            "cms_http_request_duration_seconds_count{{{route}}} "
        )),
        2.0,
        "{text}"
    );
    assert_eq!(
        value(&format!(
            "cms_http_request_duration_seconds_bucket{{{route},le=\"+Inf\"}} "
        )),
        2.0
    );
    assert!(text.contains("# TYPE cms_http_request_duration_seconds histogram"));
    // The miss went to the database: each phase of its trip counted once
    // at least (the list's page and its total), and every phase's
    // histogram adds up.
    for phase in ["blocking_wait", "pool_wait", "work"] {
        let count = value(&format!("cms_db_phase_seconds_count{{phase=\"{phase}\"}} "));
        assert!(count >= 1.0, "{phase}: {text}");
        assert_eq!(
            value(&format!(
                "cms_db_phase_seconds_bucket{{phase=\"{phase}\",le=\"+Inf\"}} "
            )),
            count
        );
    }
    assert!(!text.contains(token));
}

/// The binary's output for `vars`, started and stopped once ready.
async fn first_start_log(vars: &[(&str, &str)]) -> String {
    let port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut all = vars.to_vec();
    all.push(("CMS_BIND", &bind));
    all.push(("RUST_LOG", "info"));
    let mut child = cms(&all, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ready = wait_until_ready(&format!("http://{bind}")).await;
    stop(&mut child);
    let output = child.wait_with_output().unwrap();
    assert!(ready, "the binary never became ready");
    let mut log = String::from_utf8(output.stdout).unwrap();
    log.push_str(&String::from_utf8(output.stderr).unwrap());
    log.replace(&bind, "BIND")
}

async fn the_demo_seeds_after_create_admin_and_the_log_guides(backend: Backend) {
    // A database without accounts: the log says how to make one, without
    // colour codes in a pipe, and the listening line is a URL.
    let database = TestDatabase::create_empty(backend);
    let url = database.url();
    let vars = [
        ("DATABASE_URL", url.as_str()),
        ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
        ("CMS_SEED_DEMO", "false"),
    ];
    let log = first_start_log(&vars).await;
    assert!(log.contains("no account yet"), "{log}");
    assert!(log.contains("cms create-admin --email"), "{log}");
    assert!(
        log.contains("listening on http://BIND/ (API documentation at http://BIND/docs)"),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "colour codes in a pipe: {log:?}");

    // `create-admin` before the first serve, then serve with the demo on.
    let database = TestDatabase::create_empty(backend);
    let url = database.url();
    let mut admin = cms(
        &[
            ("DATABASE_URL", url.as_str()),
            ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
        ],
        &[
            "create-admin",
            "--email",
            "admin@journal.bj",
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    {
        use std::io::Write;
        admin
            .stdin
            .take()
            .unwrap()
            .write_all(b"une phrase de passe assez longue pour l'admin\n")
            .unwrap();
    }
    let created = admin.wait_with_output().unwrap();
    assert!(created.status.success(), "{created:?}");
    let vars = [
        ("DATABASE_URL", url.as_str()),
        ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
        ("CMS_SEED_DEMO", "true"),
        ("CMS_LOG_FORMAT", "json"),
    ];
    let log = first_start_log(&vars).await;
    assert!(!log.contains("no account yet"), "{log}");
    // Every line is one JSON object, durations rounded.
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if let Some(ms) = event.get("elapsed_ms").and_then(serde_json::Value::as_f64) {
            assert_eq!((ms * 100.0).round() / 100.0, ms, "{line}");
        }
    }
    assert!(log.contains("seeded"), "the demo came in: {log}");
    let config = crate::helpers::test_config(&url, &[]);
    let (db, _) = cms::db::Db::connect_and_migrate(&config).unwrap();
    let titles: Vec<String> = db
        .read(|conn| {
            use cms::db::schema::articles;
            use diesel::prelude::*;
            Ok(articles::table.select(articles::title).load(conn)?)
        })
        .await
        .unwrap();
    assert!(titles.len() >= 12, "{titles:?}");
}

on_both_databases!(
    the_root_answers_json_and_a_page,
    metrics_can_be_protected_and_show_routes_and_the_cache,
    the_demo_seeds_after_create_admin_and_the_log_guides,
);
