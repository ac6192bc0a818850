"""Many routes' records about one post, merged into one ``Linkback`` per coverage item.

The same pingback is listed in the post's HTML, its comment feed, the WordPress.com API and
XML-RPC; a WordPress.com reblog is a "Reblogged this on" comment *and* often a pingback from
the same page (linkbacks.md case 55). Counting each once takes two passes:

1. **By comment id.** Records carrying the same WordPress comment id are one comment. The
   kind comes from the most exact route that saw it (the HTML's type class or the API's
   ``type`` beat the feed's guess: a feed cannot tell a trackback from a comment), and
   fields missing from that record are filled from the others (a feed's "[…]" pingback
   learns its source URL from the HTML).
2. **By document.** Pings, reblogs and webmentions are keyed by the canonical source URL;
   records with the same key are one linkback whose kind is the strongest seen:
   reblog > webmention > pingback > trackback. Comments are keyed by their permalink
   ``<canonical post URL>#comment-N``.

A ping whose source no route gave (a feed's "[…]" item the HTML did not list), or whose
source is not an http(s) URL (``javascript:``, ``file:`` in a hostile comment), cannot be
stored and is counted as unresolved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from crawler.domain import MentionKind
from crawler.harvest.model import ROUTE_ORDER, Linkback, RouteResult
from crawler.linkbacks.model import ParsedLinkback
from crawler.linkbacks.urls import is_http_url
from crawler.matching.urls import canonicalize_url

__all__ = ["KIND_RANK", "Merged", "comment_key", "kind_rank", "merge_routes"]

#: Which kind a coverage item seen under several kinds is recorded as (higher wins).
KIND_RANK: dict[MentionKind, int] = {
    MentionKind.REBLOG: 5,
    MentionKind.WEBMENTION: 4,
    MentionKind.PINGBACK: 3,
    MentionKind.TRACKBACK: 2,
    MentionKind.LINK: 1,
}


def kind_rank(kind: MentionKind | str) -> int:
    try:
        return KIND_RANK.get(MentionKind(kind), 0)
    except ValueError:
        return 0


def comment_key(target: str, comment_id: int | None, author: str = "", text: str = "") -> str:
    """A comment's document key: its permalink on the canonical post URL.

    A theme that prints no comment ids leaves no permalink; a digest of author and text
    stands in so that re-harvests still find the same key.
    """
    if comment_id is not None:
        return f"{target}#comment-{comment_id}"
    digest = hashlib.sha256(f"{author}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{target}#comment-x{digest[:12]}"


@dataclass(frozen=True, slots=True)
class Merged:
    linkbacks: tuple[Linkback, ...]
    unresolved: int = 0


@dataclass
class _Group:
    """Records believed to be the same thing, best first."""

    records: list[tuple[str, ParsedLinkback]] = field(default_factory=list)

    def best(self) -> ParsedLinkback:
        exact = [r for _, r in self.records if not r.inferred]
        return (exact or [r for _, r in self.records])[0]


_FILLED = ("source_url", "title", "author", "author_url", "site_name", "excerpt", "note")


def _fill(base: ParsedLinkback, others: Iterable[ParsedLinkback]) -> ParsedLinkback:
    """``base`` with its empty fields taken from ``others``, in order."""
    values: dict[str, object] = {}
    published: datetime | None = base.published
    by_org = base.by_organisation
    for other in others:
        for name in _FILLED:
            if not getattr(base, name) and not values.get(name) and getattr(other, name):
                values[name] = getattr(other, name)
        published = published or other.published
        by_org = by_org or other.by_organisation
    return replace(base, published=published, by_organisation=by_org, **values)  # type: ignore[arg-type]


def _ordered(results: Sequence[RouteResult]) -> list[tuple[str, ParsedLinkback]]:
    rank = {name: i for i, name in enumerate(ROUTE_ORDER)}
    ordered = sorted(results, key=lambda r: rank.get(r.route, len(rank)))
    return [(r.route, record) for r in ordered for record in r.records]


def _by_comment_id(records: list[tuple[str, ParsedLinkback]]) -> list[_Group]:
    groups: dict[object, _Group] = {}
    for route, record in records:
        key: object = record.comment_id if record.comment_id is not None else object()
        groups.setdefault(key, _Group()).records.append((route, record))
    return list(groups.values())


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except Exception:  # a hostile URL is not a usable source
        return ""


@dataclass
class _Item:
    kind: MentionKind
    key: str
    record: ParsedLinkback
    routes: list[str]
    comment_ids: list[int]


def _item(group: _Group, target: str) -> _Item | None:
    best = group.best()
    record = _fill(best, [r for _, r in group.records if r is not best])
    routes = [route for route, _ in group.records]
    ids = sorted({r.comment_id for _, r in group.records if r.comment_id is not None})
    if record.kind is not MentionKind.COMMENT:
        usable = is_http_url(record.source_url)
        key = _canonical(record.source_url) if usable else ""
        if not key:
            return None  # no http(s) source (none given, or file:, javascript:): unresolved
        if key != target:
            return _Item(record.kind, key, record, routes, ids)
        # A "linkback" from our own post page: a comment in disguise.
    cid = ids[0] if ids else None
    if cid is None and not (record.author or record.excerpt):
        return None  # an empty item without an id: nothing to keep
    key = comment_key(target, cid, record.author, record.excerpt)
    url = record.source_url if record.kind is MentionKind.COMMENT else key
    return _Item(MentionKind.COMMENT, key, replace(record, source_url=url), routes, ids)


def _linkback(items: list[_Item], target: str) -> Linkback:
    items = sorted(items, key=lambda i: -kind_rank(i.kind))
    head = items[0]
    record = _fill(head.record, [i.record for i in items[1:]])
    rank = {name: i for i, name in enumerate(ROUTE_ORDER)}
    routes = sorted({r for i in items for r in i.routes}, key=lambda r: rank.get(r, len(rank)))
    ids = sorted({c for i in items for c in i.comment_ids})
    return Linkback(
        kind=head.kind,
        key=head.key,
        url=record.source_url,
        target=target,
        routes=tuple(routes),
        comment_ids=tuple(ids),
        title=record.title,
        author=record.author,
        author_url=record.author_url,
        site_name=record.site_name,
        excerpt=record.excerpt,
        note=record.note,
        published=record.published,
        by_organisation=record.by_organisation,
        inferred=all(i.record.inferred for i in items),
    )


def merge_routes(target: str, results: Sequence[RouteResult]) -> Merged:
    """One ``Linkback`` per coverage item of the post whose canonical URL is ``target``."""
    unresolved = 0
    by_key: dict[str, list[_Item]] = {}
    for group in _by_comment_id(_ordered(results)):
        item = _item(group, target)
        if item is None:
            unresolved += group.best().kind is not MentionKind.COMMENT
            continue
        by_key.setdefault(item.key, []).append(item)
    linkbacks = tuple(_linkback(items, target) for items in by_key.values())
    return Merged(linkbacks=linkbacks, unresolved=unresolved)
