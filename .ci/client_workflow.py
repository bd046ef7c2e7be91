"""A newsroom workflow through a client generated from openapi/openapi.json
(openapi-python-client): sign in, create a category, a byline and a tag,
write a draft, publish it, and read it back as the public with its relations.
Any unexpected status raises, so CI fails if the document and the server
disagree on what the generated client relies on."""

import sys
import uuid

from newsroom_client import AuthenticatedClient, Client
from newsroom_client.api.articles import create_article, get_article, list_articles, update_article
from newsroom_client.api.auth import login
from newsroom_client.api.authors import create_author
from newsroom_client.api.categories import create_category
from newsroom_client.api.tags import create_tag
from newsroom_client.models import (
    ArticleCreate,
    ArticlePatch,
    ArticleStatus,
    Article,
    AuthorCreate,
    CategoryCreate,
    LoginRequest,
    TagCreate,
    TokenPair,
)


def expect(value, kind, what):
    if not isinstance(value, kind):
        raise SystemExit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


def main():
    base, email, password = sys.argv[1:4]
    run = uuid.uuid4().hex[:6]
    public = Client(base_url=base, raise_on_unexpected_status=True)

    pair = expect(login.sync(client=public, body=LoginRequest(email=email, password=password)), TokenPair, "login")
    writer = AuthenticatedClient(base_url=base, token=pair.access_token, raise_on_unexpected_status=True)

    category = create_category.sync(client=writer, body=CategoryCreate(name=f"Économie « verte » {run}"))
    author = create_author.sync(client=writer, body=AuthorCreate(name=f"Agence Nigérienne de Presse {run}"))
    tag = create_tag.sync(client=writer, body=TagCreate(name=f"Énergie solaire {run}"))

    title = f"L’été à Niamey : « Noël » approche ☀️ {run}"
    draft = expect(
        create_article.sync(
            client=writer,
            body=ArticleCreate(
                title=title,
                body="Les rues de Niamey se parent de **lumières**.",
                category_id=category.id,
                author_ids=[author.id],
                tag_ids=[tag.id],
            ),
        ),
        Article,
        "create article",
    )
    assert draft.status == ArticleStatus.DRAFT, draft.status

    hidden = get_article.sync_detailed(client=public, id_or_slug=draft.slug)
    assert hidden.status_code == 404, f"a draft is 404 to the public, got {hidden.status_code}"

    published = expect(
        update_article.sync(client=writer, id_or_slug=str(draft.id), body=ArticlePatch(status=ArticleStatus.PUBLISHED)),
        Article,
        "publish",
    )
    assert published.status == ArticleStatus.PUBLISHED

    read = expect(get_article.sync(client=public, id_or_slug=draft.slug), Article, "public read")
    assert read.title == title, read.title
    assert read.author.name == author.name
    assert read.category.name == category.name
    assert [c.slug for c in read.category.path][-1] == category.slug
    assert [t.name for t in read.tags] == [tag.name]
    assert "<strong>lumières</strong>" in read.body_html

    page = list_articles.sync(client=public, category=category.slug)
    assert [a.id for a in page.data] == [draft.id], page
    print(f"generated client workflow passed: article {read.id} « {read.title} » is public with its relations")


if __name__ == "__main__":
    main()
