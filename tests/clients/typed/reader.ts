// A frontend's reader, typed by a client generated from the served OpenAPI
// document (openapi-typescript + openapi-fetch). It must compile with
// `tsc --strict` with no non-null assertion and no cast: the document has
// to say exactly what an article holds. It prints what it read as JSON for
// the test to compare with the API.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.argv[2];
if (baseUrl === undefined) {
  throw new Error("usage: node reader.js BASE_URL");
}
// Answers are read as `application/json`: the sparse media type only
// answers requests that send `fields`.
const client = createClient<paths, "application/json">({ baseUrl });

const listed = await client.GET("/api/v1/articles", {
  params: { query: { per_page: 5, sort: "-published_at" } },
});
if (listed.data === undefined) {
  throw new Error(`the list failed: ${listed.response.status}`);
}
const page = listed.data;
const first = page.data[0];
if (first === undefined) {
  throw new Error("no article to read");
}
const read = await client.GET("/api/v1/articles/{id_or_slug}", {
  params: { path: { id_or_slug: first.slug } },
});
if (read.data === undefined) {
  throw new Error(`the read failed: ${read.response.status}`);
}
const article = read.data;
console.log(
  JSON.stringify({
    listed: page.data.map((item) => item.title),
    total: page.meta.total,
    next_cursor: page.meta.next_cursor,
    title: article.title,
    author: article.author.name,
    breadcrumb: article.category.path.map((crumb) => crumb.name),
    tags: article.tags.map((tag) => tag.name),
    body_html: article.body_html,
    published_at: article.published_at,
  }),
);
