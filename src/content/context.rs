//! What content use cases run with: the database, the clock and the two
//! read memos; not the HTTP application's state. Every transport (the
//! JSON API, the editor protocols to come, an import) hands the same
//! context to the same use cases.

use std::sync::Arc;

use crate::content::embeds::EmbedHosts;

use crate::clock::Clock;
use crate::content::articles::totals::ListTotals;
use crate::content::categories::memo::TreeMemo;
use crate::content::media::views::MediaUrls;
use crate::db::Db;

#[derive(Clone)]
pub struct Content {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// List totals, kept until content changes (`CMS_LIST_TOTALS_MEMO`).
    pub list_totals: Arc<ListTotals>,
    /// The category tree, kept until content changes.
    pub category_tree: Arc<TreeMemo>,
    /// Where media files are seen from, for featured images.
    pub media_urls: MediaUrls,
    /// Articles stop taking comments this many days after publication
    /// (`CMS_COMMENTS_CLOSE_AFTER_DAYS`); never when `None`.
    pub comments_close_after_days: Option<u32>,
    /// Hosts whose frames bodies keep (`CMS_EMBED_HOSTS`, `embeds`).
    pub embeds: Arc<EmbedHosts>,
}

impl Content {
    /// A context over `db` with memos of its own, following `db`'s content
    /// generation.
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        memoised_totals: bool,
        media_urls: MediaUrls,
    ) -> Self {
        let generation = Arc::clone(db.generation());
        Self {
            list_totals: Arc::new(ListTotals::new(memoised_totals, Arc::clone(&generation))),
            category_tree: Arc::new(TreeMemo::new(generation)),
            db,
            clock,
            media_urls,
            comments_close_after_days: None,
            embeds: Arc::new(EmbedHosts::default()),
        }
    }

    /// The same context, closing comments `days` after publication.
    pub fn with_embed_hosts(mut self, hosts: EmbedHosts) -> Self {
        self.embeds = Arc::new(hosts);
        self
    }

    pub fn with_comments_close_after(mut self, days: Option<u32>) -> Self {
        self.comments_close_after_days = days;
        self
    }
}
