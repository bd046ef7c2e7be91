//! Names in the order a French reader expects: "Droits", "Économie",
//! "Élections", "Terrorisme" (not "Économie" after "Terrorisme", as bytes
//! would have it), the same on both databases.
//!
//! Each name a list sorts by (a tag's, an author's, an article's title) is
//! stored with its collation key, computed here with ICU4X's French
//! collator (CLDR; accents, then case, break ties). The databases compare
//! the keys as bytes (`BLOB` and `bytea` both sort by `memcmp`), so SQLite
//! and PostgreSQL agree without a collation of their own, and the order is
//! an index scan. Category trees are small and sorted in memory with the
//! same keys.
//!
//! Keys of a row written before they existed are empty (the migration's
//! default) until the `backfill` job writes them. A new ICU4X version may
//! change keys: its upgrade comes with a migration that empties them, and
//! the same job writes them again.

pub mod backfill;

use std::sync::LazyLock;

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::locale;

static FRENCH: LazyLock<Option<CollatorBorrowed<'static>>> =
    LazyLock::new(|| Collator::try_new(locale!("fr").into(), CollatorOptions::default()).ok());

/// The bytes `text` sorts by. Never empty for a non-empty name: an empty
/// key means "not computed yet".
pub fn sort_key(text: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(text.len() * 2 + 8);
    match FRENCH.as_ref() {
        Some(collator) => {
            let Ok(()) = collator.write_sort_key_to(text, &mut key);
        }
        // The collator's data is compiled in; should it ever fail to load,
        // names still sort (by their code points) rather than not at all.
        None => key.extend_from_slice(text.as_bytes()),
    }
    if key.is_empty() {
        key.push(0);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<&str> = names.to_vec();
        names.sort_by_key(|n| sort_key(n));
        names.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn accented_capitals_sort_with_their_letter() {
        assert_eq!(
            sorted(&[
                "Terrorisme",
                "Élections",
                "Droits",
                "Économie",
                "économie",
                "Zinder"
            ]),
            [
                "Droits",
                "économie",
                "Économie",
                "Élections",
                "Terrorisme",
                "Zinder"
            ]
        );
    }

    #[test]
    fn accents_and_case_break_ties_only() {
        assert_eq!(
            sorted(&["cote", "côte", "Côte", "coté", "côté", "Cotonou"]),
            ["cote", "coté", "côte", "Côte", "côté", "Cotonou"]
        );
    }

    #[test]
    fn apostrophes_guillemets_and_emoji_have_a_place() {
        let keys: Vec<Vec<u8>> = ["l’Afrique", "l'Afrique", "« Niger »", "🖋 Plume", ""]
            .iter()
            .map(|n| sort_key(n))
            .collect();
        assert!(keys.iter().all(|k| !k.is_empty()));
        assert_eq!(
            keys[0],
            sort_key("l’Afrique"),
            "the same name, the same key"
        );
        // Œ is "oe", as a dictionary files it.
        assert_eq!(
            sorted(&["Ouagadougou", "Œuvre", "Obama"]),
            ["Obama", "Œuvre", "Ouagadougou"]
        );
    }
}
