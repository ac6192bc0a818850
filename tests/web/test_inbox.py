"""The inbox and triage over a real socket (#20): filters in the URL, search, cursor
pagination, hostile finds rendered harmless, triage by editors only, undo and blocking."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update

from crawler.domain import MentionKind
from crawler.storage.db import session_scope
from crawler.storage.models import DocumentRow, MentionRow
from crawler.storage.receipts import blocked
from tests.web.conftest import Newsroom
from tests.web.factories import NOW, find, store

_IDS = re.compile(r'name="ids" value="(\d+)"')
_TITLES = re.compile(r'<h2>.*?<a href="[^"]*" rel="[^"]*" dir="auto">([^<]*)</a>', re.S)


def _titles(html: str) -> list[str]:
    return _TITLES.findall(html)


def _ids(room: Newsroom) -> list[int]:
    with session_scope(room.engine) as s:
        return list(s.scalars(select(MentionRow.id).order_by(MentionRow.id)))


def test_newest_first_with_filters_combined_in_the_url(newsroom: Newsroom) -> None:
    store(
        newsroom.engine,
        [
            find(1, title="Old press piece"),
            find(2, title="A pingback", kind=MentionKind.PINGBACK, site="blog.example"),
            find(3, title="German piece", language="de", queries=("ceo",)),
            find(4, title="Newest press piece"),
            find(9, title="Other org", org="Elsewhere"),
        ],
    )
    c = newsroom.signed_in("viv")
    page = c.get("/")
    assert _titles(page.text) == [
        "Newest press piece",
        "German piece",
        "A pingback",
        "Old press piece",
    ]  # newest first, and never another organisation's finds
    assert _titles(c.get("/?kind=pingback").text) == ["A pingback"]
    assert _titles(c.get("/?kind=press&lang=de").text) == ["German piece"]
    assert _titles(c.get("/?query=ceo").text) == ["German piece"]
    assert _titles(c.get("/?source=blog.example&kind=pingback").text) == ["A pingback"]
    assert _titles(c.get("/?since=2026-11-03").text) == []
    assert len(_titles(c.get("/?since=2026-11-02&until=2026-11-02").text)) == 4
    assert _titles(c.get("/?q=newest+pie*").text) == ["Newest press piece"]
    assert 'value="pingback" checked' in c.get("/?kind=pingback").text  # the form keeps it
    assert "<svg" in page.text  # the volume chart
    root = newsroom.signed_in("root")
    assert "Other org" in root.get("/").text  # an admin sees every organisation


def test_bad_filter_values_are_400_never_500(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(1)])
    c = newsroom.signed_in("viv")
    assert c.get("/?kind=nonsense").status == 400
    assert c.get("/?state=maybe").status == 400
    assert c.get("/?since=yesterday").status == 400
    long = quote("x" * 10_001)
    assert c.get(f"/?q={long}").status == 400
    for q in ['"', "*", "NEAR", "-", '"a" NEAR/2 -b* ^c', "x" * 10_000]:
        assert c.get("/?q=" + quote(q)).status == 200, q


def test_cursor_pages_are_stable_and_tampering_is_400(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(i) for i in range(60)])
    c = newsroom.signed_in("viv")
    first = c.get("/?kind=press")
    more = re.search(r'href="(/\?[^"]+)" rel="next"', first.text)
    assert more
    next_url = more.group(1).replace("&amp;", "&")
    later = NOW + timedelta(hours=2)
    store(newsroom.engine, [find(100 + i) for i in range(5)], start=later)  # new finds arrive
    second = c.get(next_url)
    assert _titles(second.text) == [f"Article {i}" for i in range(9, -1, -1)]
    token = next_url.split("after=")[1]
    assert c.get(next_url.replace(token, token[:-3] + "AAA")).status == 400
    assert c.get("/?after=garbage").status == 400


def test_hostile_titles_and_links_are_rendered_harmless(newsroom: Newsroom) -> None:
    store(
        newsroom.engine,
        [
            find(1, title="<script>alert(1)</script>", snippet="<img src=x onerror=alert(1)>"),
            find(2, title="Big " + "x" * 1_000_000),
        ],
    )
    with session_scope(newsroom.engine) as s:  # a find whose stored URL is a script link
        s.execute(
            update(DocumentRow)
            .where(DocumentRow.canonical_url.like("%/a/1/"))
            .values(url="javascript:alert(1)")
        )
    page = newsroom.signed_in("viv").get("/")
    assert page.status == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text
    assert 'href="javascript:' not in page.text
    assert len(page.text) < 200_000  # the 1 MB title is clipped
    assert 'rel="nofollow noopener noreferrer ugc"' in page.text


def test_viewer_cannot_triage(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(1)])
    c = newsroom.signed_in("viv")
    page = c.get("/")
    assert 'name="action"' not in page.text
    reply = c.post("/triage", {"action": f"spam:{_ids(newsroom)[0]}", "csrf_token": page.csrf()})
    assert reply.status == 403
    with session_scope(newsroom.engine) as s:
        assert s.scalar(select(MentionRow.triage)) is None


def test_editor_triages_many_undoes_and_blocks_a_spammer(newsroom: Newsroom) -> None:
    store(newsroom.engine, [find(1), find(2), find(3, site="spam.example")])
    c = newsroom.signed_in("ed")
    page = c.get("/")
    ids = [int(i) for i in _IDS.findall(page.text)]
    assert sorted(ids) == _ids(newsroom)
    fields = [("csrf_token", page.csrf()), ("action", "irrelevant"), ("back", "/?state=new")]
    fields += [("ids", str(i)) for i in ids[1:]]
    reply = c.post("/triage", fields)
    assert reply.status == 303
    assert reply.headers["location"] == "/?state=new"
    after = c.get("/?state=new")
    assert "Marked 2 find(s) irrelevant" in after.text
    assert len(_titles(after.text)) == 1
    assert len(_titles(c.get("/?state=irrelevant").text)) == 2
    batch = re.search(r'name="batch" value="([0-9a-f]+)"', after.text)
    assert batch
    c.post("/triage/undo", {"csrf_token": after.csrf(), "batch": batch.group(1), "back": "/"})
    assert len(_titles(c.get("/?state=new").text)) == 3
    spam_id = max(_ids(newsroom))  # find(3), on spam.example
    c.post("/triage", {"csrf_token": page.csrf(), "action": f"block:{spam_id}", "back": "/"})
    with session_scope(newsroom.engine) as s:
        assert "spam.example" in blocked(s)[0]
        assert s.scalar(select(MentionRow.triage).where(MentionRow.id == spam_id)) == "spam"
    assert "blocked spam.example" in c.get("/").text
