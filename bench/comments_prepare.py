"""Prepares the comment benchmark against a running API.

    python3 bench/comments_prepare.py BASE OUT EMAIL PASSWORD COMMENTS
        writes an article with COMMENTS approved comments (a newsroom
        account's, approved at once; a quarter answer earlier ones) and its
        slug to OUT/comment_article.txt;
    python3 bench/comments_prepare.py BASE OUT --payloads FILE N
        writes N reader submissions to FILE, one JSON body per line, each
        with its own solved ALTCHA challenge (bench/comment_submit.lua).
"""

import base64
import hashlib
import http.client
import json
import os
import sys
import urllib.parse

base, out = sys.argv[1:3]
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port)


def call(method, path, body=None, token=None, expect=(200, 201)):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, None if body is None else json.dumps(body).encode(), headers)
    response = conn.getresponse()
    data = response.read()
    if response.status not in expect:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def write(name, value):
    with open(f"{out}/{name}", "w") as f:
        f.write(f"{value}\n")


def prepare_article(email, password, comments):
    token = call("POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]
    article = call("GET", "/api/v1/articles?per_page=1")["data"][0]
    call("PATCH", f"/api/v1/articles/{article['id']}", {"comments_enabled": True}, token)
    slug = article["slug"]
    write("comment_article.txt", slug)

    ids = []
    for n in range(comments):
        body = {"body": f"Réponse n° {n} de la rédaction : « merci » pour vos remarques sur Niamey. 🙏"}
        if n % 4 == 3 and ids:
            body["parent_id"] = ids[(n * 7919) % len(ids)]
        ids.append(call("POST", f"/api/v1/articles/{slug}/comments", body, token)["id"])


def solve(challenge):
    prefix = challenge["salt"].encode()
    for number in range(challenge["maxnumber"] + 1):
        if hashlib.sha256(prefix + str(number).encode()).hexdigest() == challenge["challenge"]:
            return number
    raise SystemExit("challenge without a solution")


def prepare_payloads(path, payloads):
    # Bodies differ, and carry no email: each is a first comment, held for
    # moderation after every check has run.
    with open(path, "w") as f:
        for n in range(payloads):
            c = call("GET", "/api/v1/comments/challenge")
            solution = {k: c[k] for k in ("algorithm", "challenge", "salt", "signature")}
            solution["number"] = solve(c)
            altcha = base64.b64encode(json.dumps(solution).encode()).decode()
            # Distinct across files too: the same text twice is a duplicate.
            mark = f"{os.path.basename(path)}-{n}"
            body = {
                "author_name": f"Lectrice {mark}",
                "body": f"Commentaire n° {mark} : l’été à Zinder, « vraiment » chaud. 🌞",
                "altcha": altcha,
            }
            f.write(json.dumps(body, ensure_ascii=False) + "\n")


if sys.argv[3] == "--payloads":
    prepare_payloads(sys.argv[4], int(sys.argv[5]))
else:
    prepare_article(sys.argv[3], sys.argv[4], int(sys.argv[5]))
