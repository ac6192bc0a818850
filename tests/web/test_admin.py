"""``/admin`` (#20): admins manage users and tokens; nobody else can, not even by POST."""

from __future__ import annotations

import re

from crawler.storage.db import session_scope
from crawler.storage.tokens import token_org
from tests.web.conftest import Newsroom


def test_admin_adds_users_and_tokens(newsroom: Newsroom) -> None:
    root = newsroom.signed_in("root")
    page = root.get("/admin")
    assert page.status == 200
    added = root.post(
        "/admin",
        {"csrf_token": page.csrf(), "action": "add-user", "name": "new", "role": "viewer",
         "orgs": "Orbis", "password": "a fine password"},
    )  # fmt: skip
    assert added.status == 303
    assert newsroom.client().login("new", "a fine password").status == 303
    short = root.post(
        "/admin",
        {"csrf_token": page.csrf(), "action": "add-user", "name": "x", "role": "viewer",
         "password": "short"},
    )  # fmt: skip
    assert short.status == 400
    assert "password too short" in short.text
    made = root.post(
        "/admin", {"csrf_token": page.csrf(), "action": "add-token", "name": "feed", "org": "Orbis"}
    )
    token = re.search(r'<code id="new-token">([^<]+)</code>', made.text)
    assert token
    with session_scope(newsroom.engine) as s:
        assert token_org(s, token.group(1)) == "Orbis"
    assert token.group(1) not in root.get("/admin").text  # shown once
    root.post("/admin", {"csrf_token": page.csrf(), "action": "revoke-token", "name": "feed"})
    with session_scope(newsroom.engine) as s:
        assert token_org(s, token.group(1)) is None
    removed = root.post(
        "/admin", {"csrf_token": page.csrf(), "action": "remove-user", "name": "new"}
    )
    assert removed.status == 303
    assert newsroom.client().login("new", "a fine password").status == 401


def test_only_admins_and_only_with_csrf(newsroom: Newsroom) -> None:
    ed = newsroom.signed_in("ed")
    assert ed.get("/admin").status == 403
    form = ed.get("/").csrf()
    reply = ed.post(
        "/admin",
        {"csrf_token": form, "action": "add-user", "name": "evil", "role": "admin",
         "password": "a fine password"},
    )  # fmt: skip
    assert reply.status == 403
    root = newsroom.signed_in("root")
    no_csrf = root.post("/admin", {"action": "remove-user", "name": "ed"})
    assert no_csrf.status == 403
    assert newsroom.client().login("ed").status == 303  # still there
