"""Feed polling storage: which sources are due, the poll state after a fetch, per-host
Retry-After blocks, and feed entries stored once per feed as documents.

Entries are written insert-or-fill: a document that another route already stored richer (a
crawl's full text) is never overwritten by a feed summary, and an entry seen again, even
under a new guid for the same link, is not stored twice. Every write is an upsert on a natural
key, so two workers or a re-run after a crash are harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from crawler.feeds.model import FeedEntry
from crawler.storage.mentions import text_hash
from crawler.storage.models import DocumentRow, FeedEntryRow, HostRow, SourceRow
from crawler.storage.upsert import dialect_insert

CHUNK = 500


# -- which sources to poll ------------------------------------------------------------------


def due_sources(
    session: Session,
    org: str,
    now: datetime,
    *,
    names: Iterable[str] = (),
    all_sources: bool = False,
) -> list[SourceRow]:
    """Sources to poll now: by name when ``names`` is given, all with ``all_sources``, else
    those whose next check has come. Disabled sources are never polled."""
    stmt = select(SourceRow).where(SourceRow.org == org, SourceRow.disabled_reason == "")
    wanted = list(names)
    if wanted:
        stmt = stmt.where(SourceRow.name.in_(wanted))
    elif not all_sources:
        stmt = stmt.where(or_(SourceRow.next_check_at.is_(None), SourceRow.next_check_at <= now))
    return list(session.scalars(stmt.order_by(SourceRow.id)))


def host_blocks(session: Session, now: datetime) -> dict[str, datetime]:
    """Hosts under a Retry-After block that has not ended yet."""
    stmt = select(HostRow.host, HostRow.blocked_until).where(HostRow.blocked_until > now)
    return {host: until for host, until in session.execute(stmt) if until is not None}


def block_host(session: Session, host: str, until: datetime, reason: str) -> None:
    """Record a Retry-After for a whole host (the later block wins)."""
    table: Table = HostRow.__table__  # type: ignore[assignment]
    values = {"host": host, "blocked_until": until, "reason": reason[:500]}
    stmt = dialect_insert(session, table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["host"],
        set_={
            "blocked_until": func.max(stmt.excluded.blocked_until, table.c.blocked_until)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(stmt.excluded.blocked_until, table.c.blocked_until),
            "reason": stmt.excluded.reason,
        },
    )
    session.execute(stmt)


# -- poll state -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollUpdate:
    """The state of one source after one fetch (None/"" where unchanged)."""

    checked_at: datetime
    next_check_at: datetime
    interval_seconds: int
    failures: float
    health: str
    last_status: int | None
    last_error: str
    event: dict[str, Any]
    redirect_url: str = ""
    redirect_count: int = 0
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    new_entries: int = 0
    move_to: str = ""
    discovered: list[dict[str, str]] | None = None
    type: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def apply_poll_update(session: Session, source_id: int, change: PollUpdate, keep: int) -> str:
    """Write a fetch's outcome onto the source; returns a note when a permanent move could
    not be applied (the new URL already belongs to another source)."""
    row = session.get(SourceRow, source_id)
    if row is None:
        return "source vanished"
    values: dict[str, Any] = {
        "checked_at": change.checked_at,
        "next_check_at": change.next_check_at,
        "interval_seconds": change.interval_seconds,
        "failures": change.failures,
        "health": change.health,
        "last_status": change.last_status,
        "last_error": change.last_error[:4000],
        "redirect_url": change.redirect_url[:2048],
        "redirect_count": change.redirect_count,
        "entries_total": row.entries_total + change.new_entries,
        "events": [*(row.events or []), change.event][-keep:],
    }
    for name in ("etag", "last_modified", "body_hash"):
        value = getattr(change, name)
        if value is not None:
            values[name] = value
    if change.discovered is not None:
        values["discovered"] = change.discovered
    if change.type:
        values["type"] = change.type
    note = ""
    if change.move_to:
        taken = session.scalar(
            select(SourceRow.id).where(
                SourceRow.url == change.move_to,
                SourceRow.org == row.org,  # another organisation may watch it too (#16)
                SourceRow.id != source_id,
            )
        )
        if taken is None:
            values.update(url=change.move_to, etag="", last_modified="", body_hash="")
        else:
            note = f"moved to {change.move_to}, which is already source {taken}"
    # Attribute changes, not an UPDATE statement per row: the session flushes a batch of
    # sources as one executemany (a pipeline batch updates hundreds of them).
    for name, value in values.items():
        setattr(row, name, value)
    return note


# -- entries --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredEntries:
    """What storing one feed document did."""

    new: tuple[FeedEntry, ...]
    seen: int
    renamed: int = 0
    """Entries seen before under another key (a guid scheme change): not stored twice."""


def _known(
    session: Session, source_id: int, entries: Sequence[FeedEntry]
) -> tuple[set[str], dict[str, int | None]]:
    keys: set[str] = set()
    links: dict[str, int | None] = {}
    for i in range(0, len(entries), CHUNK):
        chunk = entries[i : i + CHUNK]
        stmt = select(FeedEntryRow.entry_key, FeedEntryRow.link, FeedEntryRow.document_id).where(
            FeedEntryRow.source_id == source_id,
            or_(
                FeedEntryRow.entry_key.in_([e.key for e in chunk]),
                FeedEntryRow.link.in_([e.canonical_url for e in chunk]),
            ),
        )
        for key, link, document_id in session.execute(stmt):
            keys.add(key)
            links.setdefault(link, document_id)
    return keys, links


def _document_row(entry: FeedEntry, site: str, now: datetime, source_id: int) -> dict[str, Any]:
    return {
        "canonical_url": entry.canonical_url,
        "url": entry.link,
        "title": entry.title,
        "author": entry.author,
        "site": site,
        "language": entry.language[:20],
        "published_at": entry.published_at,
        "fetched_at": now,
        "text": entry.text,
        "text_hash": text_hash(entry.text) if entry.text else "",
        "source_id": source_id,
    }


def insert_or_fill_documents(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Insert documents; on an existing canonical URL only fill columns that are empty
    (stored values win). Returns canonical_url -> id."""
    if not rows:
        return {}
    table: Table = DocumentRow.__table__  # type: ignore[assignment]
    stmt = dialect_insert(session, table)
    set_: dict[str, Any] = {}
    for name in ("url", "title", "author", "site", "language", "text", "text_hash"):
        set_[name] = func.coalesce(func.nullif(table.c[name], ""), stmt.excluded[name])
    for name in ("published_at", "source_id"):
        set_[name] = func.coalesce(table.c[name], stmt.excluded[name])
    stmt = stmt.on_conflict_do_update(index_elements=["canonical_url"], set_=set_)
    for i in range(0, len(rows), CHUNK):
        session.execute(stmt, list(rows[i : i + CHUNK]))
    urls = [str(r["canonical_url"]) for r in rows]
    ids: dict[str, int] = {}
    for i in range(0, len(urls), CHUNK):
        query = select(DocumentRow.canonical_url, DocumentRow.id).where(
            DocumentRow.canonical_url.in_(urls[i : i + CHUNK])
        )
        for url, doc_id in session.execute(query):
            ids[url] = doc_id
    return ids


def store_entries(
    session: Session,
    source_id: int,
    entries: Sequence[FeedEntry],
    now: datetime,
    *,
    site: str = "",
    as_documents: bool = True,
) -> StoredEntries:
    """Record a feed document's entries for ``source_id``; new ones become documents (unless
    ``as_documents`` is off: the organisation's own posts are posts, not coverage)."""
    keys, links = _known(session, source_id, entries)
    new: list[FeedEntry] = []
    renamed: list[FeedEntry] = []
    fresh_links: set[str] = set()
    for e in entries:
        if e.key in keys:
            continue
        if e.canonical_url in links or e.canonical_url in fresh_links:
            renamed.append(e)
        else:
            fresh_links.add(e.canonical_url)
            new.append(e)
    doc_ids: dict[str, int] = {}
    if as_documents and new:
        rows = [_document_row(e, site, now, source_id) for e in new]
        doc_ids = insert_or_fill_documents(session, rows)
    entry_rows = [
        {
            "source_id": source_id,
            "entry_key": e.key,
            "link": e.canonical_url,
            "document_id": doc_ids.get(e.canonical_url) or links.get(e.canonical_url),
            "first_seen_at": now,
        }
        for e in (*new, *renamed)
    ]
    if entry_rows:
        table: Table = FeedEntryRow.__table__  # type: ignore[assignment]
        stmt = dialect_insert(session, table).on_conflict_do_nothing(
            index_elements=["source_id", "entry_key"]
        )
        for i in range(0, len(entry_rows), CHUNK):
            session.execute(stmt, entry_rows[i : i + CHUNK])
    return StoredEntries(tuple(new), len(entries) - len(new) - len(renamed), len(renamed))


#: A due article page whose fetch failed transiently this many times is given up (the
#: entry's own words are matched instead), so a page that is down for good is not asked
#: for by every poll.
MAX_ARTICLE_ATTEMPTS = 3


def mark_articles_due(
    session: Session, source_id: int, entries: Mapping[str, Mapping[str, Any]]
) -> None:
    """Keep ``entries`` (entry key -> the entry's JSON form) due until their article pages
    are stored: written in the transaction that records the entries and the feed's
    validators, so nothing an interruption cuts off is forgotten (#18)."""
    if not entries:
        return
    stmt = select(FeedEntryRow).where(
        FeedEntryRow.source_id == source_id, FeedEntryRow.entry_key.in_(list(entries))
    )
    for row in session.scalars(stmt):
        row.article_due = {"entry": dict(entries[row.entry_key]), "attempts": 0}


def article_read(session: Session, canonical_url: str) -> None:
    """The article page at ``canonical_url`` is stored (or cannot be read, for good): no feed
    entry of that link is due any more."""
    stmt = select(FeedEntryRow).where(
        FeedEntryRow.link == canonical_url, FeedEntryRow.article_due.is_not(None)
    )
    for row in session.scalars(stmt):
        row.article_due = None


def article_failed(session: Session, canonical_url: str) -> bool:
    """Count a transient failure of a due article page; returns True while it stays due
    (False once it has failed ``MAX_ARTICLE_ATTEMPTS`` times: it is given up)."""
    due = False
    stmt = select(FeedEntryRow).where(
        FeedEntryRow.link == canonical_url, FeedEntryRow.article_due.is_not(None)
    )
    for row in session.scalars(stmt):
        state = dict(row.article_due or {})
        attempts = int(state.get("attempts", 0)) + 1
        if attempts >= MAX_ARTICLE_ATTEMPTS:
            row.article_due = None
        else:
            row.article_due = {**state, "attempts": attempts}
            due = True
    return due


def due_articles(
    session: Session, org: str, names: Iterable[str] = ()
) -> list[tuple[int, dict[str, Any]]]:
    """Entries whose article page is still due: (source id, the entry's JSON form), of the
    named sources or of every enabled source of ``org``, oldest first."""
    stmt = (
        select(FeedEntryRow.source_id, FeedEntryRow.article_due)
        .join(SourceRow, SourceRow.id == FeedEntryRow.source_id)
        .where(
            SourceRow.org == org,
            SourceRow.disabled_reason == "",
            FeedEntryRow.article_due.is_not(None),
        )
        .order_by(FeedEntryRow.id)
    )
    wanted = list(names)
    if wanted:
        stmt = stmt.where(SourceRow.name.in_(wanted))
    out: list[tuple[int, dict[str, Any]]] = []
    for row in session.execute(stmt):
        state = row.article_due
        if isinstance(state, dict) and isinstance(state.get("entry"), dict):
            out.append((row.source_id, dict(state["entry"])))
    return out


def load_sources(session: Session, source_ids: Iterable[int]) -> dict[int, SourceRow]:
    """Load the given sources into the session at once (one query for a batch of items)."""
    ids = set(source_ids)
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(SourceRow).where(SourceRow.id.in_(ids)))}


def get_source(session: Session, source_id: int) -> SourceRow | None:
    return session.get(SourceRow, source_id)


# -- site crawls ----------------------------------------------------------------------------


def site_sources(session: Session, org: str, names: Iterable[str] = ()) -> list[SourceRow]:
    """Sources to crawl as sites: those named (whatever their type), else every enabled
    source that turned out to have no feed (type ``site``)."""
    stmt = select(SourceRow).where(SourceRow.org == org, SourceRow.disabled_reason == "")
    wanted = list(names)
    if wanted:
        stmt = stmt.where(SourceRow.name.in_(wanted))
    else:
        stmt = stmt.where(SourceRow.type == "site")
    return list(session.scalars(stmt.order_by(SourceRow.id)))


def known_documents(session: Session, canonical_urls: Sequence[str]) -> dict[str, datetime]:
    """Of these URLs, the documents already stored with their text: canonical URL -> when
    they were last stored (a crawl fetches them again only if the site says they changed)."""
    out: dict[str, datetime] = {}
    urls = list(dict.fromkeys(canonical_urls))
    for i in range(0, len(urls), CHUNK):
        stmt = select(DocumentRow.canonical_url, DocumentRow.fetched_at).where(
            DocumentRow.canonical_url.in_(urls[i : i + CHUNK]), DocumentRow.text != ""
        )
        for url, fetched_at in session.execute(stmt):
            out[url] = fetched_at
    return out
