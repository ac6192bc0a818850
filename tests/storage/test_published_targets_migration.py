"""Migration 0005 (#16): mentions stored against a post's canonical spelling are rewritten to
the URL the post publishes, and back on downgrade, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import column, insert, select, table

from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import alembic_config, upgrade
from crawler.storage.models import DocumentRow, MentionRow
from tests.harvest.conftest import NOW

PUBLISHED = "http://blog.example.org/2026/10/27/launch-window/"
SOURCE = "https://elsewhere.example.net/notes/launch/"


def _targets(db_url: str) -> list[tuple[str, str]]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(MentionRow.kind, MentionRow.target).order_by(MentionRow.id)
        ).all()
    engine.dispose()
    return [(k, t) for k, t in rows]


def test_existing_mentions_get_the_published_target_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    canonical = canonicalize_url(PUBLISHED)
    # Core inserts of the named columns only: the ORM would also name the columns that later
    # migrations add (posts.canonical_link #16, mentions.triage #20), which 0004 lacks.
    with session_scope(engine) as session:
        post_values = {
            "org": "O",
            "canonical_url": canonical,
            "url": PUBLISHED,
            "title": "",
            "comment_feed_url": "",
            "platform": "generic",
            "site_url": "",
            "created_at": NOW,
        }
        posts = table("posts", column("id"), *(column(name) for name in post_values))
        post_id_ours = session.execute(
            insert(posts).values(post_values).returning(posts.c.id)
        ).scalar_one()
        doc_id = session.execute(
            insert(DocumentRow)
            .values(canonical_url=SOURCE, url=SOURCE, fetched_at=NOW)
            .returning(DocumentRow.id)
        ).scalar_one()
        for kind, target, post_id in (
            ("pingback", canonical, post_id_ours),  # one of our posts: rewritten
            ("link", "https://not-ours.example.com/", None),  # not a post: left alone
        ):
            session.execute(
                insert(MentionRow).values(
                    org="O",
                    document_id=doc_id,
                    kind=kind,
                    target=target,
                    post_id=post_id,
                    found_via="api",
                    routes=["api"],
                    first_seen_at=NOW,
                    last_seen_at=NOW,
                )
            )
    upgrade(engine)
    assert _targets(db_url) == [
        ("pingback", PUBLISHED),
        ("link", "https://not-ours.example.com/"),
    ]
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    engine.dispose()
    assert _targets(db_url) == [
        ("pingback", canonical),
        ("link", "https://not-ours.example.com/"),
    ]
