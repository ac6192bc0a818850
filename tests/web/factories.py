"""Finds for the newsroom tests, written through the real write path (record_mentions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.storage.db import session_scope
from crawler.storage.mentions import record_mentions

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def find(
    n: int,
    *,
    org: str = "Orbis",
    title: str = "",
    text: str = "",
    site: str = "news.example",
    kind: MentionKind = MentionKind.PRESS,
    queries: tuple[str, ...] = ("org",),
    language: str = "en",
    snippet: str = "",
    target: str = "",
) -> Mention:
    doc = Document(
        canonical_url=f"https://{site}/a/{n}/",
        url=f"https://{site}/a/{n}/",
        title=title or f"Article {n}",
        site=site,
        language=language,
        text=text or f"Orbis Union said {n} things.",
    )
    return Mention(
        org=org,
        document=doc,
        kind=kind,
        found_via=FoundVia.FEED,
        queries=queries,
        target=target,
        snippet=snippet or (text or f"Orbis Union said {n} things.")[:200],
    )


def store(engine: Engine, mentions: list[Mention], *, start: datetime = NOW) -> None:
    """Store each find one minute after the one before (so newest-first order is known)."""
    for i, m in enumerate(mentions):
        with session_scope(engine) as s:
            record_mentions(s, [m], start + timedelta(minutes=i))
