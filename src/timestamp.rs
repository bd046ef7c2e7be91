//! Time as the API shows it: UTC, RFC 3339 with a `Z`, stored without a zone
//! and truncated to microseconds (PostgreSQL's precision) so that both
//! databases give back exactly what was written.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// `2025-01-18T09:30:00Z`, with fractional seconds only when there are some.
pub fn to_rfc3339(t: &NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Parses any RFC 3339 timestamp (any offset) into UTC.
pub fn parse_rfc3339(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc).naive_utc().trunc_subsecs(6))
}

/// `#[serde(with = "crate::timestamp::rfc3339")]` on view fields.
pub mod rfc3339 {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_rfc3339(t))
    }
}

/// The same for optional timestamps.
pub mod rfc3339_option {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::to_rfc3339(t)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_utc() {
        let t = parse_rfc3339("2025-01-18T10:30:00+01:00").unwrap();
        assert_eq!(to_rfc3339(&t), "2025-01-18T09:30:00Z");
        assert!(parse_rfc3339("18/01/2025").is_none());
    }
}
