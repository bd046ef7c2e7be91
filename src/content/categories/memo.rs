//! The category tree kept in memory between requests. Every article view
//! embeds its category's path, and every category answer needs the whole
//! tree; the tree changes a few times a day, while it was loaded (a query
//! and a few maps) on every read. It is kept for as long as the content
//! generation does not move (`changes`: any write of this process at
//! once, another process's within the watcher's delay).
//!
//! Writes never use it: they load the tree inside their transaction, so
//! what they check and return is what they commit against.

use std::sync::{Arc, PoisonError, RwLock};

use diesel::QueryResult;

use super::queries;
use super::tree::CategoryTree;
use crate::changes::ContentGeneration;
use crate::db::DbConnection;

pub struct TreeMemo {
    generation: Arc<ContentGeneration>,
    latest: RwLock<Option<(u64, Arc<CategoryTree>)>>,
}

impl TreeMemo {
    pub fn new(generation: Arc<ContentGeneration>) -> Self {
        Self {
            generation,
            latest: RwLock::new(None),
        }
    }

    /// The tree, if the one in memory is of the current generation.
    pub fn current(&self) -> Option<Arc<CategoryTree>> {
        let generation = self.generation.current();
        let latest = self.latest.read().unwrap_or_else(PoisonError::into_inner);
        match &*latest {
            Some((at, tree)) if *at == generation => Some(Arc::clone(tree)),
            _ => None,
        }
    }

    /// The tree of the current generation, loaded on `conn` if needed. The
    /// generation is read before loading, so a tree loaded while a write
    /// commits is stored as already stale and loaded again next time.
    pub fn get(&self, conn: &mut DbConnection) -> QueryResult<Arc<CategoryTree>> {
        let generation = self.generation.current();
        if let Some(tree) = self.current() {
            return Ok(tree);
        }
        let tree = Arc::new(queries::load_tree(conn)?);
        *self.latest.write().unwrap_or_else(PoisonError::into_inner) =
            Some((generation, Arc::clone(&tree)));
        Ok(tree)
    }
}
