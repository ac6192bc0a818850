"""Retention: drop what only matters for a while (run history, settled receipts, feed fetches
kept for other organisations past any window), and give up queued receipts past their
``expires_at``.

Mentions, documents, posts and digests are the product and are never deleted here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crawler.storage.fetches import delete_old_fetches
from crawler.storage.models import CrawlRunRow, ReceiptRow
from crawler.storage.receipts import expire_receipts


def delete_expired(
    session: Session, now: datetime, *, runs_days: int, receipts_days: int
) -> dict[str, int]:
    expired = expire_receipts(session, now)
    runs = session.execute(
        delete(CrawlRunRow).where(
            CrawlRunRow.started_at < now - timedelta(days=runs_days),
            CrawlRunRow.finished_at.is_not(None),
        )
    )
    receipts = session.execute(
        delete(ReceiptRow).where(
            ReceiptRow.received_at < now - timedelta(days=receipts_days),
            ReceiptRow.state != "queued",
        )
    )
    return {
        "crawl_runs_deleted": int(runs.rowcount),  # type: ignore[attr-defined]
        "receipts_deleted": int(receipts.rowcount),  # type: ignore[attr-defined]
        "receipts_expired": expired,
        "feed_fetches_deleted": delete_old_fetches(session, now),
    }
