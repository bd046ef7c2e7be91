//! The settings' values, each a type that validates on construction, and
//! the effective settings: an administrator's value, else the configured
//! one.

use chrono::{NaiveDateTime, Offset, TimeZone as _};

use super::rows::SiteSettingsRow;

/// An IANA time zone name (`Africa/Porto-Novo`, `Africa/Niamey`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| format!("'{raw}' is not an IANA time zone (such as Africa/Porto-Novo)"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// Seconds east of UTC at the UTC instant `at`.
    pub fn offset_seconds_at(&self, at: NaiveDateTime) -> i32 {
        self.0.offset_from_utc_datetime(&at).fix().local_minus_utc()
    }
}

/// What the document says a time zone is: one of the IANA names the server
/// knows (chrono-tz's database), listed, so that generated clients and
/// fuzzers send only names that `TimeZone::parse` accepts.
pub struct TimeZoneName;

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::extensions::Extensions;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An IANA time zone name"))
            .enum_values(Some(names.clone()))
            .examples(["Africa/Porto-Novo"])
            // Generators that name enum members (openapi-python-client)
            // would otherwise make `GMT+0`, `GMT-0` and `GMT0` one name.
            .extensions(Some(
                Extensions::builder()
                    .add("x-enum-varnames", variable_names(&names))
                    .build(),
            ))
            .into()
    }
}

/// A distinct identifier per time zone name, for generated clients:
/// `Africa/Porto-Novo` → `AFRICA_PORTO_NOVO`, `Etc/GMT+1` → `ETC_GMT_PLUS_1`,
/// `Etc/GMT-1` → `ETC_GMT_MINUS_1`.
fn variable_names(names: &[&str]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    names
        .iter()
        .map(|name| {
            let chars: Vec<char> = name.chars().collect();
            let mut out = String::new();
            for (i, c) in chars.iter().enumerate() {
                match c {
                    c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
                    '+' => out.push_str("_PLUS_"),
                    '-' if chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                        out.push_str("_MINUS_")
                    }
                    _ => out.push('_'),
                }
            }
            let mut name = out
                .split('_')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            let base = name.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

impl utoipa::ToSchema for TimeZoneName {}

/// A BCP 47 language tag, in its usual case (`fr`, `fr-BJ`, `en`, `ha`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language(String);

impl Language {
    /// A primary language of 2 or 3 letters, then subtags of 1 to 8
    /// letters or digits; the primary tag lowercased, a 2-letter region
    /// uppercased.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let mut parts = raw.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        let invalid = || format!("'{raw}' is not a BCP 47 language tag (such as fr or fr-BJ)");
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        let mut tag = primary.to_ascii_lowercase();
        for part in parts {
            if !(1..=8).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid());
            }
            tag.push('-');
            if part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()) {
                tag.push_str(&part.to_ascii_uppercase());
            } else {
                tag.push_str(&part.to_ascii_lowercase());
            }
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The configured settings (`CMS_SITE_TITLE`, `CMS_SITE_DESCRIPTION`,
/// `CMS_SITE_URL`, `CMS_SITE_TIMEZONE`, `CMS_SITE_LANGUAGE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub title: String,
    pub description: String,
    pub frontend_url: Option<String>,
    pub timezone: TimeZone,
    pub language: Language,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            title: "Rédaction".to_owned(),
            description: String::new(),
            frontend_url: None,
            timezone: TimeZone(chrono_tz::Tz::UTC),
            language: Language("fr".to_owned()),
        }
    }
}

/// The settings in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    pub frontend_url: Option<String>,
    /// `CMS_PUBLIC_URL`: where this service is reached (read-only here:
    /// it must agree with the reverse proxy in front).
    pub api_url: Option<String>,
    pub timezone: TimeZone,
    pub language: Language,
    pub updated_at: Option<NaiveDateTime>,
    pub version: i32,
}

impl SiteSettings {
    /// The stored overrides (if any) over the configured values. A stored
    /// value that no longer parses (a time zone dropped from the IANA
    /// database) falls back to the configured one.
    pub fn effective(
        defaults: &Defaults,
        api_url: Option<&str>,
        row: Option<SiteSettingsRow>,
    ) -> Self {
        let row = row.unwrap_or_default();
        Self {
            title: row.title.unwrap_or_else(|| defaults.title.clone()),
            description: row
                .description
                .unwrap_or_else(|| defaults.description.clone()),
            frontend_url: row.frontend_url.or_else(|| defaults.frontend_url.clone()),
            api_url: api_url.map(str::to_owned),
            timezone: row
                .timezone
                .and_then(|tz| TimeZone::parse(&tz).ok())
                .unwrap_or(defaults.timezone),
            language: row
                .language
                .and_then(|l| Language::parse(&l).ok())
                .unwrap_or_else(|| defaults.language.clone()),
            updated_at: (row.version > 0).then_some(row.updated_at),
            version: row.version,
        }
    }

    /// Where readers read, without a trailing slash: the frontend's
    /// address, or this service's (`origin`) when there is none. Editor
    /// protocols build permalinks on it.
    pub fn home(&self, origin: &str) -> String {
        self.frontend_url
            .as_deref()
            .unwrap_or(origin)
            .trim_end_matches('/')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_have_distinct_names_for_generated_clients() {
        let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        let variables = variable_names(&names);
        let distinct: std::collections::HashSet<&String> = variables.iter().collect();
        assert_eq!(distinct.len(), names.len());
        let of = |name: &str| variables[names.iter().position(|n| *n == name).unwrap()].clone();
        assert_eq!(of("Africa/Porto-Novo"), "AFRICA_PORTO_NOVO");
        assert_eq!(of("Etc/GMT+1"), "ETC_GMT_PLUS_1");
        assert_eq!(of("Etc/GMT-1"), "ETC_GMT_MINUS_1");
    }

    #[test]
    fn every_documented_time_zone_is_accepted() {
        for tz in chrono_tz::TZ_VARIANTS {
            assert_eq!(TimeZone::parse(tz.name()).map(|t| t.name()), Ok(tz.name()));
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        let porto_novo = TimeZone::parse("Africa/Porto-Novo").unwrap();
        assert_eq!(porto_novo.name(), "Africa/Porto-Novo");
        let noon = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(porto_novo.offset_seconds_at(noon), 3_600);
        assert!(TimeZone::parse("Afrique/Cotonou").is_err());
        assert!(TimeZone::parse("").is_err());
    }

    #[test]
    fn language_tags_are_checked_and_put_in_their_usual_case() {
        assert_eq!(Language::parse("FR").unwrap().as_str(), "fr");
        assert_eq!(Language::parse("fr_bj").unwrap().as_str(), "fr-BJ");
        assert_eq!(Language::parse("ha").unwrap().as_str(), "ha");
        for bad in ["", "f", "français", "fr-", "fr-toolongsubtag", "12"] {
            assert!(Language::parse(bad).is_err(), "{bad}");
        }
    }
}
