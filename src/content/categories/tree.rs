//! The whole category tree in memory: newsrooms have tens or hundreds of
//! categories, so one query loads it and every path, descendant set and
//! cycle check is computed from it without further queries.

use std::collections::HashMap;

use super::rows::CategoryRow;
use super::views::{CategoryCrumb, CategoryRef};
use crate::content::french_order;
use crate::content::lookup::IdOrSlug;

#[derive(Debug, Default)]
pub struct CategoryTree {
    by_id: HashMap<i64, CategoryRow>,
    children: HashMap<Option<i64>, Vec<i64>>,
}

impl CategoryTree {
    pub fn new(rows: Vec<CategoryRow>) -> Self {
        // Siblings by `position`, then by name in French order
        // (`french_order`): a tree with no positions set reads
        // alphabetically, "Économie" between "Droits" and "Élections".
        let mut rows: Vec<(Vec<u8>, CategoryRow)> = rows
            .into_iter()
            .map(|r| (french_order::sort_key(&r.name), r))
            .collect();
        rows.sort_by(|(a_key, a), (b_key, b)| {
            (a.position, a_key, a.id).cmp(&(b.position, b_key, b.id))
        });
        let rows: Vec<CategoryRow> = rows.into_iter().map(|(_, r)| r).collect();
        let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
        for row in &rows {
            children.entry(row.parent_id).or_default().push(row.id);
        }
        Self {
            by_id: rows.into_iter().map(|r| (r.id, r)).collect(),
            children,
        }
    }

    pub fn get(&self, id: i64) -> Option<&CategoryRow> {
        self.by_id.get(&id)
    }

    pub fn find(&self, key: &IdOrSlug) -> Option<&CategoryRow> {
        match key {
            IdOrSlug::Id(id) => self.by_id.get(id),
            IdOrSlug::Slug(slug) => self.by_id.values().find(|c| &c.slug == slug),
        }
    }

    /// From the root down to `id` itself. The walk is bounded by the number
    /// of categories, so even a corrupted (cyclic) table cannot loop.
    pub fn path(&self, id: i64) -> Vec<CategoryCrumb> {
        let mut path = Vec::new();
        let mut next = Some(id);
        while let Some(current) = next {
            let Some(row) = self.by_id.get(&current) else {
                break;
            };
            if path.len() > self.by_id.len() {
                break;
            }
            path.push(CategoryCrumb::from(row));
            next = row.parent_id;
        }
        path.reverse();
        path
    }

    /// The small object articles embed: the category and its path.
    pub fn reference(&self, id: i64) -> Option<CategoryRef> {
        self.by_id.get(&id).map(|row| CategoryRef {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            path: self.path(id),
        })
    }

    /// `id` and every category under it, for "articles in this section".
    pub fn with_descendants(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() && out.len() <= self.by_id.len() {
            if let Some(kids) = self.children.get(&Some(out[i])) {
                let new: Vec<i64> = kids.iter().copied().filter(|k| !out.contains(k)).collect();
                out.extend(new);
            }
            i += 1;
        }
        out
    }

    /// Whether making `new_parent` the parent of `id` would close a loop.
    pub fn would_cycle(&self, id: i64, new_parent: i64) -> bool {
        new_parent == id || self.path(new_parent).iter().any(|c| c.id == id)
    }

    pub fn children_of(&self, parent: Option<i64>) -> &[i64] {
        self.children.get(&parent).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every category, depth first, siblings by `position` then name: the
    /// order a navigation menu shows.
    pub fn in_menu_order(&self) -> Vec<&CategoryRow> {
        let mut out = Vec::with_capacity(self.by_id.len());
        let mut stack: Vec<i64> = self.children_of(None).iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            if out.len() > self.by_id.len() {
                break;
            }
            if let Some(row) = self.by_id.get(&id) {
                out.push(row);
                stack.extend(self.children_of(Some(id)).iter().rev().copied());
            }
        }
        out
    }
}
