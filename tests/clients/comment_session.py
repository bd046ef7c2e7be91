"""A reader commenting as the ALTCHA widget does, with ALTCHA's own Python
library (PyPI `altcha`, its v1 API): fetch a challenge from the server,
solve it with `solve_challenge_v1`, encode the solution with `PayloadV1`
as the widget's hidden `altcha` field, and post the comment; then post a
second comment with the same solution (a replay), and a third with a fresh
one. Prints a JSON summary for the Rust test to check.

Environment: API (the server's /api/v1 URL), ARTICLE (id or slug), EMAIL.
"""

import json
import os
import sys
import urllib.error
import urllib.request

from altcha import PayloadV1, solve_challenge_v1

API = os.environ["API"]
ARTICLE = os.environ["ARTICLE"]
EMAIL = os.environ["EMAIL"]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        API + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Accept-Language": "fr-FR,fr;q=0.9"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), error.headers


def solved():
    status, challenge, headers = call("GET", "/comments/challenge")
    assert status == 200, (status, challenge)
    solution = solve_challenge_v1(
        challenge["challenge"],
        challenge["salt"],
        challenge["algorithm"],
        challenge["maxnumber"],
    )
    assert solution is not None, "no solution found"
    payload = PayloadV1(
        challenge["algorithm"],
        challenge["challenge"],
        solution.number,
        challenge["salt"],
        challenge["signature"],
    )
    return payload.to_base64(), headers.get("Cache-Control")


def comment(altcha, body):
    return call(
        "POST",
        f"/articles/{ARTICLE}/comments",
        {
            "author_name": "Aïcha K.",
            "author_email": EMAIL,
            "body": body,
            "altcha": altcha,
            "website": "",
        },
    )


altcha, cache_control = solved()
first_status, first, _ = comment(altcha, "Merci pour cet article « éclairant » ! 🎉")
replay_status, replay, _ = comment(altcha, "Une deuxième fois avec la même preuve.")
fresh, _ = solved()
second_status, second, _ = comment(fresh, "Et une autre remarque, d’un lecteur fidèle.")

json.dump(
    {
        "challenge_cache_control": cache_control,
        "first": {"status": first_status, "body": first},
        "replay": {"status": replay_status, "body": replay},
        "second": {"status": second_status, "body": second},
    },
    sys.stdout,
    ensure_ascii=False,
)
