"""Mentions are written once on their natural key, whatever routes and workers see them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from crawler.domain import Document, FoundVia, Hit, Mention, MentionKind, MentionStatus
from crawler.storage.db import session_scope
from crawler.storage.mentions import list_mentions, record_mentions, set_mention_status
from crawler.storage.models import DocumentRow, MentionRow

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _mention(n: int, kind: MentionKind = MentionKind.PRESS, **kw: object) -> Mention:
    doc = Document(
        canonical_url=f"https://news.example/a/{n}/",
        url=f"https://news.example/a/{n}?utm_source=x",
        title=kw.pop("title", f"Article {n}"),  # type: ignore[arg-type]
        site="news.example",
        text=kw.pop("text", f"Orbis Union said {n} things."),  # type: ignore[arg-type]
    )
    return Mention(
        org="Orbis",
        document=doc,
        kind=kind,
        found_via=kw.pop("found_via", FoundVia.FEED),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_same_mentions_twice_stored_once(engine: Engine) -> None:
    batch = [_mention(i, queries=("org",), terms=('"Orbis Union"',)) for i in range(5)]
    with session_scope(engine) as s:
        first = record_mentions(s, batch, NOW)
    with session_scope(engine) as s:
        second = record_mentions(s, batch, NOW + timedelta(hours=1))
    assert (first.new, first.seen) == (5, 0)
    assert (second.new, second.seen) == (0, 5)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(MentionRow)) == 5
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 5
        rows = list_mentions(s, "Orbis")
    assert [m.first_seen_at for m in rows] == [NOW] * 5
    assert rows[0].queries == ("org",)
    assert rows[0].as_json()["kind"] == "press"


def test_poorer_second_sighting_keeps_evidence(engine: Engine) -> None:
    rich = _mention(1, queries=("org",), terms=("x",), snippet="…said…", hits=(Hit("x", 0, 5),))
    poor = _mention(1, title="", text="", found_via=FoundVia.CRAWL)
    with session_scope(engine) as s:
        record_mentions(s, [rich], NOW)
        record_mentions(s, [poor], NOW)
        [view] = list_mentions(s, "Orbis")
    assert view.title == "Article 1"
    assert view.snippet == "…said…"
    assert view.terms == ("x",)
    assert view.hits == ((0, 5),)
    assert view.found_via is FoundVia.FEED
    with session_scope(engine) as s:
        routes = s.scalar(select(MentionRow.routes))
    assert routes == ["feed", "crawl"]


def test_kind_and_target_are_part_of_the_key(engine: Engine) -> None:
    batch = [
        _mention(1, MentionKind.PINGBACK, target="https://blog.example/p/1/"),
        _mention(1, MentionKind.PINGBACK, target="https://blog.example/p/2/"),
        _mention(1, MentionKind.REBLOG, target="https://blog.example/p/1/"),
        _mention(1, MentionKind.PRESS),
    ]
    with session_scope(engine) as s:
        assert record_mentions(s, batch, NOW).new == 4
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 1


def test_filters_and_status(engine: Engine) -> None:
    with session_scope(engine) as s:
        record_mentions(s, [_mention(1)], NOW)
        record_mentions(s, [_mention(2, MentionKind.PINGBACK, target="t")], NOW + timedelta(days=1))
        assert len(list_mentions(s, "Orbis", since=NOW + timedelta(hours=1))) == 1
        assert len(list_mentions(s, "Orbis", until=NOW + timedelta(hours=1))) == 1
        [ping] = list_mentions(s, "Orbis", kinds=[MentionKind.PINGBACK])
        set_mention_status(s, ping.id, MentionStatus.DELETED, NOW)
        assert len(list_mentions(s, "Orbis")) == 1
        assert len(list_mentions(s, "Orbis", statuses=())) == 2
        assert list_mentions(s, "Other") == []


WORKER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from crawler.domain import Document, FoundVia, Mention, MentionKind
    from crawler.storage.db import make_engine, session_scope
    from crawler.storage.mentions import record_mentions

    engine = make_engine(sys.argv[1])
    now = datetime.now(UTC)
    sys.stdin.readline()  # start together
    for round_ in range(5):
        batch = [
            Mention(
                org="Orbis",
                document=Document(canonical_url=f"https://n.example/{i}/", url=f"https://n.example/{i}/"),
                kind=MentionKind.PRESS,
                found_via=FoundVia.CRAWL,
            )
            for i in range(200)
        ]
        with session_scope(engine) as s:
            record_mentions(s, batch, now)
    """
)


@pytest.mark.postgres
def test_two_processes_write_the_same_mentions_once(postgres_url: str) -> None:
    from crawler.storage.db import make_engine
    from crawler.storage.migrate import upgrade

    engine = make_engine(postgres_url)
    upgrade(engine)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, postgres_url],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(MentionRow)) == 200
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 200
    engine.dispose()
