"""The values feed parsing produces: one ``ParsedFeed`` with its ``FeedEntry`` list and the
polling hints the feed advertised.

They are plain frozen dataclasses (no feedparser objects leak out), so the spider can hand them
to pipelines as items, the policy can read the hints, and tests can compare them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FeedHints:
    """What the feed itself says about how often to poll it (RSS ``<ttl>``, RSS 1.0
    ``sy:updatePeriod``/``sy:updateFrequency``). Seconds, or None when absent or unusable."""

    ttl_seconds: int | None = None
    update_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed, with links already absolute and text already stripped of markup.

    ``content_html`` keeps the entry's own HTML (not sanitised, never rendered) with
    ``base`` to resolve its relative links, so a later match stage can look for links to the
    organisation's posts. ``has_full_text`` says whether the entry carries the article itself
    or only a summary (then the article page is fetched).
    """

    key: str
    link: str
    canonical_url: str
    guid: str = ""
    title: str = ""
    author: str = ""
    published_at: datetime | None = None
    summary: str = ""
    text: str = ""
    content_html: str = ""
    base: str = ""
    language: str = ""
    has_full_text: bool = False
    date_in_future: bool = False
    comment_feed_url: str = ""
    comment_count: int | None = None
    wp_post_id: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The outcome of parsing one feed document.

    ``error`` is set when the document was not (fully) well-formed: entries that could be
    recovered are still in ``entries``. ``total_entries`` is how many the document held
    before the per-feed cap; ``capped`` says the cap cut it.
    """

    format: str
    title: str = ""
    link: str = ""
    language: str = ""
    entries: tuple[FeedEntry, ...] = ()
    hints: FeedHints = field(default_factory=FeedHints)
    error: str = ""
    warning: str = ""
    """A problem the parser recovered from without loss (a wrong declared charset)."""
    total_entries: int = 0
    capped: bool = False
    future_dates: int = 0
    dropped: int = 0
    """Entries with nothing to identify them, and repeats of an entry within the document."""
    encoding: str = ""
    encoding_from: str = ""
    """How the encoding was decided: ``bom``, ``byte pattern``, ``xml declaration``, ``http
    charset``, ``default`` (UTF-8) or ``detected``."""
    served_as: str = ""
    """The declared media type, when the bytes say otherwise (a feed "served as text/html")."""

    @property
    def ok(self) -> bool:
        """Usable: a recognised feed, even if ill-formed with some entries recovered."""
        return bool(self.format) and (not self.error or bool(self.entries))


def entry_to_json(entry: FeedEntry) -> dict[str, Any]:
    """An entry as plain JSON, kept with its feed row while its article page is due (#18)."""
    data = asdict(entry)
    data["published_at"] = entry.published_at.isoformat() if entry.published_at else None
    return data


def entry_from_json(data: Mapping[str, Any]) -> FeedEntry:
    """The entry ``entry_to_json`` saved (unknown keys, from a later version, are ignored)."""
    names = {f.name for f in fields(FeedEntry)}
    values = {k: v for k, v in data.items() if k in names}
    published = values.get("published_at")
    values["published_at"] = datetime.fromisoformat(published) if published else None
    return FeedEntry(**values)
