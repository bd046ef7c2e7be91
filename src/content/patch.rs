//! JSON merge semantics for PATCH: a field absent is left unchanged, `null`
//! clears it (where the resource allows), a value replaces it.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Null,
            Some(v) => Self::Value(v),
        })
    }
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// For fields that cannot be cleared: `null` is an error naming the field.
    pub fn required(self, field: &str, errors: &mut Vec<crate::error::FieldError>) -> Option<T> {
        match self {
            Self::Absent => None,
            Self::Value(v) => Some(v),
            Self::Null => {
                errors.push(crate::error::FieldError::new(
                    field,
                    "not_nullable",
                    format!("`{field}` cannot be null"),
                ));
                None
            }
        }
    }

    pub fn map_value<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)),
        }
    }

    /// The new value of a nullable field given its current one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Absent => current,
            Self::Null => None,
            Self::Value(v) => Some(v),
        }
    }
}
