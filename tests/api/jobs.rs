//! The job queue: claims are exclusive across processes, failures are
//! retried with backoff and then kept as dead, and a scheduled article
//! goes live from the queue when a test clock says its time has come.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use cms::clock::{Clock, ManualClock};
use cms::db::Db;
use cms::db::schema::{content_events, jobs};
use cms::jobs::runner::{Handlers, Runner};

use crate::content_fixtures::{article, desk, ok_json};
use crate::helpers::{Backend, TestApp, TestDatabase, test_config};
use crate::on_both_databases;

/// A database with no application on it: only the runners a test makes
/// touch its queue.
fn bare_db(database: &TestDatabase) -> Db {
    Db::connect_and_migrate(&test_config(&database.url(), &[]))
        .expect("database")
        .0
}

fn enqueue(db: &Db, kind: &'static str, n: i64, at: chrono::NaiveDateTime) -> i64 {
    db.write_blocking(|tx| cms::jobs::enqueue(tx, kind, &json!({ "n": n }), at, at))
        .expect("enqueue")
}

#[derive(Debug, PartialEq)]
struct Row {
    attempts: i32,
    run_at: chrono::NaiveDateTime,
    last_error: Option<String>,
    dead: bool,
}

fn row(db: &Db, id: i64) -> Option<Row> {
    let mut conn = db.get_blocking().unwrap();
    jobs::table
        .find(id)
        .select((
            jobs::attempts,
            jobs::run_at,
            jobs::last_error,
            jobs::dead_at,
        ))
        .first::<(
            i32,
            chrono::NaiveDateTime,
            Option<String>,
            Option<chrono::NaiveDateTime>,
        )>(&mut **conn)
        .optional()
        .unwrap()
        .map(|(attempts, run_at, last_error, dead_at)| Row {
            attempts,
            run_at,
            last_error,
            dead: dead_at.is_some(),
        })
}

fn always_fails(
    _: &mut cms::db::Tx<'_>,
    job: &cms::jobs::Job,
    _: chrono::NaiveDateTime,
) -> Result<(), cms::error::ApiError> {
    Err(cms::error::ApiError::Internal(format!(
        "la tâche {} a échoué",
        job.id
    )))
}

/// Fails on its first two attempts, then writes a tag (its effect).
fn third_time_lucky(
    tx: &mut cms::db::Tx<'_>,
    job: &cms::jobs::Job,
    now: chrono::NaiveDateTime,
) -> Result<(), cms::error::ApiError> {
    if job.attempts < 3 {
        return always_fails(tx, job, now);
    }
    diesel::insert_into(cms::db::schema::tags::table)
        .values((
            cms::db::schema::tags::slug.eq(format!("job-{}", job.id)),
            cms::db::schema::tags::name.eq("fait"),
            cms::db::schema::tags::created_at.eq(now),
            cms::db::schema::tags::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    Ok(())
}

async fn a_failing_job_is_retried_with_backoff_then_kept_dead(backend: Backend) {
    tokio::task::spawn_blocking(move || {
        let database = TestDatabase::create(backend);
        let db = bare_db(&database);
        let clock = ManualClock::starting_now();
        let runner = Runner::new(
            db.clone(),
            clock.clone(),
            Handlers::default()
                .with("test.fails", always_fails)
                .with("test.third", third_time_lucky),
        );
        let doomed = enqueue(&db, "test.fails", 1, clock.now());
        let lucky = enqueue(&db, "test.third", 2, clock.now());
        for attempt in 1..=cms::jobs::MAX_ATTEMPTS {
            assert!(runner.run_due().unwrap() > 0, "attempt {attempt} ran");
            let doomed_row = row(&db, doomed).expect("kept");
            assert_eq!(doomed_row.attempts, attempt);
            let error = doomed_row.last_error.unwrap_or_default();
            assert!(
                error.contains(&format!("la tâche {doomed} a échoué")),
                "{error}"
            );
            if attempt < cms::jobs::MAX_ATTEMPTS {
                assert!(!doomed_row.dead);
                assert_eq!(doomed_row.run_at, clock.now() + cms::jobs::backoff(attempt));
                // Not before its backoff has passed.
                assert_eq!(runner.run_due().unwrap(), 0);
                clock.set(doomed_row.run_at);
            } else {
                assert!(doomed_row.dead, "dead after {attempt} attempts");
            }
        }
        // The other succeeded on its third attempt: its effect committed
        // and the job is gone.
        assert!(row(&db, lucky).is_none());
        let mut conn = db.get_blocking().unwrap();
        let slugs: Vec<String> = cms::db::schema::tags::table
            .select(cms::db::schema::tags::slug)
            .load(&mut **conn)
            .unwrap();
        assert_eq!(slugs, [format!("job-{lucky}")]);
        // A dead job is never claimed again, and stays readable.
        clock.advance(Duration::days(30));
        assert_eq!(runner.run_due().unwrap(), 0);
        let dead = cms::jobs::dead(&mut conn).unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].id, doomed);
        assert_eq!(dead[0].kind, "test.fails");
        assert_eq!(dead[0].payload, r#"{"n":1}"#);
        assert_eq!(dead[0].attempts, cms::jobs::MAX_ATTEMPTS);
    })
    .await
    .unwrap();
}

async fn a_job_whose_worker_died_is_claimed_again_after_its_lease(backend: Backend) {
    tokio::task::spawn_blocking(move || {
        let database = TestDatabase::create(backend);
        let db = bare_db(&database);
        let clock = ManualClock::starting_now();
        let id = enqueue(&db, "test.lease", 1, clock.now());
        let first = db
            .write_blocking(|tx| cms::jobs::claim(tx, "mort", clock.now(), 10))
            .unwrap();
        assert_eq!(first.len(), 1);
        let again = db
            .write_blocking(|tx| cms::jobs::claim(tx, "vivant", clock.now(), 10))
            .unwrap();
        assert!(again.is_empty(), "claimed twice within the lease");
        clock.advance(cms::jobs::LEASE);
        let after = db
            .write_blocking(|tx| cms::jobs::claim(tx, "vivant", clock.now(), 10))
            .unwrap();
        assert_eq!(after.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
        assert_eq!(after[0].attempts, 2);
    })
    .await
    .unwrap();
}

/// Two pools on one PostgreSQL, as two application processes have, claim
/// from one queue at the same time: every job is claimed exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn a_job_is_claimed_exactly_once_by_two_processes() {
    if crate::helpers::postgres_admin_url().is_none() {
        return;
    }
    tokio::task::spawn_blocking(|| {
        let database = TestDatabase::create(Backend::Postgres);
        let first = bare_db(&database);
        let now = cms::timestamp::now();
        const JOBS: i64 = 300;
        first
            .write_blocking(|tx| {
                for n in 0..JOBS {
                    cms::jobs::enqueue(tx, "test.claim", &json!({ "n": n }), now, now)?;
                }
                Ok(())
            })
            .unwrap();
        let claimed = Arc::new(Mutex::new(Vec::new()));
        let start = Arc::new(std::sync::Barrier::new(2));
        let workers: Vec<_> = ["un", "deux"]
            .into_iter()
            .map(|worker| {
                let db = bare_db(&database);
                let claimed = Arc::clone(&claimed);
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    loop {
                        let jobs = db
                            .write_blocking(|tx| cms::jobs::claim(tx, worker, now, 3))
                            .unwrap();
                        if jobs.is_empty() {
                            break;
                        }
                        claimed
                            .lock()
                            .unwrap()
                            .extend(jobs.into_iter().map(|j| (j.id, worker)));
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        let claimed = claimed.lock().unwrap();
        let mut ids: Vec<i64> = claimed.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), claimed.len(), "a job was claimed twice");
        assert_eq!(ids.len() as i64, JOBS, "a job was never claimed");
        for worker in ["un", "deux"] {
            assert!(
                claimed.iter().any(|(_, w)| *w == worker),
                "{worker} claimed nothing: the two did not run side by side"
            );
        }
    })
    .await
    .unwrap();
}

async fn a_scheduled_article_goes_live_from_the_queue_when_the_clock_says(backend: Backend) {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(backend, clock.clone()).await;
    let d = desk(&app).await;
    let at = clock.now() + Duration::hours(3);
    let created = article(
        &app,
        &d.editor.token,
        &json!({
            "title": "À paraître à l’aube",
            "body": "Bientôt.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "status": "scheduled",
            "published_at": at.and_utc().to_rfc3339(),
        }),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let list = "/api/v1/articles";
    assert_eq!(ok_json(app.get(list).await).await["meta"]["total"], 0);
    // Cached while hidden.
    for _ in 0..3 {
        app.get(list).await;
    }
    clock.set(at);
    // The workers wake on the clock's jump; no sleeping for the real time.
    let mut body = serde_json::Value::Null;
    for _ in 0..100 {
        body = ok_json(app.get(list).await).await;
        if body["meta"]["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(body["meta"]["total"], 1, "never went live: {body}");
    assert_eq!(body["data"][0]["status"], "published");
    let (events, queued) = app
        .db
        .read(move |conn| {
            let events = content_events::table
                .filter(content_events::resource_id.eq(id))
                .filter(content_events::resource.eq("article"))
                .select((content_events::action, content_events::credential))
                .order(content_events::id)
                .load::<(String, Option<String>)>(conn)?;
            let queued = jobs::table
                .filter(jobs::kind.eq(cms::content::articles::go_live::KIND))
                .count()
                .get_result::<i64>(conn)?;
            Ok((events, queued))
        })
        .await
        .unwrap();
    assert_eq!(
        events,
        [
            ("created".to_owned(), Some("session".to_owned())),
            ("published".to_owned(), Some("scheduler".to_owned())),
        ]
    );
    assert_eq!(queued, 0, "the job is done and gone");
}

async fn a_rescheduled_article_goes_live_once_at_its_new_time(backend: Backend) {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(backend, clock.clone()).await;
    let d = desk(&app).await;
    let first = clock.now() + Duration::hours(1);
    let created = article(
        &app,
        &d.editor.token,
        &json!({
            "title": "Reporté",
            "body": "Bientôt.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "status": "scheduled",
            "published_at": first.and_utc().to_rfc3339(),
        }),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let later = clock.now() + Duration::hours(2);
    let response = app
        .patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(&d.editor.token),
            &json!({"published_at": later.and_utc().to_rfc3339()}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let pending = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            db.read(|conn| {
                Ok(jobs::table
                    .filter(jobs::kind.eq(cms::content::articles::go_live::KIND))
                    .select(jobs::run_at)
                    .load::<chrono::NaiveDateTime>(conn)?)
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(pending(&app).await, [later], "one job, at the new time");
    clock.set(first);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        ok_json(app.get("/api/v1/articles").await).await["meta"]["total"],
        0
    );
    clock.set(later);
    let mut published = 0;
    for _ in 0..100 {
        published = app
            .db
            .read(move |conn| {
                Ok(content_events::table
                    .filter(content_events::resource_id.eq(id))
                    .filter(content_events::action.eq("published"))
                    .count()
                    .get_result::<i64>(conn)?)
            })
            .await
            .unwrap();
        if published > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(published, 1);
    assert!(pending(&app).await.is_empty());
}

/// An operator sees waiting and dead jobs in `/metrics`.
async fn dead_and_waiting_jobs_show_in_the_metrics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let gauges = |text: &str| {
        ["waiting", "dead"].map(|state| {
            let prefix = format!("cms_jobs{{state=\"{state}\"}} ");
            text.lines()
                .find_map(|line| line.strip_prefix(&prefix))
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or_else(|| panic!("no {state} gauge in:\n{text}"))
        })
    };
    let metrics = || async { app.get("/metrics").await.text().await.unwrap() };
    // The daily comments housekeeping always waits for its next run.
    assert_eq!(gauges(&metrics().await), [1, 0]);
    // Far in the future: no worker takes them during the test.
    let later = cms::timestamp::now() + Duration::days(365);
    app.db
        .write(move |tx| {
            for n in 0..3 {
                cms::jobs::enqueue(tx, "test.later", &json!({ "n": n }), later, later)?;
            }
            diesel::update(jobs::table.filter(jobs::payload.eq(r#"{"n":0}"#)))
                .set((
                    jobs::dead_at.eq(cms::timestamp::now()),
                    jobs::attempts.eq(cms::jobs::MAX_ATTEMPTS),
                ))
                .execute(tx.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(gauges(&metrics().await), [3, 1]);
}

on_both_databases!(
    dead_and_waiting_jobs_show_in_the_metrics,
    a_failing_job_is_retried_with_backoff_then_kept_dead,
    a_job_whose_worker_died_is_claimed_again_after_its_lease,
    a_scheduled_article_goes_live_from_the_queue_when_the_clock_says,
    a_rescheduled_article_goes_live_once_at_its_new_time,
);
