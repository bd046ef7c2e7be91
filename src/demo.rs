//! The French demo newsroom: what `cargo run --release` serves on a new
//! database, and what `cms seed-demo` loads. Seeding twice does nothing.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::changes::Actor;
use crate::content::articles::input::{ArticleCreate, ArticleDraft, Desired};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::authors::input::{AuthorCreate, AuthorFields};
use crate::content::categories::input::{CategoryCreate, CategoryFields};
use crate::content::slug::Slug;
use crate::content::tags::input::{TagCreate, TagFields};
use crate::content::{articles, authors, categories, tags};
use crate::db::schema;
use crate::db::{Db, Tx};
use crate::error::ApiError;
use crate::timestamp;

struct DemoArticle {
    title: &'static str,
    body: &'static str,
    category: &'static str,
    authors: &'static [&'static str],
    tags: &'static [&'static str],
    /// Hours before now; negative is in the future (scheduled).
    published_hours_ago: Option<i64>,
    featured: bool,
}

const CATEGORIES: &[(&str, Option<&str>, &str)] = &[
    ("News - Infos", None, "Toute l’actualité"),
    (
        "Diplomatie",
        Some("News - Infos"),
        "Relations internationales et coopération",
    ),
    ("Bénin", None, "L’actualité du Bénin"),
    ("Niger", None, "L’actualité du Niger"),
    ("Monde", None, "L’actualité internationale"),
    ("Algérie", Some("Monde"), "Nouvelles d’Algérie"),
    ("Centrafrique", Some("Monde"), "Nouvelles de Centrafrique"),
];

const AUTHORS: &[(&str, &str)] = &[
    (
        "Agence Nigérienne de Presse",
        "Agence de presse publique du Niger (ANP).",
    ),
    (
        "Aïssata Maïga",
        "Journaliste, correspondante à Niamey, suit la diplomatie sahélienne.",
    ),
    (
        "Koffi Houngbédji",
        "Reporter à Cotonou, spécialiste de la politique béninoise.",
    ),
    ("La Rédaction", "L’équipe de la rédaction."),
];

const TAGS: &[&str] = &[
    "Terrorisme",
    "Russie",
    "Élections",
    "Économie",
    "Sécurité",
    "Sahel",
    "CEDEAO",
    "Coopération",
];

const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        title: "Lutte contre le terrorisme : le Niger compte sur la Russie",
        body: "Niamey a signé un accord de coopération militaire avec Moscou.\n\nSelon le ministre, « cette coopération permettra de sécuriser nos frontières ». Les premières livraisons d’équipements sont attendues avant la fin de l’année.",
        category: "Diplomatie",
        authors: &["Agence Nigérienne de Presse", "Aïssata Maïga"],
        tags: &["Terrorisme", "Russie", "Sahel"],
        published_hours_ago: Some(2),
        featured: true,
    },
    DemoArticle {
        title: "Bénin : la campagne électorale s’ouvre dans le calme",
        body: "Les candidats ont lancé leur campagne ce week-end à Cotonou et à Parakou.\n\nLa commission électorale appelle à « un scrutin apaisé ».",
        category: "Bénin",
        authors: &["Koffi Houngbédji"],
        tags: &["Élections"],
        published_hours_ago: Some(5),
        featured: true,
    },
    DemoArticle {
        title: "Niger : le prix du riz recule sur les marchés de Niamey",
        body: "Après des mois de hausse, le sac de 25 kg est repassé sous la barre des 15 000 francs CFA.\n\nLes commerçants attribuent cette baisse à l’arrivée de la récolte.",
        category: "Niger",
        authors: &["Aïssata Maïga"],
        tags: &["Économie"],
        published_hours_ago: Some(9),
        featured: false,
    },
    DemoArticle {
        title: "La CEDEAO réunit ses ministres à Abuja",
        body: "Les ministres des affaires étrangères de la **CEDEAO** se retrouvent pour deux jours de travaux.\n\nAu menu : la sécurité au Sahel et la libre circulation.",
        category: "Diplomatie",
        authors: &["La Rédaction"],
        tags: &["CEDEAO", "Sécurité", "Sahel"],
        published_hours_ago: Some(20),
        featured: false,
    },
    DemoArticle {
        title: "Algérie : Alger et Niamey relancent la route transsaharienne",
        body: "Les deux capitales ont convenu d’accélérer les travaux du dernier tronçon.\n\n« C’est un projet structurant pour toute la région », a déclaré un responsable.",
        category: "Algérie",
        authors: &["Agence Nigérienne de Presse"],
        tags: &["Coopération", "Économie"],
        published_hours_ago: Some(30),
        featured: false,
    },
    DemoArticle {
        title: "Centrafrique : Bangui accueille un forum sur la paix",
        body: "Des délégations de toute la sous-région sont attendues à Bangui.\n\nLe forum veut « consolider les acquis » des accords de paix.",
        category: "Centrafrique",
        authors: &["La Rédaction"],
        tags: &["Sécurité"],
        published_hours_ago: Some(48),
        featured: false,
    },
    DemoArticle {
        title: "Monde : l’ONU alerte sur l’insécurité alimentaire au Sahel 🌾",
        body: "Le Programme alimentaire mondial estime que des millions de personnes auront besoin d’aide pendant la soudure.\n\nL’agence appelle les bailleurs à se mobiliser.",
        category: "Monde",
        authors: &["La Rédaction"],
        tags: &["Sahel", "Économie"],
        published_hours_ago: Some(60),
        featured: false,
    },
    DemoArticle {
        title: "Bénin : le port de Cotonou bat un record de trafic",
        body: "Le port autonome a enregistré une hausse de 12 % de son trafic sur un an.\n\nLa direction mise sur la digitalisation des procédures.",
        category: "Bénin",
        authors: &["Koffi Houngbédji"],
        tags: &["Économie"],
        published_hours_ago: Some(72),
        featured: false,
    },
    DemoArticle {
        title: "Niger : ouverture de l’année scolaire à Zinder",
        body: "Plus de 300 000 élèves ont repris le chemin de l’école dans la région de Zinder.\n\nLe gouverneur a salué « l’engagement des enseignants ».",
        category: "Niger",
        authors: &["Agence Nigérienne de Presse"],
        tags: &[],
        published_hours_ago: Some(96),
        featured: false,
    },
    DemoArticle {
        title: "Diplomatie : Cotonou et Niamey rouvrent le dialogue",
        body: "Une délégation béninoise est attendue à Niamey pour discuter de la réouverture de la frontière.\n\nLes deux pays affirment vouloir « tourner la page ».",
        category: "Diplomatie",
        authors: &["Koffi Houngbédji", "Aïssata Maïga"],
        tags: &["Coopération"],
        published_hours_ago: Some(120),
        featured: false,
    },
    DemoArticle {
        title: "Sahel : ce que change le retrait des forces étrangères",
        body: "Analyse en cours de rédaction.",
        category: "News - Infos",
        authors: &["Aïssata Maïga"],
        tags: &["Sécurité", "Sahel"],
        published_hours_ago: None,
        featured: false,
    },
    DemoArticle {
        title: "Élections au Bénin : le programme de la soirée électorale",
        body: "Résultats, réactions et analyses : suivez la soirée en direct.",
        category: "Bénin",
        authors: &["La Rédaction"],
        tags: &["Élections"],
        published_hours_ago: Some(-48),
        featured: false,
    },
];

fn slug_of(text: &str) -> String {
    Slug::from_text(text)
        .map(Slug::into_string)
        .unwrap_or_else(|| "sans-titre".to_owned())
}

/// Loads the demo unless it is already there; returns what it did. Every
/// resource goes through its use case's write path (slugs, rendering,
/// outbox events), exactly as if an editor had typed it.
pub fn seed(db: &Db) -> Result<String, ApiError> {
    db.write_blocking(|conn| {
        let already = schema::categories::table
            .filter(schema::categories::slug.eq(slug_of("News - Infos")))
            .count()
            .get_result::<i64>(conn.conn())?;
        if already > 0 {
            return Ok("demo content already present; nothing to do".to_owned());
        }
        let now = timestamp::now();
        let category_id = seed_categories(conn)?;
        let author_id = seed_authors(conn)?;
        let tag_id = seed_tags(conn)?;
        for article in ARTICLES {
            seed_article(conn, now, article, &category_id, &author_id, &tag_id)?;
        }
        Ok(format!(
            "seeded {} categories, {} authors, {} tags and {} articles",
            CATEGORIES.len(),
            AUTHORS.len(),
            TAGS.len(),
            ARTICLES.len()
        ))
    })
}

/// What a start finds in the database: whether the demo belongs there,
/// and whether anyone can sign in.
pub struct Occupancy {
    /// No content was ever written: no change is recorded (a deletion is
    /// one), so a newsroom that emptied its site does not get the demo
    /// back. An administrator created before the first start is no
    /// content: `cms create-admin` then `cms serve` still seeds.
    pub nothing_written_yet: bool,
    pub accounts: i64,
}

pub fn occupancy(db: &Db) -> Result<Occupancy, ApiError> {
    db.write_blocking(|conn| {
        let changes = schema::content_events::table
            .count()
            .get_result::<i64>(conn.conn())?;
        let accounts = schema::users::table
            .count()
            .get_result::<i64>(conn.conn())?;
        Ok(Occupancy {
            nothing_written_yet: changes == 0,
            accounts,
        })
    })
}

/// The demo's changes are the service's own.
fn actor() -> Actor {
    Actor::system("demo-seed")
}

type Ids = std::collections::HashMap<&'static str, i64>;

fn invalid(errors: Vec<crate::error::FieldError>) -> ApiError {
    ApiError::Internal(format!("demo data is invalid: {errors:?}"))
}

fn seed_categories(conn: &mut Tx<'_>) -> Result<Ids, ApiError> {
    let mut ids = Ids::new();
    for (position, (name, parent, description)) in CATEGORIES.iter().enumerate() {
        let fields = CategoryFields::from_create(CategoryCreate {
            name: (*name).to_owned(),
            slug: None,
            description: Some((*description).to_owned()),
            parent_id: parent.and_then(|p| ids.get(p).copied()),
            position: Some(i32::try_from(position).unwrap_or(0)),
        })
        .map_err(invalid)?;
        ids.insert(
            name,
            categories::use_cases::insert(conn, &fields, actor())?.id,
        );
    }
    Ok(ids)
}

fn seed_authors(conn: &mut Tx<'_>) -> Result<Ids, ApiError> {
    let mut ids = Ids::new();
    for (name, bio) in AUTHORS {
        let fields = AuthorFields::from_create(AuthorCreate {
            name: (*name).to_owned(),
            slug: None,
            bio: Some((*bio).to_owned()),
            avatar_url: None,
            links: None,
        })
        .map_err(invalid)?;
        ids.insert(name, authors::use_cases::insert(conn, &fields, actor())?.id);
    }
    Ok(ids)
}

fn seed_tags(conn: &mut Tx<'_>) -> Result<Ids, ApiError> {
    let mut ids = Ids::new();
    for name in TAGS {
        let fields = TagFields::from_create(TagCreate {
            name: (*name).to_owned(),
            slug: None,
            description: None,
        })
        .map_err(invalid)?;
        ids.insert(name, tags::use_cases::insert(conn, &fields, actor())?.id);
    }
    Ok(ids)
}

fn seed_article(
    conn: &mut Tx<'_>,
    now: NaiveDateTime,
    article: &DemoArticle,
    category_id: &Ids,
    author_id: &Ids,
    tag_id: &Ids,
) -> Result<(), ApiError> {
    let missing = |what: &str| ApiError::Internal(format!("demo data names an unknown {what}"));
    let (status, published_at) = match article.published_hours_ago {
        None => (ArticleStatus::Draft, None),
        Some(h) if h < 0 => (ArticleStatus::Scheduled, Some(now - Duration::hours(h))),
        Some(h) => (ArticleStatus::Published, Some(now - Duration::hours(h))),
    };
    let ids = |names: &[&str], map: &Ids, what: &str| {
        names
            .iter()
            .map(|n| map.get(n).copied().ok_or_else(|| missing(what)))
            .collect::<Result<Vec<i64>, ApiError>>()
    };
    let desired = Desired::from_create(ArticleCreate {
        title: Some(article.title.to_owned()),
        body: Some(article.body.to_owned()),
        body_format: None,
        excerpt: None,
        slug: None,
        status: Some(status),
        published_at: published_at.map(|t| t.and_utc()),
        category_id: Some(
            *category_id
                .get(article.category)
                .ok_or_else(|| missing("category"))?,
        ),
        author_ids: Some(ids(article.authors, author_id, "author")?),
        tag_ids: Some(ids(article.tags, tag_id, "tag")?),
        featured_image: None,
        featured_image_id: None,
        seo: None,
        featured: Some(article.featured),
        sponsored: None,
        comments_enabled: None,
        language: None,
    });
    let draft = ArticleDraft::parse(
        desired,
        None,
        now,
        &crate::content::embeds::EmbedHosts::default(),
    )
    .map_err(invalid)?;
    articles::use_cases::insert(
        conn,
        &draft,
        actor(),
        now,
        &crate::content::media::views::MediaUrls::new(None),
    )?;
    Ok(())
}
