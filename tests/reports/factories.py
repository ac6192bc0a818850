"""Plain view-model input built in memory, for the pure tests of build_digest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawler.domain import FoundVia, MentionKind, MentionStatus
from crawler.storage.mentions import MentionView
from crawler.storage.reporting import ReceiptRecord, RunRecord, SourceStatus
from reports.dates import day_window
from reports.model import DigestInput
from tests.reports.sample import DAY, NOW, ORG, TZ

#: When monitoring began in these tests: well before the digest's day.
STARTED = datetime(2026, 10, 1, tzinfo=UTC)

_ids = iter(range(1, 1_000_000))


def mention_view(kind: MentionKind = MentionKind.PRESS, **kw: Any) -> MentionView:
    n = next(_ids)
    fields: dict[str, Any] = {
        "id": n,
        "org": ORG,
        "url": f"https://news{n % 7}.example/a/{n}",
        "canonical_url": f"https://news{n % 7}.example/a/{n}",
        "kind": kind,
        "title": f"Article {n}",
        "site": f"news{n % 7}.example",
        "author": "",
        "language": "en",
        "published_at": datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        "first_seen_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        "target": ""
        if kind in (MentionKind.PRESS, MentionKind.BLOG)
        else "https://blog.orbis.example/p/",
        "target_title": "",
        "queries": ("org",),
        "terms": ('"Orbis Union"',),
        "snippet": "The Orbis Union said so.",
        "hits": ((4, 15),),
        "note": "",
        "context": "",
        "by_organisation": False,
        "status": MentionStatus.LIVE,
        "found_via": FoundVia.FEED,
        "story_id": None,
        "document_id": n,
        "source_name": "",
        "source_weight": 1,
    }
    fields.update(kw)
    return MentionView(**fields)


def digest_input(
    mentions: Sequence[MentionView] = (),
    *,
    day: date = DAY,
    counts: Mapping[date, Mapping[str, int]] | None = None,
    sources: Sequence[SourceStatus] = (),
    runs: Sequence[RunRecord] = (),
    receipts: Sequence[ReceiptRecord] = (),
    timezone: str = TZ,
    **kw: Any,
) -> DigestInput:
    if counts is None:
        per_kind: dict[str, int] = {}
        for m in mentions:
            per_kind[m.kind.value] = per_kind.get(m.kind.value, 0) + 1
        counts = {day: per_kind}
    fields: dict[str, Any] = {
        "org": ORG,
        "timezone": timezone,
        "window": day_window(day, ZoneInfo(timezone)),
        "now": NOW,
        "mentions": tuple(mentions),
        "counts": counts,
        "story_originals": {},
        "sites_seen_before": frozenset(),
        "own_sites": frozenset({"blog.orbis.example"}),
        "sources": tuple(sources),
        "failed_runs": tuple(runs),
        "rejected_receipts": tuple(receipts),
        "started_at": STARTED,
    }
    fields.update(kw)
    return DigestInput(**fields)
