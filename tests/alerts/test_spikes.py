"""Spike alerts: a generated burst alerts once, with its numbers; a quiet period never does.

Clocks are driven by hand: finds are stored at chosen times, the sender runs at chosen times.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from crawler.config import Config, parse_config
from crawler.domain import Mention
from crawler.storage.spikes import FindTime
from reports.alerts import spikes
from reports.alerts.sender import send_due
from tests.alerts.sink import Sink
from tests.alerts.test_outbox import find, store

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
W = timedelta(hours=3)


def config(sink: Sink) -> Config:
    return parse_config(
        {
            "organisation": {"name": "Orbis"},
            "queries": [{"name": "org", "query": '"Orbis Union"'}],
            "alerts": [{"name": "spikes", "urls": [sink.url], "spike": True}],
        },
        env={},
    )


def at_site(m: Mention, site: str) -> Mention:
    return replace(m, document=replace(m.document, site=site))


def baseline(engine: Engine, per_day: int = 4) -> int:
    """``per_day`` finds in the same 3 hours of each of the 28 previous days."""
    n = 0
    for day in range(1, 29):
        when = NOW - timedelta(days=day, hours=1)
        store(engine, [find(n + i) for i in range(per_day)], when)
        n += per_day
    return n


def test_model_threshold_and_floor() -> None:
    assert spikes.threshold([4] * 28, floor=10, mads=5) == (4.0, 10.0)
    median, limit = spikes.threshold([0] * 28, floor=10, mads=5)
    assert (median, limit) == (0.0, 10.0)
    median, limit = spikes.threshold([20, 30] * 14, floor=10, mads=5)
    assert median == 25.0
    assert limit == 25.0 + 5 * 1.4826 * 5
    finds = [FindTime(NOW - timedelta(minutes=i + 1), ("org",), f"s{i % 2}") for i in range(12)]
    result = spikes.check("org", finds, NOW, window=W, days=28, floor=10, mads=5)
    assert result.is_spike
    assert result.count == 12
    assert result.top_sources == (("s0", 6), ("s1", 6))
    assert not spikes.check("other", finds, NOW, window=W, days=28, floor=10, mads=5).is_spike


def test_burst_alerts_once_with_numbers_and_sources(engine: Engine, sink: Sink) -> None:
    cfg = config(sink)
    n = baseline(engine)
    burst = [at_site(find(n + i), f"site{i % 3}.example") for i in range(42)]
    store(engine, burst, NOW - timedelta(hours=1))
    assert send_due(cfg, engine, NOW).spikes == 1
    assert sink.titles() == ["mediamon spikes: spike for 'org'"]
    message = str(sink.received[0].body["message"])
    assert "42 finds for 'org' in the last 3 h, usually 4" in message
    assert "site0.example (14)" in message
    # Still spiking, more finds: the same spike, no second alert.
    store(engine, [find(n + 100 + i) for i in range(20)], NOW + timedelta(minutes=20))
    send_due(cfg, engine, NOW + timedelta(minutes=30))
    send_due(cfg, engine, NOW + timedelta(hours=1))
    assert len(sink.received) == 1
    # The burst leaves the window: the spike ends, nothing is sent.
    assert send_due(cfg, engine, NOW + timedelta(hours=6)).spikes == 0
    assert len(sink.received) == 1


def test_quiet_period_never_alerts(engine: Engine, sink: Sink) -> None:
    cfg = config(sink)
    n = baseline(engine)
    for hour in range(0, 24, 3):
        when = NOW + timedelta(hours=hour)
        store(engine, [find(n + hour * 10 + i) for i in range(5)], when - timedelta(hours=1))
        assert send_due(cfg, engine, when).spikes == 0
    assert sink.received == []
