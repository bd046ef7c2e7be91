//! Benchmark data: N French articles (default 10,000) with 50 authors, 20
//! categories in a tree, 200 tags, 3 tags per article, ~4 KB bodies and 90 %
//! published, inserted in batches straight through the db layer.
//!
//! `DATABASE_URL=... cargo run --release --example bench-seed -- 10000`
//! Prints the slugs of published articles to `bench/out/slugs.txt` for the
//! load script.

use std::io::Write;
use std::time::Instant;

use chrono::Duration;
use diesel::prelude::*;

use cms::Config;
use cms::content::body::{self, BodyFormat};
use cms::content::embeds::EmbedHosts;
use cms::content::french_order;
use cms::db::schema::{article_authors, article_tags, articles, authors, categories, tags};
use cms::db::{Db, DbConnection};

const AUTHORS: usize = 50;
const CATEGORIES: usize = 20;
const TAGS: usize = 200;
const TAGS_PER_ARTICLE: usize = 3;
/// Rows per INSERT: under SQLite's bound-parameter limit for the widest table.
const BATCH: usize = 500;

const PLACES: &[&str] = &[
    "Niamey",
    "Cotonou",
    "Zinder",
    "Parakou",
    "Agadez",
    "Porto-Novo",
    "Maradi",
    "Bangui",
    "Alger",
    "Abuja",
];
const SUBJECTS: &[&str] = &[
    "la sécurité",
    "l’économie",
    "les élections",
    "la coopération",
    "l’éducation",
    "la santé",
    "l’agriculture",
    "la diplomatie",
];

/// A cheap deterministic generator, so two runs seed the same data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn paragraph(rng: &mut Lcg) -> String {
    let place = PLACES[rng.below(PLACES.len())];
    let subject = SUBJECTS[rng.below(SUBJECTS.len())];
    format!(
        "À {place}, les autorités ont présenté jeudi un nouveau plan consacré à {subject}. \
         « Nous devons avancer ensemble », a déclaré un responsable, qui a salué l’engagement des \
         populations. Les observateurs estiment que ces mesures, attendues depuis des mois, \
         pourraient changer la donne d’ici la fin de l’année. Sur les marchés, les commerçants \
         restent prudents : « On verra bien », confie l’un d’eux. "
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let config = Config::from_env()?;
    let (db, _) = Db::connect_and_migrate(&config)?;
    let started = Instant::now();
    let mut rng = Lcg(20261125);
    let now = cms::timestamp::now();

    let (author_ids, category_ids, tag_ids) =
        db.write_blocking(|tx| -> Result<_, cms::error::ApiError> {
            let conn = tx.conn();
            let mut author_ids = Vec::new();
            for i in 0..AUTHORS {
                author_ids.push(
                    diesel::insert_into(authors::table)
                        .values((
                            authors::slug.eq(format!("bench-auteur-{i}")),
                            authors::name.eq(format!("Auteur·rice n° {i}")),
                            authors::name_key
                                .eq(french_order::sort_key(&format!("Auteur·rice n° {i}"))),
                            authors::links.eq("[]"),
                            authors::created_at.eq(now),
                            authors::updated_at.eq(now),
                        ))
                        .returning(authors::id)
                        .get_result::<i64>(conn)?,
                );
            }
            // A tree: 4 roots, each with 4 children (20 in all).
            let mut category_ids: Vec<i64> = Vec::new();
            for i in 0..CATEGORIES {
                let parent = if i < 4 {
                    None
                } else {
                    Some(category_ids[(i - 4) % 4])
                };
                category_ids.push(
                    diesel::insert_into(categories::table)
                        .values((
                            categories::slug.eq(format!("bench-rubrique-{i}")),
                            categories::name
                                .eq(format!("Rubrique {i} – {}", PLACES[i % PLACES.len()])),
                            categories::parent_id.eq(parent),
                            categories::position.eq(i as i32),
                            categories::created_at.eq(now),
                            categories::updated_at.eq(now),
                        ))
                        .returning(categories::id)
                        .get_result::<i64>(conn)?,
                );
            }
            let mut tag_ids = Vec::new();
            for i in 0..TAGS {
                tag_ids.push(
                    diesel::insert_into(tags::table)
                        .values((
                            tags::slug.eq(format!("bench-mot-cle-{i}")),
                            tags::name.eq(format!("Mot-clé {i}")),
                            tags::name_key.eq(french_order::sort_key(&format!("Mot-clé {i}"))),
                            tags::created_at.eq(now),
                            tags::updated_at.eq(now),
                        ))
                        .returning(tags::id)
                        .get_result::<i64>(conn)?,
                );
            }
            Ok((author_ids, category_ids, tag_ids))
        })?;

    // A few bodies rendered once and reused: rendering is not what is measured.
    let bodies: Vec<(String, body::RenderedBody)> = (0..16)
        .map(|_| {
            let text = (0..9)
                .map(|_| paragraph(&mut rng))
                .collect::<Vec<_>>()
                .join("\n\n");
            let rendered = body::render(BodyFormat::Markdown, &text, &EmbedHosts::default());
            (text, rendered)
        })
        .collect();

    std::fs::create_dir_all("bench/out")?;
    let mut slugs = std::io::BufWriter::new(std::fs::File::create("bench/out/slugs.txt")?);
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut rows = Vec::with_capacity(n);
        let mut published_slugs = Vec::new();
        for i in done..done + n {
            let (source, rendered) = &bodies[rng.below(bodies.len())];
            let title = format!(
                "{} : {} au cœur des débats ({i})",
                PLACES[rng.below(PLACES.len())],
                SUBJECTS[rng.below(SUBJECTS.len())]
            );
            let slug = format!("bench-article-{i}");
            let published = i % 10 != 0;
            if published {
                published_slugs.push(slug.clone());
            }
            // Spread over the last years, one minute apart, newest last.
            let published_at = now - Duration::minutes((count - i) as i64);
            rows.push((
                articles::slug.eq(slug),
                articles::title_key.eq(french_order::sort_key(&title)),
                articles::title.eq(title),
                articles::excerpt.eq(body::excerpt(&rendered.text, 160)),
                articles::body.eq(source.clone()),
                articles::body_format.eq("markdown"),
                articles::body_html.eq(rendered.html.clone()),
                articles::status.eq(if published { "published" } else { "draft" }),
                articles::published_at.eq(published.then_some(published_at)),
                articles::category_id.eq(category_ids[rng.below(CATEGORIES)]),
                articles::reading_time_minutes.eq(rendered.reading_time_minutes),
                articles::word_count.eq(rendered.word_count),
                articles::featured.eq(i % 50 == 0),
                articles::created_at.eq(published_at),
                articles::updated_at.eq(published_at),
            ));
        }
        let picks: Vec<(usize, Vec<usize>)> = (0..n)
            .map(|_| {
                let author = rng.below(AUTHORS);
                let first = rng.below(TAGS);
                (
                    author,
                    (0..TAGS_PER_ARTICLE)
                        .map(|k| (first + k * 67) % TAGS)
                        .collect(),
                )
            })
            .collect();
        db.write_blocking(
            |tx: &mut cms::db::Tx<'_>| -> Result<(), cms::error::ApiError> {
                let conn: &mut DbConnection = tx.conn();
                let ids: Vec<i64> =
                    cms::on_each_backend!(conn, |c| diesel::insert_into(articles::table)
                        .values(&rows)
                        .returning(articles::id)
                        .get_results(c))?;
                let bylines: Vec<_> = ids
                    .iter()
                    .zip(&picks)
                    .map(|(id, (author, _))| {
                        (
                            article_authors::article_id.eq(*id),
                            article_authors::author_id.eq(author_ids[*author]),
                            article_authors::position.eq(0),
                        )
                    })
                    .collect();
                cms::on_each_backend!(conn, |c| diesel::insert_into(article_authors::table)
                    .values(&bylines)
                    .execute(c))?;
                let tagging: Vec<_> = ids
                    .iter()
                    .zip(&picks)
                    .flat_map(|(id, (_, tags))| {
                        let tag_ids = &tag_ids;
                        tags.iter().map(move |t| {
                            (
                                article_tags::article_id.eq(*id),
                                article_tags::tag_id.eq(tag_ids[*t]),
                            )
                        })
                    })
                    .collect();
                cms::on_each_backend!(conn, |c| diesel::insert_into(article_tags::table)
                    .values(&tagging)
                    .execute(c))?;
                Ok(())
            },
        )?;
        for slug in published_slugs {
            writeln!(slugs, "{slug}")?;
        }
        done += n;
    }
    slugs.flush()?;
    // Each article's public renderings, as the API's write path stores them.
    let items_started = Instant::now();
    let mut after = 0;
    while let Some(last) = db
        .write_blocking(|tx| cms::content::articles::backfill::window(tx, after))
        .map_err(|e| e.problem().detail.clone())?
    {
        after = last;
    }
    println!(
        "renderings written in {:.1} s",
        items_started.elapsed().as_secs_f64()
    );
    // Fresh statistics, so the planners see the data as it will be served;
    // on PostgreSQL also the visibility map autovacuum would build, without
    // which counts cannot use index-only scans.
    // A connection of its own: VACUUM runs outside any transaction, and
    // the pool's connections are read-only.
    let mut conn = cms::db::ConnectionManager::new(config.database_url.clone()).open_existing()?;
    let maintenance = match &conn {
        DbConnection::Postgres(_) => "VACUUM ANALYZE",
        DbConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::connection::SimpleConnection::batch_execute(&mut conn, maintenance)?;
    println!(
        "seeded {count} articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
