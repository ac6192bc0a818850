"""The read API and the Atom feed (#20): tokens, organisations, cursors, OpenAPI."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from crawler.domain import MentionKind, Post
from crawler.storage.db import session_scope
from crawler.storage.posts import upsert_posts
from crawler.storage.tokens import add_token, revoke_token
from tests.web.conftest import Newsroom
from tests.web.factories import NOW, find, store

POST = "https://orbis.example/p/1/"


def _token(room: Newsroom, name: str = "t", org: str = "Orbis") -> str:
    with session_scope(room.engine) as s:
        return add_token(s, name, org, NOW)


def _get(room: Newsroom, path: str, token: str | None) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = room.client().get(path, **headers)
    return reply.status, json.loads(reply.text) if reply.text.startswith("{") else {}


def test_mentions_need_a_live_token_of_the_organisation(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(i) for i in range(3)] + [find(9, org="Else")])
    token = _token(newsroom)
    status, body = _get(newsroom, "/api/v1/mentions", token)
    assert status == 200
    assert [m["title"] for m in body["mentions"]] == ["Article 2", "Article 1", "Article 0"]
    assert _get(newsroom, "/api/v1/mentions", None)[0] == 401
    assert _get(newsroom, "/api/v1/mentions", token + "x")[0] == 401
    other = _token(newsroom, "other", "Else")
    assert [m["org"] for m in _get(newsroom, "/api/v1/mentions", other)[1]["mentions"]] == ["Else"]
    with session_scope(newsroom.engine) as s:
        revoke_token(s, "t", NOW)
    assert _get(newsroom, "/api/v1/mentions", token)[0] == 401


def test_mentions_filters_and_cursor(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(i) for i in range(5)] + [find(7, kind=MentionKind.REBLOG)])
    token = _token(newsroom)
    _, body = _get(newsroom, "/api/v1/mentions?kind=reblog", token)
    assert [m["kind"] for m in body["mentions"]] == ["reblog"]
    _status, first = _get(newsroom, "/api/v1/mentions?kind=press&limit=2", token)
    assert [m["title"] for m in first["mentions"]] == ["Article 4", "Article 3"]
    cursor = first["next_cursor"]
    _, second = _get(newsroom, f"/api/v1/mentions?kind=press&limit=2&cursor={cursor}", token)
    assert [m["title"] for m in second["mentions"]] == ["Article 2", "Article 1"]
    assert _get(newsroom, f"/api/v1/mentions?cursor={cursor[:-2]}xx", token)[0] == 400
    assert _get(newsroom, "/api/v1/mentions?limit=lots", token)[0] == 400
    assert _get(newsroom, "/api/v1/mentions?q=%22NEAR*-", token)[0] == 200


def test_posts_and_linkbacks_of_another_organisation_are_404(newsroom: Newsroom) -> None:
    with session_scope(newsroom.engine) as s:
        upsert_posts(s, [Post(org="Orbis", canonical_url=POST, url=POST, title="Ours")], NOW)
    store(newsroom.engine, [find(1, kind=MentionKind.PINGBACK, target=POST)])
    token, other = _token(newsroom), _token(newsroom, "o", "Else")
    status, body = _get(newsroom, "/api/v1/posts", token)
    post_id = body["posts"][0]["id"]
    assert body["posts"][0]["linkbacks"] == {"pingback": 1}
    status, body = _get(newsroom, f"/api/v1/posts/{post_id}/linkbacks", token)
    assert status == 200
    assert [lb["kind"] for lb in body["linkbacks"]] == ["pingback"]
    assert _get(newsroom, f"/api/v1/posts/{post_id}/linkbacks", other)[0] == 404
    assert _get(newsroom, "/api/v1/posts/x/linkbacks", token)[0] == 404


def test_openapi_document(newsroom: Newsroom) -> None:
    status, doc = _get(newsroom, "/api/v1/openapi.json", None)
    assert status == 200
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/mentions", "/api/v1/posts", "/api/v1/posts/{id}/linkbacks"} <= set(
        doc["paths"]
    )


def test_atom_feed_with_token_and_filters(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(1, title="<b>Bold & risky</b>"), find(2)])
    token = _token(newsroom)
    c = newsroom.client()
    assert c.get("/feeds/mentions.atom").status == 401
    reply = c.get(f"/feeds/mentions.atom?token={token}&q=bold")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(reply.text.encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["<b>Bold & risky</b>"]
