"""A reader typed by a client generated from the served OpenAPI document
(openapi-python-client). It must pass `mypy --strict` with no cast and no
`type: ignore`: the document has to say exactly what an article holds. It
prints what it read as JSON for the test to compare with the API."""

import json
import sys

from cms_client import Client
from cms_client.api.articles import get_article, list_articles
from cms_client.models import Article, ArticleList


def main(base_url: str) -> None:
    client = Client(base_url=base_url, raise_on_unexpected_status=True)
    page = list_articles.sync(client=client, per_page=5)
    if not isinstance(page, ArticleList):
        raise SystemExit(f"the list failed: {page!r}")
    if not page.data:
        raise SystemExit("no article to read")
    article = get_article.sync(page.data[0].slug, client=client)
    if not isinstance(article, Article):
        raise SystemExit(f"the read failed: {article!r}")
    published_at = article.published_at
    print(
        json.dumps(
            {
                "listed": [item.title for item in page.data],
                "total": page.meta.total,
                "next_cursor": page.meta.next_cursor,
                "title": article.title,
                "author": article.author.name,
                "breadcrumb": [crumb.name for crumb in article.category.path],
                "tags": [tag.name for tag in article.tags],
                "body_html": article.body_html,
                "published_at": None
                if published_at is None
                else published_at.isoformat().replace("+00:00", "Z"),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
