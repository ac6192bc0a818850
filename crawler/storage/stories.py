"""Stories: clusters of near-duplicate documents (a wire story and its pickups).

The fingerprints are computed in ``crawler.press.fingerprint``; this module stores them and
answers the two questions clustering asks of the database, so no per-page state is kept in
memory across a crawl and any number of workers can cluster into one database:

* which stored documents share a MinHash band key with a new one (``story_bands``, indexed on
  (band, key): one lookup, whatever the number of documents), with their texts for checking;
* put these documents into one story: a new one, the one they are in, or — when a new
  document bridges two stories — the older of them, the other merged into it.

A story's original is its earliest published document, then the first stored (lowest id);
it is recomputed whenever the story changes. Story keys are ``doc-<id of the first
document>``, so two workers clustering the same pair at once meet on the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from crawler.storage.models import DocumentRow, StoryBandRow, StoryRow
from crawler.storage.upsert import upsert

#: Candidates checked per new document, those sharing the most band keys first (a true copy
#: shares most of its 20).
CANDIDATE_LIMIT = 20


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A stored document that shares band keys with a new one."""

    document_id: int
    text: str
    story_id: int | None
    shared_bands: int


@dataclass(frozen=True, slots=True)
class StoryView:
    """One story with the canonical URLs of its original and of all its documents."""

    id: int
    key: str
    original: str
    documents: tuple[str, ...]

    @property
    def pickups(self) -> tuple[str, ...]:
        return tuple(url for url in self.documents if url != self.original)


def save_fingerprint(
    session: Session, document_id: int, simhash: int, bands: Sequence[int]
) -> int | None:
    """Store a document's fingerprint and band keys; returns the fingerprint it had before
    (equal to ``simhash`` when this text was clustered already)."""
    before = session.scalar(select(DocumentRow.fingerprint).where(DocumentRow.id == document_id))
    if before == simhash:
        return before
    session.execute(
        update(DocumentRow).where(DocumentRow.id == document_id).values(fingerprint=simhash)
    )
    rows = [{"document_id": document_id, "band": i, "key": key} for i, key in enumerate(bands)]
    upsert(
        session,
        StoryBandRow.__table__,  # type: ignore[arg-type]
        rows,
        key=["document_id", "band"],
        update=["key"],
    )
    return before


def story_candidates(
    session: Session, document_id: int, bands: Sequence[int], limit: int = CANDIDATE_LIMIT
) -> list[StoryCandidate]:
    """Documents sharing at least one band key with ``bands``, most shared first."""
    if not bands:
        return []
    pairs = list(enumerate(bands))
    shared = (
        select(StoryBandRow.document_id, func.count().label("shared"))
        .where(
            tuple_(StoryBandRow.band, StoryBandRow.key).in_(pairs),
            StoryBandRow.document_id != document_id,
        )
        .group_by(StoryBandRow.document_id)
        .order_by(func.count().desc(), StoryBandRow.document_id)
        .limit(limit)
        .subquery()
    )
    stmt = (
        select(DocumentRow.id, DocumentRow.text, DocumentRow.story_id, shared.c.shared)
        .join(shared, shared.c.document_id == DocumentRow.id)
        .order_by(shared.c.shared.desc(), DocumentRow.id)
    )
    out: list[StoryCandidate] = []
    for row in session.execute(stmt):
        values: tuple[Any, ...] = tuple(row)
        doc_id, text, story, count = values
        out.append(StoryCandidate(int(doc_id), str(text or ""), story, int(count)))
    return out


def join_story(session: Session, document_ids: Sequence[int], now: datetime) -> int:
    """Put the documents (and every story they are already in) into one story; returns it."""
    ids = sorted(set(document_ids))
    current = session.execute(
        select(DocumentRow.id, DocumentRow.story_id).where(DocumentRow.id.in_(ids))
    ).all()
    stories = sorted({story for _, story in current if story is not None})
    if stories:
        target, merged = stories[0], stories[1:]
    else:
        key = f"doc-{ids[0]}"
        upsert(
            session,
            StoryRow.__table__,  # type: ignore[arg-type]
            [{"key": key, "created_at": now, "original_document_id": None}],
            key=["key"],
        )
        target = int(session.scalar(select(StoryRow.id).where(StoryRow.key == key)) or 0)
        merged = []
    session.execute(update(DocumentRow).where(DocumentRow.id.in_(ids)).values(story_id=target))
    if merged:
        session.execute(
            update(DocumentRow).where(DocumentRow.story_id.in_(merged)).values(story_id=target)
        )
        session.execute(delete(StoryRow).where(StoryRow.id.in_(merged)))
    _set_original(session, target)
    return target


def _set_original(session: Session, story_id: int) -> None:
    original = session.scalar(
        select(DocumentRow.id)
        .where(DocumentRow.story_id == story_id)
        .order_by(DocumentRow.published_at.is_(None), DocumentRow.published_at, DocumentRow.id)
        .limit(1)
    )
    session.execute(
        update(StoryRow).where(StoryRow.id == story_id).values(original_document_id=original)
    )


def list_stories(session: Session, *, min_documents: int = 2) -> list[StoryView]:
    """Every story with at least ``min_documents`` documents, oldest story first."""
    stmt = (
        select(StoryRow.id, StoryRow.key, StoryRow.original_document_id, DocumentRow.id)
        .join(DocumentRow, DocumentRow.story_id == StoryRow.id)
        .order_by(StoryRow.id, DocumentRow.id)
    )
    members: dict[int, list[int]] = {}
    meta: dict[int, tuple[str, int | None]] = {}
    for story_id, key, original, doc_id in session.execute(stmt):
        members.setdefault(story_id, []).append(doc_id)
        meta[story_id] = (key, original)
    wanted = {d for docs in members.values() if len(docs) >= min_documents for d in docs}
    urls = _urls(session, sorted(wanted))
    out = []
    for story_id, docs in members.items():
        if len(docs) < min_documents:
            continue
        key, original = meta[story_id]
        out.append(
            StoryView(
                id=story_id,
                key=key,
                original=urls.get(original, "") if original is not None else "",
                documents=tuple(urls[d] for d in docs if d in urls),
            )
        )
    return out


def _urls(session: Session, ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        stmt = select(DocumentRow.id, DocumentRow.canonical_url).where(
            DocumentRow.id.in_(ids[i : i + 500])
        )
        for doc_id, url in session.execute(stmt):
            out[doc_id] = url
    return out
