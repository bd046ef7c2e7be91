//! What media use cases run with: the database, the store, the threads
//! images are processed on, and the limits; not the HTTP application's
//! state, so the editor protocols upload through the same use cases.

use std::sync::Arc;

use super::processing::Limits;
use super::views::MediaUrls;
use crate::db::Db;
use crate::storage::MediaStore;
use crate::work_pool::WorkPool;

#[derive(Clone)]
pub struct Media {
    pub db: Db,
    pub store: MediaStore,
    /// Decoding, resizing and encoding run here (`CMS_MEDIA_THREADS`).
    pub work: Arc<WorkPool>,
    pub limits: Limits,
    pub urls: MediaUrls,
    /// Largest upload accepted, in bytes (`CMS_MEDIA_MAX_MB`).
    pub max_bytes: usize,
}
