//! XML-RPC values as the codec reads and writes them, and what a method
//! needs to read its parameters (typed accessors whose errors become the
//! protocol's −32602 fault).

use chrono::{FixedOffset, NaiveDateTime, TimeZone as _};

/// A `dateTime.iso8601` as sent: XML-RPC's own form names no zone
/// (`20261201T10:30:00`), clients add `Z` or an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub at: NaiveDateTime,
    pub zone: Zone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// No zone given: what the field means decides (WordPress's
    /// `dateCreated` is site-local, `date_created_gmt` is UTC).
    Unspecified,
    /// `Z` or an offset, in seconds east of UTC.
    Offset(i32),
}

impl Date {
    /// The forms clients send: basic (`20261201T10:30:00`,
    /// `20261201T103000`) and extended (`2026-12-01T10:30:00`), each with
    /// optional fractional seconds, and `Z` or `±hh:mm` / `±hhmm`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (body, zone) = split_zone(raw)?;
        let body = body.split('.').next().unwrap_or(body);
        let formats = [
            "%Y%m%dT%H:%M:%S",
            "%Y%m%dT%H%M%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H%M%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y%m%dT%H:%M",
            "%Y-%m-%dT%H:%M",
        ];
        let at = formats
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(body, f).ok())?;
        Some(Self { at, zone })
    }

    /// The UTC instant, reading an unspecified zone as `local`.
    pub fn to_utc(self, local: chrono_tz::Tz) -> NaiveDateTime {
        match self.zone {
            Zone::Offset(seconds) => self.at - chrono::Duration::seconds(i64::from(seconds)),
            Zone::Unspecified => local
                .from_local_datetime(&self.at)
                // A time skipped by a DST change reads as the later offset.
                .earliest()
                .or_else(|| local.from_local_datetime(&self.at).latest())
                .map_or(self.at, |dt| dt.naive_utc()),
        }
    }

    /// As written on output: XML-RPC's basic form, no zone (what
    /// `xmlrpc.client` and WordPress's clients parse).
    pub fn format(&self) -> String {
        self.at.format("%Y%m%dT%H:%M:%S").to_string()
    }

    pub fn unzoned(at: NaiveDateTime) -> Self {
        Self {
            at,
            zone: Zone::Unspecified,
        }
    }
}

/// The body and the zone of a date: a trailing `Z`, or a `+`/`-` offset
/// after the time (a `-` inside the date part is not one).
fn split_zone(raw: &str) -> Option<(&str, Zone)> {
    if let Some(body) = raw.strip_suffix('Z').or_else(|| raw.strip_suffix('z')) {
        return Some((body, Zone::Offset(0)));
    }
    let t = raw.find(['T', 't', ' '])?;
    match raw[t..].rfind(['+', '-']) {
        None => Some((raw, Zone::Unspecified)),
        Some(at) => {
            let (body, offset) = raw.split_at(t + at);
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 && digits.len() != 2 {
                return None;
            }
            let hours: i32 = digits.get(..2)?.parse().ok()?;
            let minutes: i32 = digits
                .get(2..)
                .filter(|m| !m.is_empty())
                .map_or(Some(0), |m| m.parse().ok())?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?;
            Some((body, Zone::Offset(sign * (hours * 3600 + minutes * 60))))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Bool(bool),
    String(String),
    Double(f64),
    DateTime(Date),
    Base64(Vec<u8>),
    /// Members in the order sent or to be written.
    Struct(Vec<(String, Value)>),
    Array(Vec<Value>),
    Nil,
}

impl Value {
    pub fn string(s: impl Into<String>) -> Self {
        Self::String(s.into())
    }

    pub fn structure<K: Into<String>>(members: impl IntoIterator<Item = (K, Value)>) -> Self {
        Self::Struct(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A member of a struct (the last one wins when a name repeats).
    pub fn member(&self, name: &str) -> Option<&Value> {
        match self {
            Self::Struct(members) => members
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The XML-RPC type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Int(_) => "int",
            Self::Bool(_) => "boolean",
            Self::String(_) => "string",
            Self::Double(_) => "double",
            Self::DateTime(_) => "dateTime.iso8601",
            Self::Base64(_) => "base64",
            Self::Struct(_) => "struct",
            Self::Array(_) => "array",
            Self::Nil => "nil",
        }
    }

    /// A string, or a number clients send as one (ids are strings in
    /// MetaWeblog, ints in `wp.*`).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Self::String(s) => Some(s.clone()),
            Self::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An int, or a string of digits (the same ids, the other way).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(n) => Some(*n),
            Self::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean, or what clients send for one: `1`/`0` as int or string,
    /// `true`/`false`, `open`/`closed` (comment status).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Int(n) => Some(*n != 0),
            Self::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "open" | "yes" => Some(true),
                "0" | "false" | "closed" | "no" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A date, or a string in one of the date forms.
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Self::DateTime(d) => Some(*d),
            Self::String(s) => Date::parse(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn every_date_form_clients_send_is_read() {
        let ten_thirty = at("2026-12-01 10:30:00");
        for (raw, zone) in [
            ("20261201T10:30:00", Zone::Unspecified),
            ("20261201T103000", Zone::Unspecified),
            ("2026-12-01T10:30:00", Zone::Unspecified),
            ("2026-12-01T10:30:00.000", Zone::Unspecified),
            ("20261201T10:30:00Z", Zone::Offset(0)),
            ("2026-12-01T10:30:00Z", Zone::Offset(0)),
            ("2026-12-01T10:30:00.250Z", Zone::Offset(0)),
            ("2026-12-01T10:30:00+01:00", Zone::Offset(3600)),
            ("20261201T10:30:00+0100", Zone::Offset(3600)),
            ("2026-12-01T10:30:00-05:30", Zone::Offset(-19800)),
            (" 20261201T10:30:00 ", Zone::Unspecified),
        ] {
            assert_eq!(
                Date::parse(raw),
                Some(Date {
                    at: ten_thirty,
                    zone
                }),
                "{raw}"
            );
        }
        for bad in [
            "",
            "hier",
            "2026-13-01T10:30:00",
            "20261201",
            "2026-12-01T10:30:00+25:00",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_unzoned_date_is_read_in_the_site_zone() {
        let porto_novo: chrono_tz::Tz = "Africa/Porto-Novo".parse().unwrap();
        let local = Date::parse("20261201T10:30:00").unwrap();
        assert_eq!(local.to_utc(porto_novo), at("2026-12-01 09:30:00"));
        let zoned = Date::parse("2026-12-01T10:30:00+03:00").unwrap();
        assert_eq!(zoned.to_utc(porto_novo), at("2026-12-01 07:30:00"));
        assert_eq!(local.format(), "20261201T10:30:00");
    }

    #[test]
    fn lenient_accessors_take_what_clients_send() {
        assert_eq!(Value::string("42").as_int(), Some(42));
        assert_eq!(Value::Int(42).as_text().as_deref(), Some("42"));
        assert_eq!(Value::string("open").as_bool(), Some(true));
        assert_eq!(Value::Int(0).as_bool(), Some(false));
        assert_eq!(Value::string("peut-être").as_bool(), None);
        let s = Value::structure([("a", Value::Int(1)), ("a", Value::Int(2))]);
        assert_eq!(s.member("a"), Some(&Value::Int(2)));
    }
}
