"""The pages behind the inbox (#20): posts, one post, stories, sources, runs, digests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from crawler.domain import MentionKind, Post
from crawler.storage.db import session_scope
from crawler.storage.digests import ensure_digest
from crawler.storage.models import PostRow
from crawler.storage.posts import upsert_posts
from crawler.storage.runs import finish_run, start_run
from tests.web.conftest import Newsroom
from tests.web.factories import NOW, find, store

POST = "https://orbis.example/2026/11/river-prize/"
OTHER = "https://else.example/p/"


def _posts(room: Newsroom) -> int:
    with session_scope(room.engine) as s:
        upsert_posts(
            s,
            [
                Post(org="Orbis", canonical_url=POST, url=POST, title="We won the river prize"),
                Post(org="Else", canonical_url=OTHER, url=OTHER, title="Not yours"),
            ],
            NOW,
        )
    store(
        room.engine,
        [
            find(1, kind=MentionKind.PINGBACK, target=POST, title="Pinging <b>you</b>"),
            find(2, kind=MentionKind.PINGBACK, target=POST, site="b.example"),
            find(3, kind=MentionKind.COMMENT, target=POST, site="c.example"),
        ],
    )
    with session_scope(room.engine) as s:
        return int(s.scalar(select(PostRow.id).where(PostRow.url == POST)) or 0)


def test_posts_with_counts_and_a_post_grouped_by_kind(newsroom: Newsroom) -> None:
    post_id = _posts(newsroom)
    c = newsroom.signed_in("viv")
    listing = c.get("/posts")
    assert listing.status == 200
    assert "We won the river prize" in listing.text
    assert "pingback 2" in listing.text
    assert "comment 1" in listing.text
    assert "Not yours" not in listing.text
    assert "We won" in c.get("/posts?q=river").text
    assert "We won" not in c.get("/posts?q=nothing%25").text
    page = c.get(f"/posts/{post_id}")
    assert page.status == 200
    assert "<h2>pingback (2)</h2>" in page.text
    assert "<h2>comment (1)</h2>" in page.text
    assert "Pinging &lt;b&gt;you&lt;/b&gt;" in page.text


def test_other_organisation_or_bad_ids_are_the_same_404(newsroom: Newsroom) -> None:
    _posts(newsroom)
    c = newsroom.signed_in("viv")
    replies = [c.get(p) for p in ("/posts/2", "/posts/99999", "/posts/abc", "/posts/-1")]
    assert {r.status for r in replies} == {404}
    assert len({r.text for r in replies}) == 1  # nothing tells them apart


def test_sources_runs_stories_and_digests(newsroom: Newsroom, tmp_path: Path) -> None:
    digest = tmp_path / "digest.html"
    digest.write_text("<html><body style='color:red'>The digest of the day</body></html>")
    with session_scope(newsroom.engine) as s:
        run = start_run(s, "poll", NOW)
        finish_run(
            s, run, NOW, stats={"new": 3, "hosts": {"news.example": {"requests": 4, "304": 2}}}
        )
        ensure_digest(s, "Orbis", date(2026, 11, 1), NOW, str(digest))
        ensure_digest(s, "Else", date(2026, 11, 1), NOW, str(digest))
    c = newsroom.signed_in("viv")
    sources = c.get("/sources")
    assert sources.status == 200
    assert "news.example" in sources.text
    assert "50%" in sources.text
    assert "poll" in c.get("/runs").text
    assert c.get("/stories").status == 200
    archive = c.get("/digests")
    assert archive.text.count('href="/digests/') == 1  # only the user's organisation
    one = c.get("/digests/1")
    assert "The digest of the day" in one.text
    assert "sandbox" in one.headers["content-security-policy"]
    assert c.get("/digests/2").status == 404


def test_stories_show_only_the_organisations_finds(newsroom: Newsroom) -> None:
    from crawler.storage.models import DocumentRow
    from crawler.storage.stories import join_story

    store(
        newsroom.engine,
        [find(1, site="wire.example"), find(2, org="Else", site="else.example"), find(3)],
    )
    with session_scope(newsroom.engine) as s:
        ids = list(s.scalars(select(DocumentRow.id).order_by(DocumentRow.id)))
        join_story(s, ids, NOW)
    page = newsroom.signed_in("viv").get("/stories")
    assert "wire.example/a/1/" in page.text
    assert "news.example/a/3/" in page.text
    assert "else.example" not in page.text
    assert "else.example" in newsroom.signed_in("root").get("/stories").text
