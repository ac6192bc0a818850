"""The outbox end to end on both databases: a find stored -> one message on a real webhook.

Each test drives the clock by hand and talks to a real local HTTP server through Apprise.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from crawler.config import Config, parse_config
from crawler.domain import Document, FoundVia, Mention, MentionKind, MentionStatus
from crawler.storage.db import session_scope
from crawler.storage.mentions import list_mentions, record_mentions, set_mention_status
from crawler.storage.models import AlertDeliveryRow, AlertEventRow
from crawler.storage.outbox import prune_outbox
from reports.alerts.sender import SendStats, expand, send_due
from tests.alerts.sink import Sink

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def config(urls: list[str], **alerting: Any) -> Config:
    return parse_config(
        {
            "organisation": {"name": "Orbis"},
            "queries": [{"name": "org", "query": '"Orbis Union"'}],
            "alerts": [{"name": "press", "urls": urls, "queries": ["org"]}],
            # a generous channel timeout: a loaded machine must not turn the sink's answer (a
            # 429 the test scripted) into a timeout; the timeout test sets its own
            "alerting": {"backoff_seconds": 30, "timeout_seconds": 30, **alerting},
        },
        env={},
    )


def find(
    n: int, *, published: datetime | None = None, queries: tuple[str, ...] = ("org",)
) -> Mention:
    doc = Document(
        canonical_url=f"https://news.example/a/{n}/",
        url=f"https://news.example/a/{n}",
        title=f"Orbis Union story {n}",
        site="news.example",
        text="Orbis Union said things.",
        published_at=published,
    )
    return Mention(
        org="Orbis", document=doc, kind=MentionKind.PRESS, found_via=FoundVia.FEED, queries=queries
    )


def store(engine: Engine, mentions: list[Mention], now: datetime = NOW, **kw: Any) -> None:
    with session_scope(engine) as s:
        record_mentions(s, mentions, now, **kw)


def deliveries(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        rows = s.execute(
            select(AlertDeliveryRow.state, func.count()).group_by(AlertDeliveryRow.state)
        ).all()
    return {state: int(n) for state, n in rows}


def test_event_written_only_for_new_mentions(engine: Engine) -> None:
    store(engine, [find(1), find(2)])
    store(engine, [find(1), find(2), find(3)], NOW + timedelta(hours=1))
    with session_scope(engine) as s:
        events = s.execute(select(AlertEventRow.mention_id, AlertEventRow.created_at)).all()
    assert len(events) == 3
    assert sorted(t for _, t in events) == [NOW, NOW, NOW + timedelta(hours=1)]


def test_each_find_sent_once_across_passes(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url])
    store(engine, [find(1), find(2), find(3, queries=())])
    stats = send_due(cfg, engine, NOW)
    assert stats.sent == 2
    store(engine, [find(1), find(2), find(4)], NOW + timedelta(minutes=5))
    send_due(cfg, engine, NOW + timedelta(minutes=5))
    send_due(cfg, engine, NOW + timedelta(minutes=6))
    assert sorted(sink.titles()) == [
        "[press] Orbis Union story 1",
        "[press] Orbis Union story 2",
        "[press] Orbis Union story 4",
    ]
    assert len(set(sink.idempotency_keys())) == 3
    assert all(k.startswith("mediamon-") for k in sink.idempotency_keys())
    assert {r.body["delivery"] for r in sink.received} == set(sink.idempotency_keys())
    assert deliveries(engine) == {"sent": 3}


def test_500_is_retried_with_backoff_then_sent_once(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url])
    sink.script.extend([(500, {}), (500, {})])
    store(engine, [find(1)])
    assert send_due(cfg, engine, NOW).retrying == 1
    assert send_due(cfg, engine, NOW + timedelta(seconds=29)).retrying == 0  # not due yet
    assert send_due(cfg, engine, NOW + timedelta(seconds=30)).retrying == 1
    assert send_due(cfg, engine, NOW + timedelta(seconds=89)).sent == 0  # 2nd wait is 60 s
    assert send_due(cfg, engine, NOW + timedelta(seconds=90)).sent == 1
    assert len(sink.received) == 1
    assert deliveries(engine) == {"sent": 1}


def test_429_waits_at_least_a_minute(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], backoff_seconds=5)
    sink.script.append((429, {"Retry-After": "60"}))
    store(engine, [find(1)])
    stats = send_due(cfg, engine, NOW)
    assert stats.retrying == 1
    assert "429" in stats.errors[0]
    assert send_due(cfg, engine, NOW + timedelta(seconds=59)).sent == 0
    assert send_due(cfg, engine, NOW + timedelta(seconds=60)).sent == 1
    assert len(sink.received) == 1


def test_timeout_is_retried(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], timeout_seconds=1)
    sink.script.append(("hang", {}))
    store(engine, [find(1)])
    assert send_due(cfg, engine, NOW).retrying == 1
    sink.release.set()
    assert send_due(cfg, engine, NOW + timedelta(seconds=30)).sent == 1
    assert len(sink.received) == 1


def test_failed_after_max_attempts_with_reason(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], max_attempts=2)
    sink.script.extend([(500, {}), (503, {})])
    store(engine, [find(1)])
    send_due(cfg, engine, NOW)
    stats = send_due(cfg, engine, NOW + timedelta(minutes=5))
    assert stats.failed == 1
    with session_scope(engine) as s:
        row = s.scalars(select(AlertDeliveryRow)).one()
    assert row.state == "failed"
    assert row.attempts == 2
    assert "after 2 attempts" in row.last_error
    assert "503" in row.last_error
    assert send_due(cfg, engine, NOW + timedelta(hours=1)).sent == 0
    assert sink.received == []


def test_partial_failure_resends_only_to_the_failed_channel(engine: Engine, sink: Sink) -> None:
    # Two channels on the same sink: the first takes it, the second answers 500 once.
    cfg = config([sink.url, sink.url.replace("/hook", "/other")])
    sink.script.extend([(200, {}), (500, {})])
    store(engine, [find(1)])
    send_due(cfg, engine, NOW)
    send_due(cfg, engine, NOW + timedelta(minutes=1))
    assert len(sink.received) == 2  # once per channel, never twice on the first


def test_spam_and_backfill_are_not_alerted(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url])
    old = NOW - timedelta(hours=49)
    store(engine, [find(1), find(2, published=old), find(3, published=NOW - timedelta(hours=47))])
    store(engine, [find(4)], backfill=True)
    with session_scope(engine) as s:
        [first] = [m for m in list_mentions(s, "Orbis") if m.url.endswith("/1")]
        set_mention_status(s, first.id, MentionStatus.SPAM, NOW)
    send_due(cfg, engine, NOW)
    assert sink.titles() == ["[press] Orbis Union story 3"]


@pytest.mark.slow
def test_flood_gives_one_summary(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], rate_limit_per_hour=20, inbox_url="https://mediamon.example/inbox")
    store(engine, [find(i) for i in range(10_000)])
    stats = send_due(cfg, engine, NOW)
    assert stats.sent == 21
    assert stats.summarised == 9_980
    summaries = [r for r in sink.received if "more" in str(r.body["title"])]
    assert len(summaries) == 1
    assert "and 9980 more" in summaries[0].body["title"]
    assert "https://mediamon.example/inbox" in summaries[0].body["message"]
    # More finds within the hour wait for the next hour: never a second summary now.
    store(engine, [find(i) for i in range(10_000, 10_050)], NOW + timedelta(minutes=10))
    assert send_due(cfg, engine, NOW + timedelta(minutes=10)).sent == 0
    assert len(sink.received) == 21
    later = send_due(cfg, engine, NOW + timedelta(minutes=61))
    assert later.sent == 21  # 20 of the 50 one by one, then one summary of the other 30
    assert len(sink.received) == 42


def test_two_racing_senders_send_once(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], rate_limit_per_hour=1000)
    store(engine, [find(i) for i in range(60)])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(token: str) -> None:
        try:
            start.wait()
            send_due(cfg, engine, NOW, token=token)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sink.received) == 60
    assert len(set(sink.idempotency_keys())) == 60
    assert deliveries(engine) == {"sent": 60}


def test_prune_keeps_failed_and_recent(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url], max_attempts=1)
    sink.script.append((500, {}))
    store(engine, [find(1), find(2)])
    send_due(cfg, engine, NOW)  # one failed, one sent
    store(engine, [find(3)], NOW + timedelta(days=80))
    send_due(cfg, engine, NOW + timedelta(days=80))
    with session_scope(engine) as s:
        pruned = prune_outbox(s, NOW + timedelta(days=91), keep_days=90)
    assert pruned == {"alert_events_deleted": 2, "alert_deliveries_deleted": 1}
    assert deliveries(engine) == {"failed": 1, "sent": 1}


def test_marked_spam_after_queueing_is_skipped(engine: Engine, sink: Sink) -> None:
    cfg = config([sink.url])
    store(engine, [find(1), find(2)])
    expand(cfg, engine, NOW, SendStats())
    assert deliveries(engine) == {"pending": 2}
    with session_scope(engine) as s:
        [first] = [m for m in list_mentions(s, "Orbis") if m.url.endswith("/1")]
        set_mention_status(s, first.id, MentionStatus.SPAM, NOW)
    send_due(cfg, engine, NOW)
    assert sink.titles() == ["[press] Orbis Union story 2"]
    assert deliveries(engine) == {"sent": 1, "skipped": 1}


@pytest.mark.parametrize("scheme", ["json", "form", "xml"])
def test_429_with_retry_after_waits_the_throttled_floor_and_sends_once(
    engine: Engine, sink: Sink, scheme: str
) -> None:
    """Webhook-style channels answering 429 + Retry-After: 300 with ``throttled_seconds``
    set to what the channel asks: no attempt before it, then exactly one delivery."""
    url = sink.url.replace("json://", f"{scheme}://", 1)
    cfg = config([url], backoff_seconds=5, throttled_seconds=300)
    sink.script.append((429, {"Retry-After": "300"}))
    store(engine, [find(1)])
    assert send_due(cfg, engine, NOW).retrying == 1
    assert sink.attempts == 1
    for seconds in (5, 60, 299):
        assert send_due(cfg, engine, NOW + timedelta(seconds=seconds)).sent == 0
    assert sink.attempts == 1, "no attempt before the channel's Retry-After"
    assert send_due(cfg, engine, NOW + timedelta(seconds=300)).sent == 1
    assert send_due(cfg, engine, NOW + timedelta(seconds=900)).sent == 0
    assert (sink.attempts, len(sink.received)) == (2, 1)
    assert deliveries(engine) == {"sent": 1}
