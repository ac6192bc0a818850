"""The newsroom inbox's reads (#20): finds newest first, filtered, searched, paged by cursor.

Pages are keyed by (first_seen_at, id) of the last row shown, never by an offset, so a page
stays the same while new finds arrive and a deep page costs what the first one does: the
query walks ``ix_mentions_org_first_seen_at`` backwards from the cursor. Only the columns the
inbox shows are read (never a document's full text). A search on SQLite walks the per-find
FTS5 index ``mentions_fts`` (migration 0011) newest first by its order key and stops after a
page (:func:`search_probe_statement`), instead of materialising every match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, TableClause, Text, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from crawler.storage.models import DocumentRow, MentionRow, PostRow, SourceRow
from crawler.storage.search import (
    ORDER_KEY_SPAN,
    Term,
    matching_finds,
    mention_search,
    order_key_floor,
    parse_query,
    words_of,
)

MAX_PAGE = 200
UNTRIAGED = "new"
STATES = (UNTRIAGED, "relevant", "irrelevant", "spam")


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """What the inbox shows; every field is optional and they combine (AND)."""

    orgs: tuple[str, ...] | None = None
    """Organisations visible (None: all, for an admin)."""
    kinds: tuple[str, ...] = ()
    query: str = ""
    """A watch query's name: finds that matched it."""
    source: str = ""
    """A site (host) the find is on."""
    since: datetime | None = None
    until: datetime | None = None
    language: str = ""
    states: tuple[str, ...] = ()
    search: str = ""


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    org: str
    kind: str
    url: str
    title: str
    site: str
    language: str
    source_name: str
    published_at: datetime | None
    first_seen_at: datetime
    snippet: str
    queries: tuple[str, ...]
    target: str
    target_title: str
    post_id: int | None
    triage: str | None
    status: str


@dataclass(frozen=True, slots=True)
class InboxPage:
    items: list[InboxItem]
    next_cursor: tuple[datetime, int] | None = None
    searched_words: list[str] = field(default_factory=list)


def _columns(post: Any) -> list[Any]:
    m, d = MentionRow, DocumentRow
    return [
        m.id,
        m.org,
        m.kind,
        d.url,
        func.substr(d.title, 1, 500).label("title"),
        d.site,
        d.language,
        SourceRow.name,
        d.published_at,
        m.first_seen_at,
        func.substr(m.snippet, 1, 2000).label("snippet"),
        m.queries,
        m.target,
        func.substr(post.title, 1, 500).label("target_title"),
        m.post_id,
        m.triage,
        m.status,
    ]


def _filtered(session: Session, f: InboxFilter) -> Select[Any]:
    m, d = MentionRow, DocumentRow
    post = aliased(PostRow)
    stmt: Select[Any] = (
        select(*_columns(post))
        .join(d, d.id == m.document_id)
        .outerjoin(post, post.id == m.post_id)
        .outerjoin(SourceRow, SourceRow.id == m.source_id)
    )
    return stmt.where(*_conditions(session, f))


def _conditions(
    session: Session, f: InboxFilter, *, search: bool = True
) -> list[ColumnElement[bool]]:
    m, d = MentionRow, DocumentRow
    out: list[ColumnElement[bool]] = []
    if f.orgs is not None:
        out.append(m.org.in_(list(f.orgs)))
    if f.kinds:
        out.append(m.kind.in_(list(f.kinds)))
    if f.since is not None:
        out.append(m.first_seen_at >= f.since)
    if f.until is not None:
        out.append(m.first_seen_at < f.until)
    if f.language:
        out.append(d.language == f.language)
    if f.source:
        out.append(d.site == f.source.lower())
    if f.states:
        named = [s for s in f.states if s != UNTRIAGED]
        parts = [m.triage.in_(named)] if named else []
        if UNTRIAGED in f.states:
            parts.append(m.triage.is_(None))
        out.append(or_(*parts))
    if f.query:
        # JSON list membership without JSON operators: both databases store the list as
        # text ["a", "b"], and a query name is matched with its quotes.
        out.append(func.cast(m.queries, Text).contains(json.dumps(f.query), autoescape=True))
    terms = parse_query(f.search)
    if search and f.search and terms:
        out.append(matching_finds(session, terms))
    return out


def _after(stmt: Select[Any], after: tuple[datetime, int] | None) -> Select[Any]:
    if after is None:
        return stmt
    m = MentionRow
    # A row value, not ``a < x OR (a = x AND b < y)``: both databases seek the
    # (org, first_seen_at, id) index to the cursor with it, where the OR walked every row
    # above the cursor (page 21 cost 2.4x more at 100,000 finds than at 10,000).
    return stmt.where(tuple_(m.first_seen_at, m.id) < tuple_(*after))


def _ordered_search(session: Session, f: InboxFilter) -> list[Term]:
    """The search's terms when it runs on SQLite's per-find index (else [])."""
    if not f.search or session.get_bind().dialect.name != "sqlite":
        return []
    return parse_query(f.search)


def _key_range(
    fts: TableClause, after: tuple[datetime, int] | None, floor: int | None
) -> list[ColumnElement[bool]]:
    """Bounds on the order key: below the cursor's second's end, from ``floor`` on."""
    out: list[ColumnElement[bool]] = []
    if after is not None:
        out.append(fts.c.rowid < order_key_floor(after[0]) + ORDER_KEY_SPAN)
    if floor is not None:
        out.append(fts.c.rowid >= floor)
    return out


def search_probe_statement(
    session: Session, f: InboxFilter, *, after: tuple[datetime, int] | None = None, limit: int = 50
) -> Select[Any]:
    """SQLite: the order key of the (``limit`` + 1)-th match under ``f`` in key order, read
    newest first from ``mentions_fts`` (which stops there). Every match in a later second
    is among the rows before it, so the page lies in the keys from that second on."""
    fts, match = mention_search(_ordered_search(session, f))
    m = MentionRow
    stmt = (
        select(fts.c.rowid)
        .select_from(fts)
        .join(m, m.id == fts.c.rowid % ORDER_KEY_SPAN)
        .join(DocumentRow, DocumentRow.id == m.document_id)
        .where(match, *_key_range(fts, after, None), *_conditions(session, f, search=False))
    )
    return _after(stmt, after).order_by(fts.c.rowid.desc()).offset(limit).limit(1)


def inbox_statement(
    session: Session,
    f: InboxFilter,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
    floor: int | None = None,
) -> Select[Any]:
    """The page query: ``limit`` + 1 rows (the extra one says whether a next page exists).
    A search on SQLite is driven by ``mentions_fts`` from the order key ``floor`` on (see
    :func:`search_probe_statement`), so it sorts about a page of matches, not all of them."""
    m = MentionRow
    newest_first = (m.first_seen_at.desc(), m.id.desc())
    terms = _ordered_search(session, f)
    if not terms:
        return _after(_filtered(session, f), after).order_by(*newest_first).limit(limit + 1)
    # The page's ids from the matches in the key range (sorting narrow rows), then their
    # columns: a crawl batch shares one first_seen_at, so the range's first second can hold
    # thousands of matches, and sorting them with their snippets cost 10x more.
    fts, match = mention_search(terms)
    ids = (
        select(m.id)
        .select_from(fts)
        .join(m, m.id == fts.c.rowid % ORDER_KEY_SPAN)
        .join(DocumentRow, DocumentRow.id == m.document_id)
        .where(match, *_key_range(fts, after, floor), *_conditions(session, f, search=False))
    )
    ids = _after(ids, after).order_by(*newest_first).limit(limit + 1)
    post = aliased(PostRow)
    stmt = (
        select(*_columns(post))
        .join(DocumentRow, DocumentRow.id == m.document_id)
        .outerjoin(post, post.id == m.post_id)
        .outerjoin(SourceRow, SourceRow.id == m.source_id)
        .where(m.id.in_(ids.scalar_subquery()))
    )
    return stmt.order_by(*newest_first)


def inbox_page(
    session: Session,
    f: InboxFilter,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> InboxPage:
    """One page of finds, newest first, after the cursor (the last row of the page before)."""
    limit = max(1, min(limit, MAX_PAGE))
    floor = None
    if _ordered_search(session, f):
        probe = search_probe_statement(session, f, after=after, limit=limit)
        key = session.execute(probe).scalar()
        floor = None if key is None else key - key % ORDER_KEY_SPAN
    stmt = inbox_statement(session, f, after=after, limit=limit, floor=floor)
    rows = session.execute(stmt).all()
    items = [_item(r) for r in rows[:limit]]
    cursor = (items[-1].first_seen_at, items[-1].id) if len(rows) > limit and items else None
    return InboxPage(items, cursor, words_of(parse_query(f.search)) if f.search else [])


def explain(session: Session, stmt: Select[Any]) -> str:
    """The database's plan for ``stmt`` as text (EXPLAIN QUERY PLAN / EXPLAIN), for the test
    that every page query uses an index."""
    compiled = stmt.compile(bind=session.get_bind(), compile_kwargs={"render_postcompile": True})
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        values = tuple(compiled.params[k] for k in compiled.positiontup or ())
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), values)
        return "\n".join(str(r[-1]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    return "\n".join(str(r[0]) for r in rows)


def _item(r: Any) -> InboxItem:
    return InboxItem(
        id=r.id,
        org=r.org,
        kind=r.kind,
        url=r.url,
        title=r.title or "",
        site=r.site or "",
        language=r.language or "",
        source_name=r.name or "",
        published_at=r.published_at,
        first_seen_at=r.first_seen_at,
        snippet=r.snippet or "",
        queries=tuple(r.queries or ()),
        target=r.target or "",
        target_title=r.target_title or "",
        post_id=r.post_id,
        triage=r.triage,
        status=r.status,
    )


def volume_by_day(
    session: Session, f: InboxFilter, since: datetime, until: datetime
) -> dict[tuple[date, str], int]:
    """Finds per (UTC day, query) in [since, until) under the inbox's filters (a find of
    several queries counts for each; one with none counts under ""). A search on SQLite
    reads only the window's matches, by the order keys of its seconds."""
    m = MentionRow
    window = (m.first_seen_at >= since, m.first_seen_at < until)
    terms = _ordered_search(session, f)
    if terms:
        fts, match = mention_search(terms)
        stmt = (
            select(m.first_seen_at, m.queries)
            .select_from(fts)
            .join(m, m.id == fts.c.rowid % ORDER_KEY_SPAN)
            .join(DocumentRow, DocumentRow.id == m.document_id)
            .where(
                match,
                fts.c.rowid >= order_key_floor(since),
                fts.c.rowid < order_key_floor(until) + ORDER_KEY_SPAN,
                *_conditions(session, f, search=False),
                *window,
            )
        )
    else:
        stmt = (
            select(m.first_seen_at, m.queries)
            .join(DocumentRow, DocumentRow.id == m.document_id)
            .where(*_conditions(session, f), *window)
        )
    out: dict[tuple[date, str], int] = {}
    for row in session.execute(stmt):
        seen: datetime = row.first_seen_at
        for q in row.queries or [""]:
            key = (seen.date(), str(q))
            out[key] = out.get(key, 0) + 1
    return out
