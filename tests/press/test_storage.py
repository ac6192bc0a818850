"""Storage of the press work on SQLite and PostgreSQL: stories (band lookup, joins, merges,
originals), links folded into stronger linkbacks, and what site crawls ask of storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random

from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.press.clustering import cluster
from crawler.storage.db import session_scope
from crawler.storage.feeds import known_documents, site_sources
from crawler.storage.mentions import (
    list_mentions,
    mentions_for_documents,
    record_mentions,
    retire_superseded_links,
    stronger_linkbacks,
    upsert_documents,
)
from crawler.storage.models import DocumentRow, SourceRow, StoryBandRow, StoryRow
from crawler.storage.stories import list_stories

T0 = datetime(2026, 11, 9, 6, 0, tzinfo=UTC)
_WORDS = """orbit satellite registry agency debris launch operator spectrum council minister
report figures rise week treaty conference rule station ground signal frequency"""
WORDS = _WORDS.split()


def text(seed: int, n: int = 240) -> str:
    rng = Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def doc(name: str, body: str, published: datetime | None) -> Document:
    url = f"https://{name}.test/story"
    return Document(canonical_url=url, url=url, title=name, text=body, published_at=published)


def store(engine: Engine, docs: list[Document]) -> dict[str, int]:
    with session_scope(engine) as session:
        return upsert_documents(session, docs, T0)


def run_cluster(engine: Engine, ids: dict[str, int], docs: list[Document]) -> int:
    with session_scope(engine) as session:
        return cluster(session, [(ids[d.canonical_url], d.text) for d in docs], T0)


def test_syndicated_copies_form_one_story_with_the_earliest_as_original(engine: Engine) -> None:
    wire = text(1)
    docs = [
        doc("gazette", "A local lead. " + wire[:-40], T0 + timedelta(hours=2)),
        doc("wire", wire, T0),
        doc("times", wire[30:] + " A closing line.", T0 + timedelta(hours=3)),
        doc("herald", wire, None),  # undated: after the dated ones
        doc("unrelated", text(2), T0 - timedelta(days=1)),
        doc("short", "Too short to tell.", T0 - timedelta(days=2)),
    ]
    ids = store(engine, docs)
    assert run_cluster(engine, ids, docs) == 3  # the first copy has nothing to join yet
    with session_scope(engine) as session:
        [story] = list_stories(session)
        assert story.original == "https://wire.test/story"
        assert set(story.pickups) == {
            "https://gazette.test/story",
            "https://times.test/story",
            "https://herald.test/story",
        }
        bands = session.scalars(select(StoryBandRow.document_id).distinct()).all()
        assert len(bands) == 5  # every text long enough has its band keys stored
    # Clustering the same texts again changes nothing.
    assert run_cluster(engine, ids, docs) == 0
    with session_scope(engine) as session:
        assert len(list_stories(session)) == 1
        assert len(session.scalars(select(StoryRow)).all()) == 1


def test_a_document_bridging_two_stories_merges_them(engine: Engine) -> None:
    left, right = text(3, 200), text(4, 200)
    first = [doc("a1", left, T0), doc("a2", left, T0 + timedelta(hours=1))]
    second = [doc("b1", right, T0 - timedelta(hours=1)), doc("b2", right, T0)]
    ids = store(engine, first + second)
    run_cluster(engine, ids, first + second)
    with session_scope(engine) as session:
        assert len(list_stories(session)) == 2
    bridge = [doc("both", left + " " + right, T0 + timedelta(hours=5))]
    ids |= store(engine, bridge)
    with session_scope(engine) as session:
        # containment: each story's text is wholly inside the bridging one
        cluster(session, [(ids["https://both.test/story"], bridge[0].text)], T0)
        [story] = list_stories(session)
        assert story.original == "https://b1.test/story"
        assert len(story.documents) == 5
        assert len(session.scalars(select(StoryRow)).all()) == 1


def _mention(url: str, kind: MentionKind, target: str, via: FoundVia) -> Mention:
    return Mention(
        org="ORA",
        document=Document(canonical_url=url, url=url),
        kind=kind,
        found_via=via,
        target=target,
    )


def test_links_fold_into_stronger_linkbacks_keeping_the_first_sighting(engine: Engine) -> None:
    page, post = "https://blog.test/reading-list/", "https://ora.test/2026/11/04/numbers/"
    other = "https://blog.test/only-links/"
    with session_scope(engine) as session:
        record_mentions(
            session,
            [
                _mention(page, MentionKind.LINK, post, FoundVia.FEED),
                _mention(other, MentionKind.LINK, post, FoundVia.CRAWL),
            ],
            T0,
        )
        assert stronger_linkbacks(session, "ORA", [(page, post), (other, post)]) == set()
    with session_scope(engine) as session:
        later = T0 + timedelta(days=1)
        record_mentions(
            session, [_mention(page, MentionKind.TRACKBACK, post, FoundVia.COMMENTS)], later
        )
        assert stronger_linkbacks(session, "ORA", [(page, post), (other, post)]) == {(page, post)}
        assert retire_superseded_links(session, "ORA") == 1
        assert retire_superseded_links(session, "ORA") == 0
    with session_scope(engine) as session:
        rows = {(m.canonical_url, m.kind): m for m in list_mentions(session, "ORA")}
        assert set(rows) == {(page, MentionKind.TRACKBACK), (other, MentionKind.LINK)}
        trackback = rows[(page, MentionKind.TRACKBACK)]
        assert trackback.first_seen_at == T0  # not counted again on the later day
        views = mentions_for_documents(session, "ORA", [other, page])
        assert [v.canonical_url for v in views] == [other, page]


def test_known_documents_and_site_sources(engine: Engine) -> None:
    docs = [doc("with-text", "Some text.", T0), doc("no-text", "", T0)]
    store(engine, docs)
    with session_scope(engine) as session:
        known = known_documents(session, [d.canonical_url for d in docs] + ["https://x.test/"])
        assert list(known) == ["https://with-text.test/story"]
        assert known["https://with-text.test/story"] == T0
        for i, kind in enumerate(("site", "feed", "site")):
            session.add(
                SourceRow(
                    url=f"https://s{i}.test/",
                    org="ORA",
                    name=f"S{i}",
                    kind="press",
                    type=kind,
                    created_at=T0,
                    disabled_reason="gone" if i == 2 else "",
                    discovered=[],
                    events=[],
                )
            )
    with session_scope(engine) as session:
        assert [r.name for r in site_sources(session, "ORA")] == ["S0"]
        assert [r.name for r in site_sources(session, "ORA", ["S1"])] == ["S1"]
        assert session.scalar(select(DocumentRow.fingerprint).limit(1)) is None
