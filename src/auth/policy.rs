//! Who may do what, decided here and nowhere else. Handlers describe the
//! action and the facts (who signs the article, its status before and after)
//! and get `Ok(())`, a 401 (no credentials) or a 403 (not allowed).
//!
//! The contract's table:
//! - admin: everything, including users and API tokens;
//! - editor: all content, publish, moderate;
//! - author: writes and publishes its own articles (those it signs, as
//!   primary author or co-author through its linked byline);
//! - contributor: writes its own drafts (draft or review), cannot publish,
//!   schedule or archive;
//! - API tokens: `content:read` sees unpublished content, `content:write`
//!   acts on all content like an editor, `admin` like an admin.

use crate::auth::caller::{Caller, unauthorized};
use crate::auth::{Role, Scope};
use crate::content::articles::lifecycle::{self, ArticleStatus};
use crate::error::ApiError;

/// What a caller wants to do to an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleAction {
    Create,
    Update,
    Delete,
}

/// The facts the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct ArticleFacts<'a> {
    /// Bylines of the article as stored (empty for a create).
    pub current_authors: &'a [i64],
    pub current_status: Option<ArticleStatus>,
    /// Bylines and status after the write (the same as now for a delete).
    pub new_authors: &'a [i64],
    pub new_status: ArticleStatus,
}

/// The resources other than articles that the contract lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Category,
    Tag,
    Author,
    User,
    ApiToken,
}

fn forbidden(detail: &str) -> ApiError {
    ApiError::Forbidden(detail.to_owned())
}

/// The role a caller acts with: accounts have theirs, API tokens act as an
/// editor (`content:write`) or an admin (`admin`); `None` for the public and
/// for read-only tokens.
pub fn acting_role(caller: &Caller) -> Option<Role> {
    match caller {
        Caller::Public => None,
        Caller::Account(account) => Some(account.role),
        Caller::ApiToken(_) if caller.has_scope(Scope::Admin) => Some(Role::Admin),
        Caller::ApiToken(_) if caller.has_scope(Scope::ContentWrite) => Some(Role::Editor),
        Caller::ApiToken(_) => None,
    }
}

/// Whether the caller sees drafts, scheduled and archived articles: any
/// account (the newsroom) and any API token (previews).
pub fn may_read_unpublished(caller: &Caller) -> bool {
    !matches!(caller, Caller::Public)
}

/// Decides a write to an article.
pub fn authorize_article(
    caller: &Caller,
    action: ArticleAction,
    facts: &ArticleFacts<'_>,
) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    let role = acting_role(caller).ok_or_else(|| forbidden("this token may only read content"))?;
    match role {
        Role::Admin | Role::Editor => Ok(()),
        Role::Author | Role::Contributor => {
            let own_author = caller.account().and_then(|a| a.author_id);
            let signs = |authors: &[i64]| own_author.is_some_and(|id| authors.contains(&id));
            if action != ArticleAction::Create && !signs(facts.current_authors) {
                return Err(forbidden("you may only change articles you sign"));
            }
            if action != ArticleAction::Delete && !signs(facts.new_authors) {
                return Err(forbidden(
                    "your own byline must stay among the article's authors",
                ));
            }
            if role == Role::Contributor
                && !lifecycle::contributor_may(facts.current_status, facts.new_status)
            {
                return Err(forbidden(
                    "contributors write drafts and submit them for review; they cannot publish, schedule or archive",
                ));
            }
            Ok(())
        }
    }
}

/// Decides a write to a category, tag, author profile, user or API token.
/// `own_author_id` is the byline being edited, for the rule that an author
/// edits its own profile.
pub fn authorize_write(
    caller: &Caller,
    resource: Resource,
    target_author_id: Option<i64>,
) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    let role = acting_role(caller).ok_or_else(|| forbidden("this token may only read content"))?;
    let allowed = match (resource, role) {
        (_, Role::Admin) => true,
        (Resource::User | Resource::ApiToken, _) => false,
        (_, Role::Editor) => true,
        (Resource::Tag, Role::Author | Role::Contributor) => false,
        (Resource::Author, Role::Author | Role::Contributor) => {
            target_author_id.is_some()
                && caller.account().and_then(|a| a.author_id) == target_author_id
        }
        (Resource::Category, _) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(forbidden("your role does not allow this"))
    }
}

/// Authors may create tags while writing (the contract's table); only
/// editors and admins rename or delete them.
pub fn authorize_tag_create(caller: &Caller) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    match acting_role(caller) {
        Some(Role::Admin | Role::Editor | Role::Author) => Ok(()),
        _ => Err(forbidden("your role does not allow creating tags")),
    }
}

/// Uploads (and changes to one's own uploads): every role, contributors
/// included (their drafts need images); not read-only tokens.
pub fn authorize_media_upload(caller: &Caller) -> Result<(), ApiError> {
    caller.require_authenticated()?;
    acting_role(caller)
        .map(drop)
        .ok_or_else(|| forbidden("this token may only read content"))
}

/// Changing or deleting a media object: editors and admins any, authors
/// and contributors those they uploaded (`created_by`).
pub fn authorize_media_change(caller: &Caller, created_by: Option<i64>) -> Result<(), ApiError> {
    authorize_media_upload(caller)?;
    match acting_role(caller) {
        Some(Role::Admin | Role::Editor) => Ok(()),
        _ if created_by.is_some() && caller.user_id() == created_by => Ok(()),
        _ => Err(forbidden("you may only change media you uploaded")),
    }
}

/// Reads that need an admin (users, API tokens).
pub fn authorize_admin(caller: &Caller) -> Result<(), ApiError> {
    match acting_role(caller) {
        Some(Role::Admin) => Ok(()),
        _ if matches!(caller, Caller::Public) => Err(unauthorized()),
        _ => Err(forbidden("administrators only")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::caller::{Account, ApiTokenCaller};
    use ArticleStatus::*;

    const MINE: i64 = 7;
    const OTHER: i64 = 9;

    fn account(role: Role) -> Caller {
        Caller::Account(Account {
            user_id: 1,
            role,
            author_id: Some(MINE),
        })
    }

    fn token(scopes: &[Scope]) -> Caller {
        Caller::ApiToken(ApiTokenCaller {
            token_id: 1,
            scopes: scopes.to_vec(),
        })
    }

    fn facts<'a>(
        current: &'a [i64],
        from: Option<ArticleStatus>,
        new: &'a [i64],
        to: ArticleStatus,
    ) -> ArticleFacts<'a> {
        ArticleFacts {
            current_authors: current,
            current_status: from,
            new_authors: new,
            new_status: to,
        }
    }

    fn status(r: Result<(), ApiError>) -> u16 {
        match r {
            Ok(()) => 200,
            Err(ApiError::Unauthorized(_)) => 401,
            Err(ApiError::Forbidden(_)) => 403,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn article_rules() {
        use ArticleAction::*;
        let own = [MINE];
        let other = [OTHER];
        let co = [OTHER, MINE];
        // (caller, action, facts, expected)
        let cases: Vec<(Caller, ArticleAction, ArticleFacts, u16)> = vec![
            (Caller::Public, Create, facts(&[], None, &own, Draft), 401),
            (
                account(Role::Admin),
                Update,
                facts(&other, Some(Published), &other, Archived),
                200,
            ),
            (
                account(Role::Editor),
                Delete,
                facts(&other, Some(Published), &other, Published),
                200,
            ),
            (
                account(Role::Author),
                Create,
                facts(&[], None, &own, Published),
                200,
            ),
            (
                account(Role::Author),
                Create,
                facts(&[], None, &other, Draft),
                403,
            ),
            (
                account(Role::Author),
                Update,
                facts(&co, Some(Draft), &co, Published),
                200,
            ),
            (
                account(Role::Author),
                Update,
                facts(&other, Some(Draft), &other, Draft),
                403,
            ),
            (
                account(Role::Author),
                Update,
                facts(&own, Some(Draft), &other, Draft),
                403,
            ),
            (
                account(Role::Author),
                Delete,
                facts(&own, Some(Published), &own, Published),
                200,
            ),
            (
                account(Role::Author),
                Delete,
                facts(&other, Some(Draft), &other, Draft),
                403,
            ),
            (
                account(Role::Contributor),
                Create,
                facts(&[], None, &own, Draft),
                200,
            ),
            (
                account(Role::Contributor),
                Create,
                facts(&[], None, &own, Review),
                200,
            ),
            (
                account(Role::Contributor),
                Create,
                facts(&[], None, &own, Published),
                403,
            ),
            (
                account(Role::Contributor),
                Create,
                facts(&[], None, &own, Scheduled),
                403,
            ),
            (
                account(Role::Contributor),
                Update,
                facts(&own, Some(Draft), &own, Review),
                200,
            ),
            (
                account(Role::Contributor),
                Update,
                facts(&own, Some(Review), &own, Published),
                403,
            ),
            (
                account(Role::Contributor),
                Update,
                facts(&own, Some(Published), &own, Published),
                403,
            ),
            (
                account(Role::Contributor),
                Update,
                facts(&other, Some(Draft), &other, Draft),
                403,
            ),
            (
                account(Role::Contributor),
                Delete,
                facts(&own, Some(Draft), &own, Draft),
                200,
            ),
            (
                account(Role::Contributor),
                Delete,
                facts(&own, Some(Published), &own, Published),
                403,
            ),
            (
                token(&[Scope::ContentRead]),
                Update,
                facts(&own, Some(Draft), &own, Draft),
                403,
            ),
            (
                token(&[Scope::ContentWrite]),
                Update,
                facts(&other, Some(Draft), &other, Published),
                200,
            ),
        ];
        for (i, (caller, action, facts, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                status(authorize_article(&caller, action, &facts)),
                expected,
                "case {i}: {caller:?} {action:?}"
            );
        }
    }

    #[test]
    fn an_unlinked_author_owns_nothing() {
        let caller = Caller::Account(Account {
            user_id: 1,
            role: Role::Author,
            author_id: None,
        });
        let f = facts(&[], None, &[MINE], Draft);
        assert_eq!(
            status(authorize_article(&caller, ArticleAction::Create, &f)),
            403
        );
    }

    #[test]
    fn other_resources() {
        assert_eq!(
            status(authorize_write(
                &account(Role::Editor),
                Resource::Category,
                None
            )),
            200
        );
        assert_eq!(
            status(authorize_write(
                &account(Role::Author),
                Resource::Category,
                None
            )),
            403
        );
        assert_eq!(
            status(authorize_write(
                &account(Role::Author),
                Resource::Author,
                Some(MINE)
            )),
            200
        );
        assert_eq!(
            status(authorize_write(
                &account(Role::Author),
                Resource::Author,
                Some(OTHER)
            )),
            403
        );
        assert_eq!(
            status(authorize_write(
                &account(Role::Editor),
                Resource::User,
                None
            )),
            403
        );
        assert_eq!(
            status(authorize_write(
                &account(Role::Admin),
                Resource::ApiToken,
                None
            )),
            200
        );
        assert_eq!(
            status(authorize_write(&Caller::Public, Resource::Tag, None)),
            401
        );
        assert_eq!(status(authorize_tag_create(&account(Role::Author))), 200);
        assert_eq!(
            status(authorize_tag_create(&account(Role::Contributor))),
            403
        );
        assert_eq!(status(authorize_admin(&token(&[Scope::Admin]))), 200);
        assert_eq!(status(authorize_admin(&token(&[Scope::ContentWrite]))), 403);
        assert_eq!(status(authorize_admin(&Caller::Public)), 401);
        assert!(may_read_unpublished(&token(&[Scope::ContentRead])));
        assert!(!may_read_unpublished(&Caller::Public));
    }
}
