"""The words of mediamon as plain types.

Everything else in the project speaks in these terms: the kinds of mention, where a find came
from, the states a receipt or a digest moves through, and the small value objects that parsers
return and storage accepts. This module imports no framework (import-linter enforces it), so
parsers, storage and reports can all share it without dragging each other in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class MentionKind(enum.StrEnum):
    """What a coverage item is. Press and blog mentions come from matching queries; the rest
    are linkbacks to one of the organisation's posts."""

    PRESS = "press"
    BLOG = "blog"
    REBLOG = "reblog"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"
    WEBMENTION = "webmention"
    LINK = "link"
    COMMENT = "comment"

    @property
    def is_linkback(self) -> bool:
        """Linkbacks always target one of our posts; press and blog mentions may not."""
        return self not in (MentionKind.PRESS, MentionKind.BLOG)


LINKBACK_KINDS: tuple[MentionKind, ...] = tuple(k for k in MentionKind if k.is_linkback)


class FoundVia(enum.StrEnum):
    """The route that first found a mention (kept for audits and the digest)."""

    FEED = "feed"
    CRAWL = "crawl"
    COMMENTS = "comments"
    API = "api"
    RECEIVER = "receiver"
    ADHOC = "adhoc"


class MentionStatus(enum.StrEnum):
    LIVE = "live"
    DELETED = "deleted"
    SPAM = "spam"


class SourceKind(enum.StrEnum):
    """How coverage from a source is labelled: a press outlet or a blog."""

    PRESS = "press"
    BLOG = "blog"


class SourceType(enum.StrEnum):
    """What we poll at a source's URL."""

    FEED = "feed"  # a feed URL (RSS, Atom, JSON Feed), given or discovered
    SITE = "site"  # a site crawled through its sitemap or section pages
    OWN = "own"  # one of the organisation's own blogs (registers posts)


class SourceHealth(enum.StrEnum):
    OK = "ok"
    FAILING = "failing"
    DEAD = "dead"  # gone (410) or unparseable for long: probed weekly, never dropped


class Platform(enum.StrEnum):
    WORDPRESS = "wordpress"
    WORDPRESS_COM = "wordpress.com"
    GENERIC = "generic"


class Protocol(enum.StrEnum):
    """Linkback protocols the receiver speaks."""

    PINGBACK = "pingback"
    WEBMENTION = "webmention"
    TRACKBACK = "trackback"


class ReceiptState(enum.StrEnum):
    QUEUED = "queued"
    VERIFIED = "verified"
    REJECTED = "rejected"


class DigestState(enum.StrEnum):
    RENDERED = "rendered"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query term in a text: character offsets into that text."""

    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One fetched page (or feed entry standing in for it), reduced to what we keep."""

    canonical_url: str
    url: str
    title: str = ""
    author: str = ""
    site: str = ""
    language: str = ""
    published_at: datetime | None = None
    text: str = ""
    fingerprint: int | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A page the organisation published, learned from its own feeds."""

    org: str
    canonical_url: str
    url: str
    title: str = ""
    published_at: datetime | None = None
    comment_feed_url: str = ""
    comment_count: int | None = None
    platform: Platform = Platform.GENERIC
    wp_post_id: int | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """One coverage item as it is written: a document that refers to the organisation.

    ``target`` is the organisation's post it links to, in any spelling (storage records it
    as the post publishes its URL), or ``""``. The natural key is (org, document, kind,
    target).
    """

    org: str
    document: Document
    kind: MentionKind
    found_via: FoundVia
    target: str = ""
    queries: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    snippet: str = ""
    hits: tuple[Hit, ...] = ()
    author: str = ""
    note: str = ""
    context: str = ""
    by_organisation: bool = False
    status: MentionStatus = MentionStatus.LIVE
    source_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)
