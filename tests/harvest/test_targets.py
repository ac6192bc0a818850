"""Targets as published (#16): a linkback of a post published at ``http://`` is stored against
that ``http://`` URL, whatever spelling the route gave, and a plain link the crawler stored is
folded into the harvested linkback of the same page (one find, the stronger kind).

Spellings are resolved by storage (``crawler.storage.posts.published_targets``), so every
writer of mentions (harvest, receiver, crawler) agrees on one target per post.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.domain import Document, FoundVia, Mention, MentionKind, Platform, Post
from crawler.matching.urls import canonicalize_url
from crawler.posts.model import FoundPost
from crawler.storage.db import make_engine, session_scope
from crawler.storage.inventory import record_inventory
from crawler.storage.linkbacks import checked_sources, linkback_rows
from crawler.storage.mentions import record_mentions, stronger_linkbacks
from crawler.storage.migrate import upgrade
from crawler.storage.models import MentionRow, PostRow
from crawler.storage.posts import upsert_posts
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import NOW, stored_mentions, write_config
from tests.helpers import in_child

ORG = "Orbital Registry"
PUBLISHED = "http://blog.example.org/2026/10/27/launch-window/"
OTHER = "http://blog.example.org/2026/10/28/other-post/"
SOURCE = "https://elsewhere.example.net/notes/launch/"

#: Every spelling of ``PUBLISHED`` a route may give (one test each).
FORMS = {
    "scheme": "https://blog.example.org/2026/10/27/launch-window/",
    "www": "http://www.blog.example.org/2026/10/27/launch-window/",
    "trailing slash": "http://blog.example.org/2026/10/27/launch-window",
    "shortlink ?p=ID": "http://blog.example.org/?p=77",
    "comment fragment": "http://blog.example.org/2026/10/27/launch-window/#comment-12",
    "replytocom": "https://blog.example.org/2026/10/27/launch-window/?replytocom=12",
    "as published": PUBLISHED,
    "shortlink wp.me": "https://wp.me/p8Xy1-1d",
    "shortlink wp.me, http": "http://wp.me/p8Xy1-1d",
}
#: The post's wp.me shortlink, as the inventory stores it (after following it back to the post).
WPME = "https://wp.me/p8Xy1-1d"


def _store_posts(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as session:
        upsert_posts(
            session,
            [
                Post(ORG, canonicalize_url(url), url, platform=Platform.WORDPRESS, wp_post_id=wp)
                for url, wp in ((PUBLISHED, 77), (OTHER, 78))
            ],
            NOW,
            site_url="http://blog.example.org/",
        )
        record_inventory(
            session,
            ORG,
            "http://blog.example.org/",
            "wordpress",
            [FoundPost(PUBLISHED, wp_post_id=77, shortlink=WPME)],
            [],
            NOW,
        )
    engine.dispose()


def _pingback(target: str, kind: MentionKind = MentionKind.PINGBACK) -> Mention:
    document = Document(canonicalize_url(SOURCE), SOURCE, title="Launch notes")
    return Mention(ORG, document, kind, FoundVia.API, target=target)


def _rows(db_url: str) -> list[tuple[str, str, int | None]]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(MentionRow.kind, MentionRow.target, MentionRow.post_id).order_by(MentionRow.id)
        ).all()
        post_id = session.scalar(select(PostRow.id).where(PostRow.url == PUBLISHED))
    engine.dispose()
    return [(k, t, p if p is None else int(p == post_id)) for k, t, p in rows]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_spelling_is_stored_against_the_published_url(db_url: str, form: str) -> None:
    _store_posts(db_url)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        record_mentions(session, [_pingback(FORMS[form])], NOW)
    engine.dispose()
    assert _rows(db_url) == [("pingback", PUBLISHED, 1)]


def test_all_spellings_are_one_mention_found_by_any_spelling(db_url: str) -> None:
    _store_posts(db_url)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        for spelling in FORMS.values():
            record_mentions(session, [_pingback(spelling)], NOW)
    with session_scope(engine) as session:
        key = canonicalize_url(SOURCE)
        for spelling in FORMS.values():
            rows = linkback_rows(session, ORG, spelling, [key])
            assert [(r.kind, r.target) for r in rows] == [("pingback", PUBLISHED)], spelling
        # The crawler asks with the canonical spelling and gets its own pair back.
        pair = (key, canonicalize_url(PUBLISHED))
        assert stronger_linkbacks(session, ORG, [pair]) == {pair}
        assert checked_sources(session, ORG, [FORMS["scheme"]]) == {FORMS["scheme"]: set()}
    engine.dispose()
    assert _rows(db_url) == [("pingback", PUBLISHED, 1)]


def test_a_target_that_is_not_ours_is_kept_as_given(sqlite_url: str) -> None:
    _store_posts(sqlite_url)
    stranger = "https://someone-else.example.com/post/"
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        record_mentions(session, [_pingback(stranger)], NOW)
        # ``?p=`` of an id we do not have is no post of ours either.
        record_mentions(session, [_pingback("http://blog.example.org/?p=999")], NOW)
    engine.dispose()
    assert _rows(sqlite_url) == [
        ("pingback", stranger, None),
        ("pingback", "http://blog.example.org/?p=999", None),
    ]


@pytest.mark.slow
def test_a_link_later_harvested_as_a_pingback_is_one_find(
    web: SampleWeb, sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    engine.dispose()
    config = write_config(tmp_path / "mediamon.toml", web)
    truth = web.truth()
    org = truth["organisation"]["name"]
    polled = in_child("poll", str(config), sqlite_url, timeout=60, all_sources=True, now=NOW)
    assert polled.exit_status == 0, polled.error
    ping = next(
        i for i in truth["linkbacks"] if i["kind"] == "pingback" and i["day"] == 1 and not i["also"]
    )
    post = next(p for p in truth["posts"] if p["wp_post_id"] == ping["post_id"])
    assert post["url"].startswith("http://")  # the sample blog publishes on http
    key = canonicalize_url(ping["source"])
    # The crawler found the page first, as a plain link (it spells targets canonically).
    link = Mention(
        org,
        Document(key, ping["source"], title="a page linking to us"),
        MentionKind.LINK,
        FoundVia.CRAWL,
        target=canonicalize_url(ping["target"]),
    )
    # Meanwhile the receiver verified the page's pingback: both rows exist (a crawl and a
    # verify in parallel each saw no stronger row). Only the fold after the harvest joins them.
    ping_row = replace(link, kind=MentionKind.PINGBACK, found_via=FoundVia.RECEIVER)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        record_mentions(session, [link, ping_row], NOW)
    engine.dispose()
    assert sorted(m.kind for m in stored_mentions(sqlite_url) if m.key == key) == [
        "link",
        "pingback",
    ]

    report = in_child(
        "harvest", str(config), sqlite_url, timeout=90, now=NOW, post_urls=[post["url"]]
    )
    assert report.exit_status == 0, report.error
    found = [m for m in stored_mentions(sqlite_url) if m.key == key]
    assert [(m.kind, m.target) for m in found] == [("pingback", post["url"])]
    assert {"crawl", "receiver"} <= set(found[0].routes)  # the link's route is kept
