//! `LIMIT n` written into the SQL rather than bound, for list pages.
//!
//! PostgreSQL plans each statement once, without its values
//! (`db::plan_stability`), and costs a bound `LIMIT` as a tenth of the
//! rows: a page's plan would be chosen, and costed, for a thousand rows
//! rather than twenty-one. (Before plans were made once, that cost made
//! PostgreSQL plan every list request anew: 0.12 ms of planning for
//! 0.05 ms of execution.) With the page size in the text, the plan is made
//! for the page it serves. A page size is one of at most a hundred values,
//! so each connection keeps at most a hundred such statements. The offset
//! (unbounded) stays a parameter, and is left out when it is 0, as it is
//! on every cursor page.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::BigInt;

#[derive(Debug, Clone)]
pub struct PageWindow<Q> {
    query: Q,
    offset: i64,
    limit: i64,
}

/// `query` from row `offset`, at most `limit` rows. `query` has no `LIMIT`
/// or `OFFSET` of its own.
pub fn page_window<Q>(query: Q, offset: i64, limit: i64) -> PageWindow<Q> {
    PageWindow {
        query,
        offset,
        limit,
    }
}

impl<Q: Query> Query for PageWindow<Q> {
    type SqlType = Q::SqlType;
}

/// The SQL text depends on `limit`, not only on types: a static query id
/// would make diesel reuse the first page size's statement for all.
impl<Q> QueryId for PageWindow<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for PageWindow<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {}", self.limit));
        if self.offset > 0 {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<BigInt, i64>(&self.offset)?;
        }
        Ok(())
    }
}

impl<Q, Conn> diesel::RunQueryDsl<Conn> for PageWindow<Q> {}

#[cfg(test)]
mod tests {
    use diesel::debug_query;
    use diesel::pg::Pg;
    use diesel::prelude::*;
    use diesel::sqlite::Sqlite;

    use super::*;
    use crate::db::schema::articles;

    #[test]
    fn the_page_size_is_in_the_text_and_the_offset_a_parameter() {
        let query = || articles::table.select(articles::id).order(articles::id);
        let sql = |offset| debug_query::<Pg, _>(&page_window(query(), offset, 21)).to_string();
        assert!(sql(0).contains("ORDER BY \"articles\".\"id\" LIMIT 21 --"));
        assert!(sql(40).contains("LIMIT 21 OFFSET $1 -- binds: [40]"));
        let sqlite = debug_query::<Sqlite, _>(&page_window(query(), 40, 7)).to_string();
        assert!(
            sqlite.contains("LIMIT 7 OFFSET ? -- binds: [40]"),
            "{sqlite}"
        );
    }
}
