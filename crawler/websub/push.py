"""A pushed feed document goes through the poll's own pipeline (#21): parse, store, match.

The same functions the feed pipeline calls (``parse_feed``, ``store_entries``,
``mark_articles_due``, the match stage with its transactional alert outbox), in one
transaction, so a pushed entry and the same entry polled later (or earlier) are one entry,
one document and one mention: ``store_entries`` skips known entry keys and every write is
an upsert on a natural key, whichever comes first. Summary-only entries are matched on their
own words now (a push is about speed) and stay due for their article page, which the next
poll reads and matches with the page's links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.domain import FoundVia
from crawler.feeds.model import entry_to_json
from crawler.feeds.parse import parse_feed
from crawler.press.feedpages import matchable_entries, source_info
from crawler.press.persist import stage_hook
from crawler.storage.db import session_scope
from crawler.storage.feeds import mark_articles_due, store_entries
from crawler.storage.websub import source_row


@dataclass(frozen=True, slots=True)
class Ingested:
    entries: int = 0
    new_entries: int = 0
    new_mentions: int = 0
    error: str = ""


def ingest(
    config: Config,
    engine: Engine,
    source_id: int,
    topic: str,
    body: bytes,
    content_type: str,
    now: datetime,
    *,
    max_bytes: int,
) -> Ingested:
    """Store and match one pushed document of ``source_id``'s feed (never raises on a bad
    document: the parse error is returned)."""
    feed = parse_feed(
        body, url=topic, headers={"content-type": content_type}, now=now, max_bytes=max_bytes
    )
    if not feed.ok:
        return Ingested(error=feed.error or "not a feed")
    with session_scope(engine) as session:
        labels = source_row(session, source_id)
        if labels is None:
            return Ingested(error=f"source {source_id} is gone")
        kind, name, _url = labels
        site = feed.title or (urlsplit(feed.link).hostname or "")
        stored = store_entries(session, source_id, feed.entries, now, site=site)
        due = {e.key: entry_to_json(e) for e in stored.new if not e.has_full_text}
        mark_articles_due(session, source_id, due)
        mentions = 0
        if stored.new:
            pages = matchable_entries(stored.new, site, articles_follow=False)
            hook = stage_hook(config, session)
            result = hook(session, pages, source_info(kind, source_id, name, FoundVia.FEED), now)
            mentions = int(result.new)
    return Ingested(len(feed.entries), len(stored.new), mentions)
