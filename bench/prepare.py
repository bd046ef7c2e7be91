"""Reads from the running API what the load scenarios need: a token, ids for
the create payload, a cursor deep in the list, a root category, and the bytes
of list page 1 (served by the ceiling server)."""

import json
import sys
import urllib.request

base, out, email, password = sys.argv[1:5]


def call(path, body=None, token=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return response.read()


def write(name, value):
    with open(f"{out}/{name}", "w") as f:
        f.write(f"{value}\n")


token = json.loads(call("/api/v1/auth/login", {"email": email, "password": password}))["access_token"]
write("token.txt", token)
page = call("/api/v1/articles?per_page=20")
with open(f"{out}/list.json", "wb") as f:
    f.write(page)
first = json.loads(page)["data"][0]
write("category_id.txt", first["category"]["id"])
write("author_id.txt", first["author"]["id"])
categories = json.loads(call("/api/v1/categories"))
categories = categories["data"] if isinstance(categories, dict) else categories
write("root_category.txt", next(c["slug"] for c in categories if c.get("parent_id") is None))

# Walk half of the published set by cursor, 100 at a time.
total = json.loads(call("/api/v1/articles?per_page=1"))["meta"]["total"]
cursor, seen = None, 0
while seen < total // 2:
    suffix = f"&cursor={cursor}" if cursor else ""
    body = json.loads(call(f"/api/v1/articles?per_page=100&fields=id{suffix}"))
    seen += len(body["data"])
    cursor = body["meta"]["next_cursor"]
    if not cursor:
        break
write("deep_cursor.txt", cursor or "")
