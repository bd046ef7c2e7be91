//! `GET /api/v1/{resource}/{id_or_slug}`: a path segment of digits is an id,
//! anything else a slug.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(i64),
    Slug(String),
}

impl IdOrSlug {
    pub fn parse(raw: &str) -> Self {
        match raw.parse::<i64>() {
            Ok(id) if !raw.starts_with('+') && !raw.starts_with('-') => Self::Id(id),
            _ => Self::Slug(raw.to_owned()),
        }
    }
}

/// Multi-valued reference filters (`?category=3`, `?tag=sahel`) take the same form.
pub fn parse_reference(raw: &str) -> IdOrSlug {
    IdOrSlug::parse(raw.trim())
}
