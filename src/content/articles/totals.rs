//! Memoised list totals. `meta.total` is a `COUNT(*)` over every matching
//! row: cheap at 10,000 articles, tens of milliseconds at 1,000,000, where it
//! would dominate every page. A total only changes when content changes or a
//! scheduled article's time comes, which is exactly when the content
//! generation moves (`changes`), so a total is kept per query and
//! generation. `CMS_LIST_TOTALS_MEMO=false` counts every total (the
//! benchmark's "pure database" mode); it is independent of the response cache.

use std::sync::Arc;

use crate::changes::ContentGeneration;

/// Distinct filters remembered; a total costs a few dozen bytes.
const CAPACITY: usize = 10_000;

pub struct ListTotals {
    entries: Option<quick_cache::sync::Cache<String, (u64, i64)>>,
    generation: Arc<ContentGeneration>,
}

impl ListTotals {
    pub fn new(enabled: bool, generation: Arc<ContentGeneration>) -> Self {
        Self {
            entries: enabled.then(|| quick_cache::sync::Cache::new(CAPACITY)),
            generation,
        }
    }

    /// Whether the total of `fingerprint` is known for the current generation.
    pub fn is_known(&self, fingerprint: &str) -> bool {
        let generation = self.generation.current();
        self.entries
            .as_ref()
            .and_then(|entries| entries.get(fingerprint))
            .is_some_and(|(at, _)| at == generation)
    }

    /// The total of `fingerprint`, counted by `count` unless known for the
    /// current generation. The generation is read before counting, so a
    /// total counted while a write commits is stored as already stale.
    pub fn get_or_count<E>(
        &self,
        fingerprint: &str,
        count: impl FnOnce() -> Result<i64, E>,
    ) -> Result<i64, E> {
        let Some(entries) = &self.entries else {
            return count();
        };
        let generation = self.generation.current();
        if let Some((at, total)) = entries.get(fingerprint)
            && at == generation
        {
            return Ok(total);
        }
        let total = count()?;
        entries.insert(fingerprint.to_owned(), (generation, total));
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_recounted_after_the_generation_moves() {
        let generation = Arc::new(ContentGeneration::default());
        let totals = ListTotals::new(true, Arc::clone(&generation));
        let counted = std::cell::Cell::new(0);
        let count = || -> Result<i64, ()> {
            counted.set(counted.get() + 1);
            Ok(counted.get())
        };
        assert!(!totals.is_known("q"));
        assert_eq!(totals.get_or_count("q", count), Ok(1));
        assert!(totals.is_known("q"));
        assert_eq!(totals.get_or_count("q", count), Ok(1));
        generation.bump();
        assert!(!totals.is_known("q"));
        assert_eq!(totals.get_or_count("q", count), Ok(2));
        assert_eq!(totals.get_or_count("other", count), Ok(3));

        let off = ListTotals::new(false, generation);
        assert_eq!(off.get_or_count("q", count), Ok(4));
        assert_eq!(off.get_or_count("q", count), Ok(5));
        assert!(!off.is_known("q"));
    }
}
