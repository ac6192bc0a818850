"""Plain comments re-checked on the harvest's schedule (#16): an edited comment is updated,
a deleted one marked deleted (only when the harvest provably saw every comment), and one
seen again comes back. The pipeline writes to a real database built by the migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.domain import MentionKind, Platform, Post
from crawler.harvest import model
from crawler.harvest.comment_recheck import (
    StoredComment,
    comment_changes,
    listing_complete,
)
from crawler.harvest.model import Linkback, PostHarvested, PostTask, RouteResult, RouteState
from crawler.harvest.report import HarvestReport
from crawler.matching.urls import canonicalize_url
from crawler.pipelines.linkbacks import HarvestPipeline, RunContext
from crawler.storage.db import session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.models import MentionRow, PostRow
from crawler.storage.posts import upsert_posts

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
POST = "http://blog.example.test/2019/03/01/old/"
ORG = "Org"


def routes(*, feed_full: bool = False, page: RouteState = RouteState.OK) -> tuple[RouteResult, ...]:
    return (
        RouteResult(model.HTML, page),
        RouteResult(model.FEED, RouteState.OK, truncated=feed_full),
    )


def test_listing_complete_needs_the_page_and_a_feed_that_is_not_full() -> None:
    assert listing_complete(routes())
    assert not listing_complete(routes(feed_full=True))
    assert not listing_complete(routes(page=RouteState.FAILED))
    assert not listing_complete((RouteResult(model.HTML, RouteState.OK),))


def test_comment_changes() -> None:
    stored = [
        StoredComment(1, "k#comment-1", "live", "Hello"),
        StoredComment(2, "k#comment-2", "live", "Bye"),
        StoredComment(3, "k#comment-3", "deleted", "Back"),
    ]
    seen = {"k#comment-1": "Hello, edited", "k#comment-3": "Back"}
    changes = comment_changes(stored, seen, complete=True)
    assert (changes.deleted, changes.revived, changes.edited) == ([2], [3], {1: "Hello, edited"})
    unsure = comment_changes(stored, seen, complete=False)
    assert unsure.deleted == []


def comment(cid: int, text: str) -> Linkback:
    key = f"{canonicalize_url(POST)}#comment-{cid}"
    return Linkback(
        kind=MentionKind.COMMENT,
        key=key,
        url=f"{POST}#comment-{cid}",
        target=POST,
        routes=(model.HTML, model.FEED),
        comment_ids=(cid,),
        author=f"Reader {cid}",
        excerpt=text,
        published=datetime(2019, 3, 2, tzinfo=UTC),
    )


def harvest(engine: Engine, post_id: int, found: tuple[Linkback, ...], **kw: object) -> None:
    task = PostTask(post_id=post_id, url=POST, canonical_url=canonicalize_url(POST))
    context = RunContext(engine, ORG, NOW, (1, 7), HarvestReport())
    item = PostHarvested(task, NOW, routes(**kw), found)  # type: ignore[arg-type]
    HarvestPipeline(context).process_item(item)


def states(engine: Engine) -> dict[str, tuple[str, str]]:
    with session_scope(engine) as session:
        rows = session.execute(select(MentionRow.author, MentionRow.status, MentionRow.context))
        return {author: (status, context) for author, status, context in rows}


def test_harvest_updates_deletes_and_revives_comments(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        upsert_posts(
            session,
            [Post(ORG, canonicalize_url(POST), POST, "Old", platform=Platform.WORDPRESS)],
            NOW,
        )
        post_id = session.scalars(select(PostRow.id)).one()

    harvest(sqlite_engine, post_id, (comment(11, "First."), comment(12, "Second.")))
    assert states(sqlite_engine) == {
        "Reader 11": ("live", "First."),
        "Reader 12": ("live", "Second."),
    }
    # 11 edited, 12 deleted; the feed is not full, so its silence about 12 is proof.
    harvest(sqlite_engine, post_id, (comment(11, "First, edited."),))
    assert states(sqlite_engine) == {
        "Reader 11": ("live", "First, edited."),
        "Reader 12": ("deleted", "Second."),
    }
    # A full feed (older comments pushed out) proves nothing: 11 stays live.
    harvest(sqlite_engine, post_id, (comment(12, "Second."),), feed_full=True)
    assert states(sqlite_engine) == {
        "Reader 11": ("live", "First, edited."),
        "Reader 12": ("live", "Second."),
    }
