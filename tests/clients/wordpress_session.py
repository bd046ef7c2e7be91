"""A wp.* session with the python-wordpress-xmlrpc package (2.3, PyPI):
newPost with terms, terms_names, a thumbnail and a date; getPost;
editPost; getPosts; the taxonomies and the profile. Prints what it saw as
JSON for the Rust test.

Environment: ENDPOINT, USER_EMAIL, PASSWORD, IMAGE (a PNG file),
CATEGORY_ID (an existing category), PUBLISH ("yes" when the account may).
"""

import collections
import collections.abc
import datetime
import json
import os
import sys
import xmlrpc.client

# python-wordpress-xmlrpc 2.3 predates Python 3.10, which moved Iterable
# (upstream issues #149, #152): the one-line shim every user of it needs.
collections.Iterable = collections.abc.Iterable

from wordpress_xmlrpc import Client, WordPressPost, WordPressTerm  # noqa: E402
from wordpress_xmlrpc.methods import media, options, posts, taxonomies, users  # noqa: E402

client = Client(os.environ["ENDPOINT"], os.environ["USER_EMAIL"], os.environ["PASSWORD"])
may_publish = os.environ["PUBLISH"] == "yes"
seen = {}

blogs = client.call(users.GetUsersBlogs())
seen["blogs"] = [b.name for b in blogs]
profile = client.call(users.GetProfile())
seen["profile_roles"] = profile.roles
seen["options_title"] = client.call(options.GetOptions(["blog_title"]))[0].value

categories = client.call(taxonomies.GetTerms("category"))
seen["categories"] = sorted(c.name for c in categories)

with open(os.environ["IMAGE"], "rb") as f:
    uploaded = client.call(
        media.UploadFile(
            {"name": "une.png", "type": "image/png", "bits": xmlrpc.client.Binary(f.read())}
        )
    )
seen["upload_type"] = uploaded["type"]

category = WordPressTerm()
category.id = os.environ["CATEGORY_ID"]
category.taxonomy = "category"

post = WordPressPost()
post.title = "Cotonou : l’Assemblée « vote » le budget"
post.content = "<p>Le budget 2027 est adopté 🇧🇯.</p>"
post.terms = [category]
post.terms_names = {"post_tag": ["Budget", "Assemblée nationale"]}
post.thumbnail = int(uploaded["id"])
post.date = datetime.datetime(2026, 11, 30, 8, 15, 0)
post.post_status = "draft"
post_id = client.call(posts.NewPost(post))
seen["post_id"] = post_id

fetched = client.call(posts.GetPost(post_id))
seen["fetched_title"] = fetched.title
seen["fetched_date"] = fetched.date.isoformat()
seen["fetched_status"] = fetched.post_status
seen["fetched_terms"] = sorted([t.taxonomy, t.name] for t in fetched.terms)
seen["fetched_thumbnail"] = fetched.thumbnail["attachment_id"] if fetched.thumbnail else None

# Sent back whole, as the package does: the thumbnail struct included.
fetched.title = "Cotonou : le budget 2027 est voté"
fetched.post_status = "publish" if may_publish else "pending"
seen["edited"] = client.call(posts.EditPost(post_id, fetched))

unknown = WordPressTerm()
unknown.id = "999999"
unknown.taxonomy = "category"
bad = WordPressPost()
bad.title = "Jamais écrit"
bad.terms = [unknown]
try:
    client.call(posts.NewPost(bad))
    seen["unknown_term"] = None
except Exception as error:  # a 403 fault is InvalidCredentialsError here, as with WordPress
    seen["unknown_term"] = str(error)

listed = client.call(posts.GetPosts({"number": 5}))
seen["listed"] = [[p.id, p.title, p.post_status] for p in listed]

json.dump(seen, sys.stdout, ensure_ascii=False)
