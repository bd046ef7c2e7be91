"""A MetaWeblog session as an editor runs it, with Python's own
xmlrpc.client: discovery from the home page, RSD, getUsersBlogs,
getCategories, newMediaObject, newPost (draft), getPost, editPost,
publish, getRecentPosts. Prints what it saw as JSON for the Rust test.

Environment: BASE (the service), USER, PASSWORD (an application
password), IMAGE (a PNG file), PUBLISH ("yes": the account may publish).
"""

import json
import os
import re
import sys
import urllib.request
import xmlrpc.client

base = os.environ["BASE"]
user = os.environ["USER_EMAIL"]
password = os.environ["PASSWORD"]
may_publish = os.environ["PUBLISH"] == "yes"
seen = {}

request = urllib.request.Request(base + "/", headers={"Accept": "text/html"})
home = urllib.request.urlopen(request).read().decode("utf-8")
rsd_url = re.search(r'<link rel="EditURI"[^>]*href="([^"]+)"', home).group(1)
rsd = urllib.request.urlopen(rsd_url).read().decode("utf-8")
endpoint = re.search(r'<api name="MetaWeblog"[^>]*apiLink="([^"]+)"', rsd).group(1)
seen["endpoint"] = endpoint
server = xmlrpc.client.ServerProxy(endpoint, allow_none=True, use_builtin_types=True)

try:
    server.blogger.getUsersBlogs("0123456789ABCDEF", user, "wrong password")
    seen["bad_login"] = None
except xmlrpc.client.Fault as fault:
    seen["bad_login"] = fault.faultCode

blogs = server.blogger.getUsersBlogs("0123456789ABCDEF", user, password)
seen["blog_name"] = blogs[0]["blogName"]
seen["blog_xmlrpc"] = blogs[0]["xmlrpc"]
categories = server.metaWeblog.getCategories("1", user, password)
seen["categories"] = sorted(c["categoryName"] for c in categories)

with open(os.environ["IMAGE"], "rb") as f:
    image = f.read()
media = server.metaWeblog.newMediaObject(
    "1", user, password, {"name": "Photo de Niamey.png", "type": "image/png", "bits": image}
)
seen["media_url"] = media["url"]
seen["media_type"] = media["type"]

post_id = server.metaWeblog.newPost(
    "1",
    user,
    password,
    {
        "title": "Niamey : « la coopération » continue",
        "description": "<p>Premier paragraphe, l’été 🌍.</p>",
        "mt_text_more": "<p>La suite.</p>",
        "categories": ["Diplomatie"],
        "mt_keywords": "Niger, Élections",
        "mt_excerpt": "En bref",
        "wp_post_thumbnail": int(media["id"]),
    },
    False,
)
seen["post_id"] = post_id
post = server.metaWeblog.getPost(post_id, user, password)
seen["draft_status"] = post["post_status"]
seen["draft_title"] = post["title"]
seen["draft_description"] = post["description"]
seen["draft_more"] = post["mt_text_more"]
seen["draft_categories"] = post["categories"]
seen["draft_keywords"] = post["mt_keywords"]
seen["draft_thumbnail"] = post["wp_post_thumbnail"]
seen["date_created_gmt_type"] = type(post["date_created_gmt"]).__name__

try:
    server.metaWeblog.newPost(
        "1", user, password, {"title": "x", "description": "y", "categories": ["Inexistante"]}, False
    )
    seen["unknown_category"] = None
except xmlrpc.client.Fault as fault:
    seen["unknown_category"] = [fault.faultCode, fault.faultString]

edited = server.metaWeblog.editPost(
    post_id,
    user,
    password,
    {
        "title": "Niamey : « la coopération » se poursuit",
        "description": "<p>Texte revu.</p>",
        "wp_post_thumbnail": int(media["id"]),
    },
    False,
)
seen["edited"] = edited

try:
    published = server.mt.publishPost(post_id, user, password)
    seen["published"] = published
except xmlrpc.client.Fault as fault:
    seen["published"] = [fault.faultCode, fault.faultString]

recent = server.metaWeblog.getRecentPosts("1", user, password, 5)
seen["recent"] = [[p["postid"], p["title"], p["post_status"]] for p in recent]

json.dump(seen, sys.stdout, ensure_ascii=False)
