//! The one mapping between WordPress's vocabulary (which every editor
//! speaks) and articles.
//!
//! - Statuses: `draft` ↔ draft, `pending` ↔ review, `future` ↔ scheduled,
//!   `publish` ↔ published; `private` is read as a draft (nothing here is
//!   private-but-published) and archived articles are shown as `private`;
//!   `trash` is refused (deleting is its own method).
//! - Categories by id, by path (`Accueil > News - Infos > Diplomatie`), by
//!   name or by slug. Names are not unique in a tree: a name matching
//!   several categories picks the shallowest, then the oldest; the path
//!   form names one exactly. An unknown name is a fault naming it (where
//!   WordPress silently drops it).
//! - Tags by name, matched ignoring case, created when missing: authors
//!   write new tags as they write.
//! - Dates: a `…_gmt` member is UTC; the other is site-local (the site's
//!   time zone) unless it carries `Z` or an offset.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Caller;
use crate::changes::Actor;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::categories::views::CategoryView;
use crate::content::tags::input::TagFields;
use crate::db::Db;
use crate::db::schema::tags;
use crate::error::{ApiError, FieldError};
use crate::xmlrpc::value::Date;

/// A WordPress status as an article status; `None` for what is not one.
pub fn status_from_wordpress(raw: &str) -> Result<ArticleStatus, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "draft" | "auto-draft" | "private" => Ok(ArticleStatus::Draft),
        "pending" => Ok(ArticleStatus::Review),
        "future" => Ok(ArticleStatus::Scheduled),
        "publish" => Ok(ArticleStatus::Published),
        "trash" => Err("`trash`: delete the post instead".to_owned()),
        other => Err(format!("`{other}` is not a post status")),
    }
}

/// An article status as WordPress names it.
pub fn status_to_wordpress(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => "draft",
        ArticleStatus::Review => "pending",
        ArticleStatus::Scheduled => "future",
        ArticleStatus::Published => "publish",
        ArticleStatus::Archived => "private",
    }
}

/// The category a client's text names (see the module's rule).
pub fn find_category(all: &[CategoryView], given: &str) -> Result<i64, String> {
    let given = given.trim();
    if let Ok(id) = given.parse::<i64>()
        && all.iter().any(|c| c.id == id)
    {
        return Ok(id);
    }
    let folded = given.to_lowercase();
    if given.contains('>') {
        let wanted: Vec<String> = given.split('>').map(|p| p.trim().to_lowercase()).collect();
        // A path names a category from the root, or its last levels.
        if let Some(c) = all
            .iter()
            .filter(|c| {
                let path: Vec<String> = c.path.iter().map(|p| p.name.to_lowercase()).collect();
                path.ends_with(&wanted)
            })
            .min_by_key(|c| (c.path.len(), c.id))
        {
            return Ok(c.id);
        }
    }
    let by_name = all
        .iter()
        .filter(|c| c.name.to_lowercase() == folded)
        .min_by_key(|c| (c.path.len(), c.id));
    if let Some(c) = by_name {
        return Ok(c.id);
    }
    all.iter()
        .find(|c| c.slug == folded)
        .map(|c| c.id)
        .ok_or_else(|| format!("no category is named `{given}`"))
}

/// Every category `names` names, in order, or a fault-ready error naming
/// each unknown one.
pub fn find_categories(all: &[CategoryView], names: &[String]) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        match find_category(all, name) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(message) => errors.push(FieldError::new("categories", "unknown_category", message)),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The category of a post that names none (MarsEdit sets categories in a
/// second call): the first root category, as WordPress's "Uncategorized".
pub fn default_category(all: &[CategoryView]) -> Result<i64, ApiError> {
    all.iter()
        .filter(|c| c.parent_id.is_none())
        .min_by_key(|c| (c.position, c.id))
        .map(|c| c.id)
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "categories",
                "no_category",
                "the site has no category yet: an editor creates one first",
            )])
        })
}

/// `mt_keywords`: tag names separated by commas.
pub fn keywords(raw: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !names
            .iter()
            .any(|n| n.to_lowercase() == name.to_lowercase())
        {
            names.push(name.to_owned());
        }
    }
    names
}

/// The ids of the tags named, creating those that do not exist (as their
/// author, in one transaction).
pub async fn tags_by_name(
    db: &Db,
    caller: &Caller,
    names: Vec<String>,
) -> Result<Vec<i64>, ApiError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let actor = Actor::of(caller);
    db.write(move |tx| {
        // Two posts naming the same new tag at once: on PostgreSQL the
        // second waits here for the first to commit, then finds its tag
        // (locks taken in one order, so two calls never wait crosswise).
        let mut folded: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        folded.sort();
        for name in &folded {
            crate::db::slug_lock::hold(tx, "tag-names", name)?;
        }
        let existing: Vec<(i64, String)> =
            tags::table.select((tags::id, tags::name)).load(tx.conn())?;
        let mut ids = Vec::new();
        for name in &names {
            let folded = name.to_lowercase();
            let id = match existing.iter().find(|(_, n)| n.to_lowercase() == folded) {
                Some((id, _)) => *id,
                None => {
                    let fields = TagFields {
                        name: name.clone(),
                        slug: None,
                        description: None,
                    };
                    crate::content::tags::use_cases::insert(tx, &fields, actor.clone())?.id
                }
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    })
    .await
}

/// The UTC instant of a post's date: the `…_gmt` member wins; the other is
/// read in the site's zone.
pub fn post_date(
    gmt: Option<Date>,
    local: Option<Date>,
    zone: chrono_tz::Tz,
) -> Option<NaiveDateTime> {
    match (gmt, local) {
        (Some(gmt), _) => Some(match gmt.zone {
            crate::xmlrpc::Zone::Unspecified => gmt.at,
            _ => gmt.to_utc(zone),
        }),
        (None, Some(local)) => Some(local.to_utc(zone)),
        (None, None) => None,
    }
}

/// A publish with a date to come is a scheduled post (a minute's grace
/// for clocks that disagree).
pub fn scheduled_if_future(
    status: ArticleStatus,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> ArticleStatus {
    match (status, at) {
        (ArticleStatus::Published, Some(at))
            if at > chrono::Utc::now() + chrono::Duration::minutes(1) =>
        {
            ArticleStatus::Scheduled
        }
        (status, _) => status,
    }
}

/// A REST date (`2026-12-01T10:30:00`, optionally with fractions, `Z` or
/// an offset; a space for the `T` as WordPress also takes): the instant in
/// UTC, reading a date without a zone as UTC when `gmt`, in `zone`
/// otherwise. `None` when it is not a date.
pub fn rest_date(raw: &str, gmt: bool, zone: chrono_tz::Tz) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&raw.replacen(' ', "T", 1)) {
        return Some(at.naive_utc());
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())?;
    if gmt {
        return Some(local);
    }
    Some(crate::xmlrpc::Date::unzoned(local).to_utc(zone))
}

/// WordPress's "more" split: the body before the first `<!--more…-->`
/// and after it.
pub fn split_more(body: &str) -> (String, String) {
    match body.find("<!--more") {
        Some(at) => {
            let rest = &body[at..];
            let after = rest.find("-->").map_or("", |end| &rest[end + 3..]);
            // The line breaks `join_more` puts around the marker.
            (
                body[..at].trim_end_matches(['\n', '\r']).to_owned(),
                after.trim_start_matches(['\n', '\r']).to_owned(),
            )
        }
        None => (body.to_owned(), String::new()),
    }
}

/// The body a client sends as a main part and an extended part.
pub fn join_more(main: &str, more: Option<&str>) -> String {
    match more.map(str::trim).filter(|m| !m.is_empty()) {
        Some(more) => format!("{main}\n<!--more-->\n{more}"),
        None => main.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_both_ways() {
        for (wp, ours) in [
            ("draft", ArticleStatus::Draft),
            ("pending", ArticleStatus::Review),
            ("future", ArticleStatus::Scheduled),
            ("publish", ArticleStatus::Published),
        ] {
            assert_eq!(status_from_wordpress(wp), Ok(ours));
            assert_eq!(status_to_wordpress(ours), wp);
        }
        assert_eq!(status_from_wordpress("private"), Ok(ArticleStatus::Draft));
        assert!(status_from_wordpress("trash").is_err());
        assert!(status_from_wordpress("brouillon").is_err());
    }

    #[test]
    fn keywords_are_split_trimmed_and_deduplicated() {
        assert_eq!(
            keywords(" Élections, Niger ,élections,, Côte d’Ivoire "),
            ["Élections", "Niger", "Côte d’Ivoire"]
        );
    }

    #[test]
    fn more_splits_and_joins() {
        assert_eq!(
            split_more("<p>Un</p><!--more Lire la suite--><p>Deux</p>"),
            ("<p>Un</p>".to_owned(), "<p>Deux</p>".to_owned())
        );
        assert_eq!(join_more("<p>Un</p>", Some("")), "<p>Un</p>");
        assert_eq!(
            split_more(&join_more("<p>Un</p>", Some("<p>Deux</p>"))),
            ("<p>Un</p>".to_owned(), "<p>Deux</p>".to_owned())
        );
        assert_eq!(
            join_more("<p>Un</p>", Some("<p>Deux</p>")),
            "<p>Un</p>\n<!--more-->\n<p>Deux</p>"
        );
    }

    #[test]
    fn dates_prefer_gmt_and_read_local_in_the_site_zone() {
        let zone: chrono_tz::Tz = "Africa/Porto-Novo".parse().unwrap();
        let local = Date::parse("20261201T10:30:00");
        let gmt = Date::parse("20261201T09:00:00");
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(post_date(gmt, local, zone), Some(at("2026-12-01 09:00")));
        assert_eq!(post_date(None, local, zone), Some(at("2026-12-01 09:30")));
        assert_eq!(post_date(None, None, zone), None);
    }

    #[test]
    fn rest_dates_read_zones_and_local_times() {
        let zone: chrono_tz::Tz = "Africa/Porto-Novo".parse().unwrap();
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            rest_date("2026-12-01T10:30:00", false, zone),
            Some(at("2026-12-01 09:30"))
        );
        assert_eq!(
            rest_date("2026-12-01T10:30:00", true, zone),
            Some(at("2026-12-01 10:30"))
        );
        assert_eq!(
            rest_date("2026-12-01T10:30:00+02:00", false, zone),
            Some(at("2026-12-01 08:30"))
        );
        assert_eq!(
            rest_date("2026-12-01 10:30:00Z", false, zone),
            Some(at("2026-12-01 10:30"))
        );
        assert_eq!(rest_date("demain", false, zone), None);
        assert_eq!(rest_date("2026-13-01T10:30:00", false, zone), None);
    }
}
