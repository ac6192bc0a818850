"""Write and read mentions (and the documents they stand on).

``record_mentions`` is the one write path for coverage: documents are upserted on their
canonical URL, mentions on (org, document, kind, target), in batches, so any number of routes,
re-runs or workers that see the same thing store it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from crawler.domain import Document, FoundVia, Mention, MentionKind, MentionStatus
from crawler.storage.alert_events import queue_alert_events
from crawler.storage.models import DocumentRow, MentionRow, PostRow, SourceRow
from crawler.storage.posts import published_targets
from crawler.storage.upsert import upsert

BATCH = 500


@dataclass(frozen=True, slots=True)
class RecordResult:
    new: int
    seen: int

    def __add__(self, other: RecordResult) -> RecordResult:
        return RecordResult(self.new + other.new, self.seen + other.seen)


@dataclass(frozen=True, slots=True)
class MentionView:
    """A stored mention joined with its document, post and source: what readers need."""

    id: int
    org: str
    url: str
    canonical_url: str
    kind: MentionKind
    title: str
    site: str
    author: str
    language: str
    published_at: datetime | None
    first_seen_at: datetime
    target: str
    target_title: str
    queries: tuple[str, ...]
    terms: tuple[str, ...]
    snippet: str
    hits: tuple[tuple[int, int], ...]
    note: str
    context: str
    by_organisation: bool
    status: MentionStatus
    found_via: FoundVia
    story_id: int | None
    document_id: int
    source_name: str
    source_weight: int
    target_published_at: datetime | None = None  # our post's date (digest: older posts, #16)

    def as_json(self) -> dict[str, object]:
        """The CLI contract's JSON fields (plus a few useful extras)."""
        return {
            "url": self.url,
            "kind": self.kind.value,
            "title": self.title,
            "site": self.site,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "first_seen_at": self.first_seen_at.isoformat(),
            "target": self.target or None,
            "queries": list(self.queries),
            "terms": list(self.terms),
            "snippet": self.snippet,
            "note": self.note,
            "context": self.context,
            "status": self.status.value,
            "found_via": self.found_via.value,
            "story": self.story_id,
        }


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _document_row(doc: Document, now: datetime, source_id: int | None) -> dict[str, object]:
    return {
        "canonical_url": doc.canonical_url,
        "url": doc.url,
        "title": doc.title,
        "author": doc.author,
        "site": doc.site,
        "language": doc.language,
        "published_at": doc.published_at,
        "fetched_at": now,
        "text": doc.text,
        "text_hash": text_hash(doc.text) if doc.text else "",
        "fingerprint": doc.fingerprint,
        "source_id": source_id,
    }


def upsert_documents(
    session: Session,
    docs: Iterable[Document],
    now: datetime,
    source_id: int | None = None,
) -> dict[str, int]:
    """Store documents (richer values win over empty ones); returns canonical_url -> id."""
    return store_documents(session, [(d, source_id) for d in docs], now)


def store_documents(
    session: Session, docs: Iterable[tuple[Document, int | None]], now: datetime
) -> dict[str, int]:
    """``upsert_documents`` for documents of several sources at once (one statement per
    batch, however many sources a crawl batch mixes); returns canonical_url -> id."""
    rows = {d.canonical_url: _document_row(d, now, source_id) for d, source_id in docs}
    keys = list(rows)
    for i in range(0, len(keys), BATCH):
        chunk = [rows[k] for k in keys[i : i + BATCH]]
        upsert(
            session,
            DocumentRow.__table__,  # type: ignore[arg-type]
            chunk,
            key=["canonical_url"],
            update=["fetched_at"],
            fill=[
                "url",
                "title",
                "author",
                "site",
                "language",
                "published_at",
                "text",
                "text_hash",
                "fingerprint",
                "source_id",
            ],
        )
    return document_ids(session, keys)


def document_ids(session: Session, canonical_urls: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(canonical_urls), BATCH):
        chunk = canonical_urls[i : i + BATCH]
        stmt = select(DocumentRow.canonical_url, DocumentRow.id).where(
            DocumentRow.canonical_url.in_(chunk)
        )
        for url, id_ in session.execute(stmt):
            out[url] = id_
    return out


def _source_ids(session: Session, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    stmt = select(SourceRow.name, SourceRow.id).where(SourceRow.name.in_(names))
    return dict(session.execute(stmt).all())


def as_published(session: Session, org: str, mentions: Sequence[Mention]) -> list[Mention]:
    """``mentions`` with every target that is one of our posts spelt as the post publishes
    it (``crawler.storage.posts.published_targets``), whatever spelling the route gave."""
    posts = published_targets(session, org, {m.target for m in mentions if m.target})
    return [
        replace(m, target=posts[m.target][1])
        if m.target in posts and posts[m.target][1] != m.target
        else m
        for m in mentions
    ]


def _post_ids(session: Session, org: str, targets: set[str]) -> dict[str, int]:
    return {t: post_id for t, (post_id, _) in published_targets(session, org, targets).items()}


def record_mentions(
    session: Session, mentions: Sequence[Mention], now: datetime, *, backfill: bool = False
) -> RecordResult:
    """Store mentions and their documents; returns how many were new and how many seen again.

    Each NEW mention gets an alert event in the same transaction (the outbox of #21);
    ``backfill`` marks finds of an archive's first harvest, which go to the digest only.

    Seeing a mention again refreshes ``last_seen_at``, adds the route to ``routes`` and fills
    evidence that was missing; ``first_seen_at``, ``found_via`` and ``status`` stay.
    """
    if not mentions:
        return RecordResult(0, 0)
    sources = _source_ids(session, {m.source_name for m in mentions if m.source_name})
    docs: dict[str, Document] = {}
    for m in mentions:
        docs[m.document.canonical_url] = m.document
    doc_ids = upsert_documents(session, docs.values(), now)
    result = RecordResult(0, 0)
    by_org: dict[str, list[Mention]] = {}
    for m in mentions:
        by_org.setdefault(m.org, []).append(m)
    for org, items in by_org.items():
        items = as_published(session, org, items)
        posts = _post_ids(session, org, {m.target for m in items if m.target})
        for i in range(0, len(items), BATCH):
            result += _record_batch(
                session, org, items[i : i + BATCH], doc_ids, posts, sources, now, backfill
            )
    return result


def _record_batch(
    session: Session,
    org: str,
    items: Sequence[Mention],
    doc_ids: dict[str, int],
    posts: dict[str, int],
    sources: dict[str, int],
    now: datetime,
    backfill: bool,
) -> RecordResult:
    rows: dict[tuple[int, str, str], dict[str, object]] = {}
    for m in items:
        doc_id = doc_ids[m.document.canonical_url]
        key = (doc_id, m.kind.value, m.target)
        rows[key] = {
            "org": org,
            "document_id": doc_id,
            "kind": m.kind.value,
            "target": m.target,
            "post_id": posts.get(m.target),
            "source_id": sources.get(m.source_name),
            "queries": list(m.queries) or None,
            "terms": list(m.terms) or None,
            "snippet": m.snippet,
            "hits": [[h.start, h.end] for h in m.hits] or None,
            "author": m.author,
            "note": m.note,
            "context": m.context,
            "by_organisation": m.by_organisation,
            "found_via": m.found_via.value,
            "routes": [m.found_via.value],
            "status": m.status.value,
            "first_seen_at": now,
            "last_seen_at": now,
        }
    existing = _existing_keys(session, org, list(rows))
    upsert(
        session,
        MentionRow.__table__,  # type: ignore[arg-type]
        list(rows.values()),
        key=["org", "document_id", "kind", "target"],
        update=["last_seen_at"],
        fill=[
            "queries",
            "terms",
            "hits",
            "snippet",
            "author",
            "note",
            "context",
            "post_id",
            "source_id",
        ],
    )
    _merge_routes(session, org, rows, existing)
    new_keys = [key for key in rows if key not in existing]
    if new_keys:
        created = _existing_keys(session, org, new_keys)
        queue_alert_events(
            session, org, [mention_id for mention_id, _ in created.values()], now, backfill=backfill
        )
    return RecordResult(len(rows) - len(existing), len(existing))


def _existing_keys(
    session: Session, org: str, keys: Sequence[tuple[int, str, str]]
) -> dict[tuple[int, str, str], tuple[int, list[str]]]:
    if not keys:
        return {}
    stmt = select(MentionRow).where(
        MentionRow.org == org,
        tuple_(MentionRow.document_id, MentionRow.kind, MentionRow.target).in_(keys),
    )
    out: dict[tuple[int, str, str], tuple[int, list[str]]] = {}
    for row in session.scalars(stmt):
        out[(row.document_id, row.kind, row.target)] = (row.id, list(row.routes or []))
    return out


def _merge_routes(
    session: Session,
    org: str,
    rows: dict[tuple[int, str, str], dict[str, object]],
    existing: dict[tuple[int, str, str], tuple[int, list[str]]],
) -> None:
    for key, (mention_id, routes) in existing.items():
        route = str(rows[key]["found_via"])
        if route not in routes:
            session.execute(
                update(MentionRow)
                .where(MentionRow.id == mention_id)
                .values(routes=[*routes, route])
            )


def _view_query(org: str) -> Select[MentionRow, DocumentRow, str, str, int]:
    post = aliased(PostRow)
    return (
        select(MentionRow, DocumentRow, post.title, SourceRow.name, SourceRow.weight)
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .outerjoin(post, post.id == MentionRow.post_id)
        .outerjoin(SourceRow, SourceRow.id == MentionRow.source_id)
        .where(MentionRow.org == org)
    )


def list_mentions(
    session: Session,
    org: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Iterable[MentionKind] = (),
    statuses: Iterable[MentionStatus] = (MentionStatus.LIVE,),
    limit: int | None = None,
) -> list[MentionView]:
    """Mentions first seen in [since, until), oldest first."""
    stmt = _view_query(org)
    if since is not None:
        stmt = stmt.where(MentionRow.first_seen_at >= since)
    if until is not None:
        stmt = stmt.where(MentionRow.first_seen_at < until)
    kind_values = [k.value for k in kinds]
    if kind_values:
        stmt = stmt.where(MentionRow.kind.in_(kind_values))
    status_values = [s.value for s in statuses]
    if status_values:
        stmt = stmt.where(MentionRow.status.in_(status_values))
    stmt = stmt.order_by(MentionRow.first_seen_at, MentionRow.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(m, d, t, n, w) for m, d, t, n, w in session.execute(stmt)]


def _view(
    m: MentionRow, d: DocumentRow, target_title: str | None, source: str | None, weight: int | None
) -> MentionView:
    return MentionView(
        id=m.id,
        org=m.org,
        url=d.url,
        canonical_url=d.canonical_url,
        kind=MentionKind(m.kind),
        title=d.title,
        site=d.site,
        author=m.author or d.author,
        language=d.language,
        published_at=d.published_at,
        first_seen_at=m.first_seen_at,
        target=m.target,
        target_title=target_title or "",
        queries=tuple(m.queries or ()),
        terms=tuple(m.terms or ()),
        snippet=m.snippet,
        hits=tuple((int(a), int(b)) for a, b in (m.hits or ())),
        note=m.note,
        context=m.context,
        by_organisation=m.by_organisation,
        status=MentionStatus(m.status),
        found_via=FoundVia(m.found_via),
        story_id=d.story_id,
        document_id=d.id,
        source_name=source or "",
        source_weight=weight if weight is not None else 1,
    )


def set_mention_status(
    session: Session, mention_id: int, status: MentionStatus, now: datetime
) -> None:
    session.execute(
        update(MentionRow)
        .where(MentionRow.id == mention_id)
        .values(status=status.value, checked_at=now)
    )


#: Linkback kinds that say more than a bare link: the page pinged, tracked back, reblogged or
#: sent a webmention. A ``link`` mention of the same page and post would count it twice.
STRONGER_THAN_LINK = (
    MentionKind.PINGBACK,
    MentionKind.TRACKBACK,
    MentionKind.REBLOG,
    MentionKind.WEBMENTION,
)


def stronger_linkbacks(
    session: Session, org: str, pairs: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (document canonical URL, target) pairs already have a pingback, trackback,
    reblog or webmention: a link found by crawling such a page is that linkback again."""
    asked = set(pairs)
    published = published_targets(session, org, {t for _, t in asked})
    spelt: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for url, t in asked:
        spelt.setdefault((url, published[t][1] if t in published else t), []).append((url, t))
    wanted = sorted(spelt)
    found: set[tuple[str, str]] = set()
    kinds = [k.value for k in STRONGER_THAN_LINK]
    for i in range(0, len(wanted), BATCH):
        chunk = wanted[i : i + BATCH]
        stmt = (
            select(DocumentRow.canonical_url, MentionRow.target)
            .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
            .where(
                MentionRow.org == org,
                MentionRow.kind.in_(kinds),
                tuple_(DocumentRow.canonical_url, MentionRow.target).in_(chunk),
            )
        )
        for url, target in session.execute(stmt):
            found.update(spelt.get((url, target), ()))
    return found


def retire_superseded_links(session: Session, org: str) -> int:
    """Fold ``link`` mentions into the stronger linkback of the same page and post (found
    later by the harvester or the receiver); returns how many were folded.

    The stronger mention keeps the earlier ``first_seen_at`` and both routes, so a page
    reported as a link in yesterday's digest is not reported again today as a pingback:
    each (page, post) is counted once, under its most specific kind. Call after a harvest
    or a crawl.
    """
    link = aliased(MentionRow)
    stmt = (
        select(link.id, link.first_seen_at, link.routes, MentionRow)
        .join(
            MentionRow,
            (MentionRow.org == link.org)
            & (MentionRow.document_id == link.document_id)
            & (MentionRow.target == link.target),
        )
        .where(
            link.org == org,
            link.kind == MentionKind.LINK.value,
            MentionRow.kind.in_([k.value for k in STRONGER_THAN_LINK]),
        )
        .order_by(link.id, MentionRow.id)
    )
    folded: set[int] = set()
    for row in session.execute(stmt):
        values: tuple[Any, ...] = tuple(row)
        link_id, seen_at, routes, stronger = values
        if link_id in folded:
            continue  # already folded into an earlier stronger mention of the same pair
        folded.add(link_id)
        stronger.first_seen_at = min(stronger.first_seen_at, seen_at)
        merged = list(dict.fromkeys([*(stronger.routes or []), *(routes or [])]))
        if merged != list(stronger.routes or []):
            stronger.routes = merged
    session.flush()
    ids = sorted(folded)
    for i in range(0, len(ids), BATCH):
        session.execute(delete(MentionRow).where(MentionRow.id.in_(ids[i : i + BATCH])))
    return len(ids)


def mentions_for_documents(
    session: Session, org: str, canonical_urls: Sequence[str]
) -> list[MentionView]:
    """The stored mentions of these documents (what an ad-hoc crawl prints), in URL order."""
    order = {url: i for i, url in enumerate(canonical_urls)}
    out: list[MentionView] = []
    for i in range(0, len(canonical_urls), BATCH):
        stmt = _view_query(org).where(DocumentRow.canonical_url.in_(canonical_urls[i : i + BATCH]))
        out += [_view(m, d, t, n, w) for m, d, t, n, w in session.execute(stmt)]
    out.sort(key=lambda v: (order.get(v.canonical_url, 0), v.kind.value, v.target, v.id))
    return out
