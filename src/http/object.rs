//! JSON objects only. Serde's derived `Deserialize` for a struct also takes
//! a JSON array of its fields in order (`"seo": [null, null]`), which the
//! document does not allow: every object of a request body goes through
//! `Object`, which accepts a JSON object and nothing else, keeping the
//! paths of field errors (`seo.title`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::content::patch::Patch;

/// A `T` read from a JSON object (never from an array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(PhantomData)).map(Object)
    }
}

/// `#[serde(deserialize_with = "object::optional")]` on an `Option<T>`.
pub fn optional<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<Object<T>>::deserialize(d)?.map(|o| o.0))
}

/// `#[serde(default, deserialize_with = "object::patch")]` on a `Patch<T>`.
pub fn patch<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Patch<T>, D::Error> {
    Ok(Patch::<Object<T>>::deserialize(d)?.map_value(|o| o.0))
}

/// `#[serde(deserialize_with = "object::optional_list")]` on an `Option<Vec<T>>`.
pub fn optional_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Option::<Vec<Object<T>>>::deserialize(d)?.map(|v| v.into_iter().map(|o| o.0).collect()))
}

/// `#[serde(default, deserialize_with = "object::patch_list")]` on a `Patch<Vec<T>>`.
pub fn patch_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Patch<Vec<T>>, D::Error> {
    Ok(
        Patch::<Vec<Object<T>>>::deserialize(d)?
            .map_value(|v| v.into_iter().map(|o| o.0).collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Seo {
        title: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "optional")]
        seo: Option<Seo>,
    }

    #[test]
    fn objects_are_read_and_arrays_refused() {
        let ok: Body = serde_json::from_str(r#"{"seo": {"title": "Niamey"}}"#).unwrap();
        assert_eq!(ok.seo.unwrap().title.as_deref(), Some("Niamey"));
        let none: Body = serde_json::from_str(r#"{"seo": null}"#).unwrap();
        assert!(none.seo.is_none());
        assert!(serde_json::from_str::<Body>(r#"{"seo": [null]}"#).is_err());
        assert!(serde_json::from_str::<Object<Seo>>(r#"["Niamey"]"#).is_err());
        assert!(serde_json::from_str::<Object<Seo>>(r#"{"other": 1}"#).is_err());
    }
}
