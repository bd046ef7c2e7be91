"""A Micropub session as a writing app runs it, with real client libraries:
mf2py (from PyPI) reads the site's discovery links, requests drives a full
IndieAuth sign-in with PKCE (the authorization page's form filled in as a
journalist would), and the `micropub` package (PyPI) and requests publish:
q=config, a media upload, a JSON draft, q=source, an update, publishing,
a form-encoded note, a multipart post with a photo, deletion and undeletion,
and the errors a client meets. A contributor then signs in the same way and
tries to publish. Prints a JSON summary for the Rust test to check.

Environment: SITE, EMAIL, PASSWORD, CONTRIBUTOR_EMAIL, CONTRIBUTOR_PASSWORD
(the accounts' own sign-in), IMAGE (a PNG path).
"""

import base64
import hashlib
import json
import os
import re
import secrets
import sys
from html import unescape
from urllib.parse import parse_qs, urlparse

import mf2py
import micropub
import requests

SITE = os.environ["SITE"]
CLIENT_ID = "https://client.example/"
REDIRECT_URI = "https://client.example/callback"


def discover():
    parsed = mf2py.parse(url=SITE + "/")
    rels = parsed["rels"]
    head = requests.head(SITE + "/")
    return {
        "micropub": rels["micropub"][0],
        "media": rels["micropub_media"][0],
        "metadata": rels["indieauth-metadata"][0],
        "link_header_micropub": head.links.get("micropub", {}).get("url"),
    }


def hidden_fields(html):
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html
        )
    }


def sign_in(metadata_url, email, password, scope):
    """IndieAuth with PKCE, the browser's part done with a session."""
    metadata = requests.get(metadata_url).json()
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    state = secrets.token_hex(8)
    browser = requests.Session()
    page = browser.get(
        metadata["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scope": scope,
            "me": SITE + "/",
        },
    )
    page.raise_for_status()
    form = hidden_fields(page.text)
    form.update({"email": email, "password": password, "action": "approve"})
    approved = browser.post(
        metadata["authorization_endpoint"],
        data=form,
        allow_redirects=False,
        headers={"Origin": SITE},
    )
    location = approved.headers["Location"]
    answer = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    exchange = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    token = requests.post(metadata["token_endpoint"], data=exchange)
    replay = requests.post(metadata["token_endpoint"], data=exchange)
    return {
        "metadata": metadata,
        "page_lang": re.search(r'<html lang="([a-z]+)"', page.text).group(1),
        "redirect": location.split("?")[0],
        "state_back": answer.get("state") == state,
        "iss": answer.get("iss"),
        "token_status": token.status_code,
        "token": token.json(),
        "replay": {"status": replay.status_code, "body": replay.json()},
    }


def error(response):
    try:
        body = response.json()
    except ValueError:
        body = None
    return {"status": response.status_code, "body": body}


def main():
    found = discover()
    author = sign_in(
        found["metadata"], os.environ["EMAIL"], os.environ["PASSWORD"], "create update delete media profile"
    )
    token = author["token"]["access_token"]
    endpoint = found["micropub"]
    client = micropub.Client(endpoint, token)
    auth = {"Authorization": f"Bearer {token}"}

    config = client.get(params={"q": "config"}).json()
    with open(os.environ["IMAGE"], "rb") as image:
        upload = requests.post(
            config["media-endpoint"],
            headers=auth,
            files={"file": ("marché-dantokpa.png", image, "image/png")},
        )
    photo_url = upload.headers.get("Location")

    draft = client.post(
        json={
            "type": ["h-entry"],
            "properties": {
                "name": ["Cotonou : le marché Dantokpa « rouvre » ses portes"],
                "content": ["Les commerçants sont **revenus** dès l’aube. ✊🏿"],
                "summary": ["Un marché qui renaît."],
                "category": ["Diplomatie", "Marchés « ouverts »"],
                "photo": [{"value": photo_url, "alt": "Des étals au lever du jour"}],
                "post-status": ["draft"],
            },
        }
    )
    url = draft.headers["Location"]
    source = client.get_post(url).json()
    some = client.get(
        params=[("q", "source"), ("url", url), ("properties[]", "content"), ("properties[]", "post-status")]
    ).json()
    updated = client.post(
        json={
            "action": "update",
            "url": url,
            "replace": {"content": ["Les commerçants sont **revenus** dès l’aube. Mise à jour."]},
            "add": {"category": ["Économie"]},
        }
    )
    published = client.post(
        json={"action": "update", "url": url, "replace": {"post-status": ["published"]}}
    )
    after = client.get_post(url).json()

    note = requests.post(
        endpoint,
        data={
            "h": "entry",
            "content": "Il pleut sur Porto-Novo ☔",
            "category[]": ["Bénin", "météo"],
            "access_token": token,
        },
    )
    with open(os.environ["IMAGE"], "rb") as image:
        with_photo = requests.post(
            endpoint,
            headers=auth,
            data={"h": "entry", "name": "En images", "content": "Reportage."},
            files={"photo": ("reportage.png", image, "image/png")},
        )
    with_photo_source = client.get_post(with_photo.headers["Location"]).json()

    deleted = client.post(json={"action": "delete", "url": note.headers["Location"]})
    after_delete = requests.get(SITE + "/api/v1/articles?per_page=100").json()
    undeleted = client.post(json={"action": "undelete", "url": note.headers["Location"]})

    errors = {
        "unknown_url": error(client.get(params={"q": "source", "url": "https://ailleurs.example/x/"})),
        "unknown_query": error(client.get(params={"q": "posts"})),
        "no_token": error(requests.get(endpoint, params={"q": "config"})),
        "bad_token": error(
            requests.get(endpoint, params={"q": "config"}, headers={"Authorization": "Bearer mp_faux"})
        ),
        "both_tokens": error(
            requests.post(endpoint, headers=auth, data={"h": "entry", "content": "x", "access_token": token})
        ),
        "bad_status": error(client.post(json={"type": ["h-entry"], "properties": {"content": ["x"], "post-status": ["private"]}})),
        "h_event": error(requests.post(endpoint, headers=auth, data={"h": "event", "name": "x"})),
        "update_unknown": error(
            client.post(json={"action": "update", "url": "https://ailleurs.example/x/", "replace": {"name": ["x"]}})
        ),
    }

    contributor = sign_in(
        found["metadata"], os.environ["CONTRIBUTOR_EMAIL"], os.environ["CONTRIBUTOR_PASSWORD"], "create media"
    )
    contributor_client = micropub.Client(endpoint, contributor["token"]["access_token"])
    contributor_publish = error(
        contributor_client.post(json={"type": ["h-entry"], "properties": {"name": ["Scoop"], "content": ["Texte"]}})
    )
    contributor_draft = contributor_client.post(
        json={"type": ["h-entry"], "properties": {"name": ["Brouillon"], "content": ["Texte"], "post-status": ["draft"]}}
    )
    contributor_update = error(
        contributor_client.post(json={"action": "update", "url": url, "replace": {"name": ["x"]}})
    )

    print(
        json.dumps(
            {
                "discovery": found,
                "author": author,
                "config": config,
                "upload": {"status": upload.status_code, "location": photo_url},
                "draft": {"status": draft.status_code, "url": url},
                "source": source,
                "some": some,
                "updated": updated.status_code,
                "published": published.status_code,
                "after": after,
                "note": {"status": note.status_code, "url": note.headers.get("Location")},
                "with_photo": {"status": with_photo.status_code, "source": with_photo_source},
                "deleted": deleted.status_code,
                "public_after_delete": [a["slug"] for a in after_delete["data"]],
                "undeleted": undeleted.status_code,
                "errors": errors,
                "contributor": {
                    "token": contributor["token"],
                    "publish": contributor_publish,
                    "draft": {"status": contributor_draft.status_code, "url": contributor_draft.headers.get("Location")},
                    "update_others": contributor_update,
                },
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(1)
