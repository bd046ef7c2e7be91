//! Every statement about `site_settings`.

use diesel::prelude::*;

use super::rows::{SiteSettingsForm, SiteSettingsRow};
use crate::db::DbConnection;
use crate::db::schema::site_settings;

pub fn find(conn: &mut DbConnection) -> QueryResult<Option<SiteSettingsRow>> {
    site_settings::table
        .find(1)
        .select(SiteSettingsRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the one row, whether or not it existed.
pub fn save(conn: &mut DbConnection, form: &SiteSettingsForm) -> QueryResult<()> {
    let updated = diesel::update(site_settings::table.find(1))
        .set(form)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(site_settings::table)
            .values(form)
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let form = SiteSettingsForm {
            id: 1,
            title: None,
            description: Some("d".to_owned()),
            frontend_url: None,
            timezone: None,
            language: None,
            updated_at: crate::timestamp::now(),
            updated_by: None,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(site_settings::table).values(&form)
        ));
    }
}
