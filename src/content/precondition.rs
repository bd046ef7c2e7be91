//! What a write expects of the resource it changes: built by the transport
//! (the JSON API from `If-Match`), checked by the use case inside its
//! transaction against the representation as stored at that moment, so a
//! stale editor never overwrites a colleague (412, nothing written).

use serde::Serialize;

use crate::error::ApiError;
use crate::http::conditional::{check_if_match, etag_of_view};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    /// Whatever is stored now.
    #[default]
    Any,
    /// The representation whose tags (`If-Match`: a list, or `*`) one of
    /// matches.
    IfMatch(String),
}

impl Precondition {
    pub fn from_if_match(header: Option<String>) -> Self {
        header.map_or(Self::Any, Self::IfMatch)
    }

    /// `Ok` when `current` (the view a GET would return now) is what was
    /// expected; 412 otherwise.
    pub fn check(&self, current: &impl Serialize) -> Result<(), ApiError> {
        match self {
            Self::Any => Ok(()),
            Self::IfMatch(tags) => check_if_match(Some(tags), &etag_of_view(current)?),
        }
    }
}
