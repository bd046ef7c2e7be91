//! The content generation: a number that changes whenever what the public
//! can read may have changed, so caches know when to let go. It moves after
//! a commit that changed content (`db::Tx`), and when the watcher sees
//! another process's change (`watcher`).

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct ContentGeneration {
    value: AtomicU64,
}

impl ContentGeneration {
    pub fn current(&self) -> u64 {
        self.value.load(Ordering::Acquire)
    }

    /// Something public may have changed: every cached answer is stale.
    pub fn bump(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }
}
