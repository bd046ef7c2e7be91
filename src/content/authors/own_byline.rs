//! A writer's own byline. Articles are signed, and an account signs with
//! the byline linked to it. An account that has none (an editor created
//! without one, a newcomer) gets one, named after its display name, the
//! first time it writes an article without naming its bylines, through
//! `/api/v1` or any editor protocol: in that article's transaction, so a
//! write that is refused leaves no byline behind.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::input::{AuthorCreate, AuthorFields};
use super::use_cases::insert;
use crate::auth::Caller;
use crate::auth::caller::Account;
use crate::auth::policy::acting_role;
use crate::changes::Actor;
use crate::db::Tx;
use crate::db::schema::users;
use crate::error::{ApiError, FieldError};

/// Stands for the byline an article's transaction will create. Real ids
/// are positive, and a client cannot send this one: it is only ever put in
/// by `bylines_for`, never read from a request.
const TO_CREATE: i64 = 0;

/// Who signs a new article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signers {
    /// The bylines, in order; `TO_CREATE` stands for the caller's own while
    /// it does not exist yet.
    pub author_ids: Vec<i64>,
    /// The caller as it will be once its byline exists: what the policy
    /// decides on before the write.
    pub acting: Caller,
    /// The account whose byline the write creates (`settle`).
    pending: Option<i64>,
}

impl Signers {
    /// `given` bylines as they are; without them, the caller's own (to be
    /// created when its account has none). `None` when there is nobody to
    /// sign for: the public and API tokens, which name their bylines.
    pub fn for_new_article(caller: &Caller, given: Option<Vec<i64>>) -> Option<Self> {
        if let Some(author_ids) = given {
            return Some(Self {
                author_ids,
                acting: caller.clone(),
                pending: None,
            });
        }
        let account = caller.account().filter(|_| acting_role(caller).is_some())?;
        Some(match account.author_id {
            Some(own) => Self {
                author_ids: vec![own],
                acting: caller.clone(),
                pending: None,
            },
            None => Self {
                author_ids: vec![TO_CREATE],
                acting: Caller::Account(Account {
                    author_id: Some(TO_CREATE),
                    ..account.clone()
                }),
                pending: Some(account.user_id),
            },
        })
    }

    /// Whether the write creates the caller's byline.
    pub fn creates_byline(&self) -> bool {
        self.pending.is_some()
    }

    /// In the article's transaction: `author_ids` with the caller's byline
    /// in place of `TO_CREATE`, created from its display name unless a
    /// concurrent write of the same account just did (the account's row is
    /// locked first, so two first articles make one byline).
    pub fn settle(
        &self,
        tx: &mut Tx<'_>,
        actor: Actor,
        author_ids: &[i64],
        now: NaiveDateTime,
    ) -> Result<Vec<i64>, ApiError> {
        let Some(user_id) = self.pending else {
            return Ok(author_ids.to_vec());
        };
        diesel::update(users::table.find(user_id))
            .set(users::version.eq(users::version))
            .execute(&mut **tx)?;
        let (linked, display_name): (Option<i64>, String) = users::table
            .find(user_id)
            .select((users::author_id, users::display_name))
            .first(&mut **tx)?;
        let own = match linked {
            Some(id) => id,
            None => {
                let fields = AuthorFields::from_create(AuthorCreate {
                    name: display_name,
                    slug: None,
                    bio: None,
                    avatar_url: None,
                    links: None,
                })
                .map_err(|_| {
                    ApiError::Validation(vec![FieldError::new(
                        "author_ids",
                        "required",
                        "this account's display name cannot be a byline: name the article's authors",
                    )])
                })?;
                let byline = insert(tx, &fields, actor)?;
                diesel::update(users::table.find(user_id))
                    .set((
                        users::author_id.eq(byline.id),
                        users::version.eq(users::version + 1),
                        users::updated_at.eq(now),
                    ))
                    .execute(&mut **tx)?;
                byline.id
            }
        };
        Ok(author_ids
            .iter()
            .map(|&id| if id == TO_CREATE { own } else { id })
            .collect())
    }
}
