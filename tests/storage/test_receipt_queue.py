"""The receipt queue drains fairly: a flood from one sender delays only that sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from crawler.domain import Protocol
from crawler.storage.db import session_scope
from crawler.storage.models import ReceiptRow
from crawler.storage.receipts import due_receipts, queue_receipt, queued_counts

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
TARGET = "https://blog.example.org/2024/05/first-post/"


def test_ten_thousand_from_one_sender_then_one_genuine(engine: Engine) -> None:
    flood = [
        {
            "protocol": "webmention",
            "source": f"https://s{i}.spam.example.net/p",
            "target": TARGET,
            "received_at": NOW - timedelta(minutes=30) + timedelta(milliseconds=i),
            "state": "queued",
            "attempts": 0,
            "payload": {},
            "next_attempt_at": NOW - timedelta(minutes=30),
            "sender": "example.net",
            "expires_at": NOW + timedelta(hours=48),
        }
        for i in range(10_000)
    ]
    with session_scope(engine) as session:
        session.execute(insert(ReceiptRow), flood)
        genuine = queue_receipt(
            session,
            Protocol.WEBMENTION,
            "https://news.example.org/story",
            TARGET,
            now=NOW,
            sender="example.org",
            expires_at=NOW + timedelta(hours=48),
        )
        other = queue_receipt(
            session,
            Protocol.PINGBACK,
            "https://alice.wordpress.com/p",
            TARGET,
            now=NOW,
            sender="alice.wordpress.com",
        )
    with session_scope(engine) as session:
        batch = due_receipts(session, NOW, limit=200)
        assert len(batch) == 200
        ids = [r.id for r in batch]
        # every sender's oldest comes first, then every sender's second, and so on
        assert genuine.id in ids[:3]
        assert other.id in ids[:3]
        flood_ids = [r.id for r in batch if r.sender == "example.net"]
        assert len(flood_ids) == 198
        received = [r.received_at for r in batch if r.sender == "example.net"]
        assert received == sorted(received)  # oldest first within a sender
        counts = queued_counts(session, TARGET, NOW)
        assert (counts.total, counts.for_target) == (10_002, 10_002)
        assert queued_counts(session, TARGET, NOW + timedelta(hours=49)).total == 1
