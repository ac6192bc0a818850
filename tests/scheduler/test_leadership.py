"""One active scheduler per database, on SQLite (lease row) and PostgreSQL (advisory lock)."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from scheduler.leadership import Leadership


def test_second_scheduler_stands_by_until_the_first_releases(engine: Engine) -> None:
    first = Leadership(engine, ttl_seconds=30)
    second = Leadership(engine, ttl_seconds=30)
    second.holder = "other-host:1"
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.renew()
    first.release()
    assert second.try_acquire()
    second.release()


def test_standby_takes_over_when_the_leader_stops_renewing(engine: Engine) -> None:
    leader = Leadership(engine, ttl_seconds=1.5)
    standby = Leadership(engine, ttl_seconds=1.5)
    standby.holder = "standby:2"
    assert leader.try_acquire()
    if engine.dialect.name == "postgresql":
        assert leader._conn is not None
        leader._conn.close()  # the leader's process died: its session (and lock) is gone
    stop = threading.Event()
    announced: list[str] = []
    assert standby.wait_for_leadership(stop, on_standby=lambda: announced.append("standby"))
    if engine.dialect.name == "sqlite":
        assert announced == ["standby"]  # waited for the lease to expire
        assert not leader.renew()  # the old leader learns it lost
    standby.release()


def test_waiting_stops_on_request(sqlite_engine: Engine) -> None:
    holder = Leadership(sqlite_engine, ttl_seconds=60)
    assert holder.try_acquire()
    other = Leadership(sqlite_engine, ttl_seconds=60)
    other.holder = "x:1"
    stop = threading.Event()
    stop.set()
    assert not other.wait_for_leadership(stop)
