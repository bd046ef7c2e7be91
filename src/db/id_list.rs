//! `column IN (ids)` with the ids in one bind parameter.
//!
//! diesel's `eq_any` writes one placeholder per id on SQLite, so the SQL
//! text changes with the number of ids and diesel never keeps the statement:
//! every page of a list was parsed and planned again. Here the statement is
//! the same for any number of ids, and a query made only of static parts
//! is prepared once per connection (its cache key is its type).
//! - SQLite: `column IN (SELECT value FROM json_each(?))`, the ids as a JSON array;
//! - PostgreSQL: `column = ANY($1)`, the ids as a `BIGINT[]`.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel::sqlite::Sqlite;

use super::DbBackend;

#[derive(Debug, Clone)]
pub struct IdIn<C> {
    column: C,
    ids: Vec<i64>,
    json: String,
}

/// `column` is one of `ids`.
pub fn id_in<C>(column: C, ids: &[i64]) -> IdIn<C>
where
    C: Expression<SqlType = BigInt>,
{
    use std::fmt::Write;
    let mut json = String::with_capacity(ids.len() * 8 + 2);
    json.push('[');
    for (i, id) in ids.iter().enumerate() {
        let separator = if i == 0 { "" } else { "," };
        // Writing to a String cannot fail.
        let _ = write!(json, "{separator}{id}");
    }
    json.push(']');
    IdIn {
        column,
        ids: ids.to_vec(),
        json,
    }
}

impl<C: Expression> Expression for IdIn<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for IdIn<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for IdIn<C> where C: SelectableExpression<QS> {}

impl<C, GB> ValidGrouping<GB> for IdIn<C>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

impl<C: QueryId> QueryId for IdIn<C> {
    type QueryId = IdIn<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for IdIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for IdIn<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C> QueryFragment<DbBackend> for IdIn<C>
where
    C: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DbBackend>) -> QueryResult<()> {
        DbBackend::walk_variant_ast(self, pass)
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::db::schema::article_tags;

    /// The SQL text of a query on `$backend`, without its bind values.
    macro_rules! sql {
        ($backend:ty, $ids:expr) => {{
            let query = article_tags::table
                .filter(id_in(article_tags::article_id, $ids))
                .select(article_tags::tag_id);
            let text = diesel::debug_query::<$backend, _>(&query).to_string();
            text.split(" -- binds")
                .next()
                .unwrap_or_default()
                .to_owned()
        }};
    }

    /// The statement is the same for one id or fifty, so it is prepared
    /// once; `eq_any` would write fifty placeholders.
    #[test]
    fn the_statement_does_not_depend_on_the_number_of_ids() {
        let many: Vec<i64> = (1..=50).collect();
        assert_eq!(sql!(Sqlite, &[7]), sql!(Sqlite, &many));
        assert_eq!(sql!(Pg, &[7]), sql!(Pg, &many));
        assert!(sql!(Sqlite, &many).contains("json_each(?)"));
        assert!(sql!(Pg, &many).contains("= ANY($1)"));
        // Static, so a query built from it is cached by its type alone.
        const { assert!(<IdIn<article_tags::article_id> as QueryId>::HAS_STATIC_QUERY_ID) };
    }

    #[test]
    fn ids_travel_as_a_json_array() {
        assert_eq!(id_in(article_tags::article_id, &[]).json, "[]");
        assert_eq!(
            id_in(article_tags::article_id, &[3, -1, 42]).json,
            "[3,-1,42]"
        );
    }
}
