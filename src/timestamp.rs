//! Time as the API shows it: UTC, RFC 3339 with a `Z`, stored without a zone
//! and truncated to microseconds (PostgreSQL's precision) so that both
//! databases give back exactly what was written.

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// `2025-01-18T09:30:00Z`, with fractional seconds only when there are some.
pub fn to_rfc3339(t: &NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The years a stored timestamp may have. SQLite keeps timestamps as text
/// and compares them as text: `+10000-01-01` sorts before `2026-…`, so an
/// article dated past 9999 was public at once there and scheduled on
/// PostgreSQL. Four-digit years compare the same on both.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Whether `t` can be stored and compared alike on both databases.
pub fn in_supported_range(t: &NaiveDateTime) -> bool {
    YEARS.contains(&t.year())
}

/// What a client is told when a timestamp's year is out of `YEARS`.
pub const OUT_OF_RANGE: &str = "must have a year between 1000 and 9999";

/// Parses any RFC 3339 timestamp (any offset) into UTC; `None` when it is
/// not one, or its year (in UTC) is outside `YEARS`.
pub fn parse_rfc3339(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc).naive_utc().trunc_subsecs(6))
        .filter(in_supported_range)
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

    #[test]
    fn years_outside_four_digits_are_refused() {
        assert!(parse_rfc3339("+10000-01-01T00:00:00Z").is_none());
        assert!(parse_rfc3339("0999-12-31T23:59:59Z").is_none());
        // 9999-12-31T23:30-01:00 is in year 10000 in UTC.
        assert!(parse_rfc3339("9999-12-31T23:30:00-01:00").is_none());
        assert!(parse_rfc3339("9999-12-31T23:59:59Z").is_some());
        assert!(parse_rfc3339("1000-01-01T00:00:00Z").is_some());
    }
}
