"""Creates the accounts the contract run uses (an author with a byline and an
editor) through the API as the admin, and prints shell assignments of their
tokens. Standard library only: it runs before any client exists."""

import json
import sys
import urllib.request


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def login(base, email, password):
    return call(base, "POST", "/api/v1/auth/login", {"email": email, "password": password})["access_token"]


def main():
    base, admin_email, admin_password = sys.argv[1:4]
    admin = login(base, admin_email, admin_password)
    byline = call(base, "POST", "/api/v1/authors", {"name": "Plume d’intégration continue"}, admin)
    accounts = {
        "AUTHOR": ("auteur@ci.test", "mot-de-passe-auteur-ci", "author", byline["id"]),
        "EDITOR": ("editeur@ci.test", "mot-de-passe-editeur-ci", "editor", None),
    }
    for prefix, (email, password, role, author_id) in accounts.items():
        body = {"email": email, "password": password, "display_name": prefix.title(), "role": role}
        if author_id is not None:
            body["author_id"] = author_id
        call(base, "POST", "/api/v1/users", body, admin)
        print(f"{prefix}_EMAIL='{email}'")
        print(f"{prefix}_PASSWORD='{password}'")
        print(f"{prefix}_TOKEN='{login(base, email, password)}'")


if __name__ == "__main__":
    main()
