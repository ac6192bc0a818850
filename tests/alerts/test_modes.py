"""Batch rules and quiet hours: held finds go out as one message, each find once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from crawler.config import Config, parse_config
from reports.alerts.sender import send_due
from tests.alerts.sink import Sink
from tests.alerts.test_outbox import deliveries, find, store

# 09:30 UTC is 10:30 in Zurich (winter time).
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def config(sink: Sink, **rule: Any) -> Config:
    return parse_config(
        {
            "organisation": {"name": "Orbis", "timezone": "Europe/Zurich"},
            "queries": [{"name": "org", "query": '"Orbis Union"'}],
            "alerts": [{"name": "r", "urls": [sink.url], **rule}],
        },
        env={},
    )


def test_batch_mode_sends_one_message_per_interval(engine: Engine, sink: Sink) -> None:
    cfg = config(sink, mode="batch", interval="15m")
    store(engine, [find(i) for i in range(3)])
    send_due(cfg, engine, NOW)
    assert sink.titles() == ["mediamon r: 3 new finds"]
    assert sink.received[0].body["message"].count("Orbis Union story") == 3
    store(engine, [find(3)], NOW + timedelta(minutes=5))
    send_due(cfg, engine, NOW + timedelta(minutes=5))  # the interval is not up
    assert len(sink.received) == 1
    send_due(cfg, engine, NOW + timedelta(minutes=15))
    assert sink.titles()[1] == "mediamon r: 1 new find"
    send_due(cfg, engine, NOW + timedelta(minutes=45))
    assert len(sink.received) == 2
    assert deliveries(engine) == {"summarised": 4, "sent": 2}


def test_quiet_hours_hold_then_one_batch(engine: Engine, sink: Sink) -> None:
    cfg = config(sink, quiet_hours="22:00-07:00")
    night = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)  # 23:00 in Zurich
    store(engine, [find(i) for i in range(4)], night)
    send_due(cfg, engine, night)
    send_due(cfg, engine, night + timedelta(hours=5))  # 04:00 local: still quiet
    assert sink.received == []
    morning = datetime(2026, 11, 3, 6, 5, tzinfo=UTC)  # 07:05 local
    store(engine, [find(10)], morning)
    send_due(cfg, engine, morning)
    assert sorted(sink.titles()) == ["[press] Orbis Union story 10", "mediamon r: 4 new finds"]
    send_due(cfg, engine, morning + timedelta(minutes=1))
    assert len(sink.received) == 2
