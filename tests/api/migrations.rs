use cms::db::schema::tags;
use cms::db::{Db, DbConnection};
use diesel::prelude::*;

use crate::helpers::{Backend, TestDatabase, test_config};
use crate::on_both_databases;

async fn migrations_apply_from_empty_and_are_idempotent(backend: Backend) {
    let database = TestDatabase::create_empty(backend);
    let config = test_config(&database.url(), &[]);
    let (db, fresh) = Db::connect_and_migrate(&config).expect("first migration");
    assert!(fresh, "an empty database is reported as new");
    drop(db);
    let (db, fresh) = Db::connect_and_migrate(&config).expect("second migration");
    assert!(!fresh, "a migrated database is not new");
    drop(db);
    // Migrating needs a connection that may write (the pool's are read-only).
    let mut conn = cms::db::ConnectionManager::new(config.database_url.clone())
        .open_existing()
        .unwrap();
    assert!(!cms::db::migrate(&mut conn).unwrap());
    // Every table of the v1 schema answers a query.
    for table in [
        "users",
        "authors",
        "categories",
        "tags",
        "articles",
        "article_authors",
        "article_tags",
        "refresh_tokens",
        "api_tokens",
        "login_throttles",
        "content_events",
        "jobs",
    ] {
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            &format!("SELECT COUNT(*) FROM {table}"),
        )
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
}

async fn french_text_and_emoji_round_trip_byte_for_byte(backend: Backend) {
    let database = TestDatabase::create(backend);
    let (db, _) = Db::connect_and_migrate(&test_config(&database.url(), &[])).unwrap();
    let text = "L’été à Niamey : « Noël » approche — œuvre, ÇA, naïve 🇳🇪🎉 \u{a0}fin";
    let stored = db
        .write(move |tx: &mut cms::db::Tx<'_>| {
            let conn: &mut DbConnection = tx.conn();
            let now = cms::timestamp::now();
            diesel::insert_into(tags::table)
                .values((
                    tags::slug.eq("utf8"),
                    tags::name.eq(text),
                    tags::description.eq(Some(text)),
                    tags::created_at.eq(now),
                    tags::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(tags::table
                .filter(tags::slug.eq("utf8"))
                .select((tags::name, tags::description))
                .first::<(String, Option<String>)>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored.0.as_bytes(), text.as_bytes());
    assert_eq!(stored.1.unwrap().as_bytes(), text.as_bytes());
}

on_both_databases!(
    migrations_apply_from_empty_and_are_idempotent,
    french_text_and_emoji_round_trip_byte_for_byte,
);
