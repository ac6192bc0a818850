"""Feed fetches kept for the other organisations that watch the same feed (#16).

Only feeds another organisation also watches are kept (``watched_elsewhere``), so a database
of one organisation never writes a body here. One row per (URL, fetch profile), overwritten by
each new full fetch; a 304 renews it only when the validators sent name its body
(``crawler.feeds.shared.renews``). The clean-up job deletes rows no window can use any more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from crawler.feeds.shared import MAX_WINDOW_SECONDS, KeptFetch, renews
from crawler.storage.models import FeedFetchRow, SourceRow
from crawler.storage.upsert import upsert


def watched_elsewhere(session: Session, org: str) -> set[str]:
    """Every URL the sources of organisations other than ``org`` may fetch: their URLs,
    redirect targets and discovered feeds (a superset: it only decides what is kept)."""
    urls: set[str] = set()
    rows = session.execute(
        select(SourceRow.url, SourceRow.redirect_url, SourceRow.discovered).where(
            SourceRow.org != org, SourceRow.disabled_reason == ""
        )
    )
    for row in rows:
        urls.add(str(row.url))
        if row.redirect_url:
            urls.add(str(row.redirect_url))
        discovered: list[Any] = row.discovered or []
        for item in discovered:
            if isinstance(item, dict) and item.get("url"):
                urls.add(str(item["url"]))
    return urls


def _kept(row: FeedFetchRow) -> KeptFetch:
    return KeptFetch(
        url=row.url,
        status=200,
        fetched_at=row.fetched_at,
        org=row.org,
        final_url=row.final_url,
        redirects=tuple((str(u), int(s)) for u, s in row.redirects or []),
        headers={str(k): str(v) for k, v in (row.headers or {}).items()},
        etag=row.etag,
        last_modified=row.last_modified,
        body=bytes(row.body),
    )


def keep_fetch(session: Session, org: str, profile: str, fetch: KeptFetch) -> bool:
    """Keep ``org``'s full fetch (200: the row is replaced) or apply its 304 (a row whose body
    the validators sent name is renewed); returns whether a row was written."""
    if fetch.status == 200:
        values = {
            "url": fetch.url,
            "profile": profile,
            "org": org,
            "fetched_at": fetch.fetched_at,
            "final_url": fetch.final_url,
            "redirects": [list(r) for r in fetch.redirects],
            "headers": dict(fetch.headers),
            "etag": fetch.etag,
            "last_modified": fetch.last_modified,
            "body": fetch.body,
        }
        update = [k for k in values if k not in ("url", "profile")]
        table: Table = FeedFetchRow.__table__  # type: ignore[assignment]
        upsert(session, table, [values], ("url", "profile"), update)
        return True
    row = session.scalar(
        select(FeedFetchRow).where(FeedFetchRow.url == fetch.url, FeedFetchRow.profile == profile)
    )
    if row is None or not renews(_kept(row), fetch):
        return False
    row.fetched_at = fetch.fetched_at
    row.org = org
    return True


def kept_fetch(session: Session, url: str, profile: str, since: datetime) -> KeptFetch | None:
    """The kept full fetch of ``url`` under ``profile`` made at ``since`` or later."""
    row = session.scalar(
        select(FeedFetchRow).where(
            FeedFetchRow.url == url,
            FeedFetchRow.profile == profile,
            FeedFetchRow.fetched_at >= since,
        )
    )
    return _kept(row) if row is not None else None


def delete_old_fetches(session: Session, now: datetime) -> int:
    """Delete kept fetches older than any window may reach (a day)."""
    result = session.execute(
        delete(FeedFetchRow).where(
            FeedFetchRow.fetched_at < now - timedelta(seconds=MAX_WINDOW_SECONDS)
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
