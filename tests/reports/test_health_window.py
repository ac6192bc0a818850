"""The health footer counts only what happened in the digest's day, bounded on both sides
(#18): a day before monitoring began says "monitoring started on D", a day with no checks
says so, a day still to come says so, and a check made after the day never counts for it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.models import SourceRow
from reports.gather import load_digest_input
from reports.model import HealthView
from reports.view import build_digest
from tests.reports.sample import DAY, NOW, ORG, TZ, at, seed


def health(engine: Engine, day: date, now: datetime) -> HealthView:
    with session_scope(engine) as session:
        data = load_digest_input(session, ORG, TZ, day, now)
    return build_digest(data).health


def test_the_footer_is_right_before_during_and_after_monitoring(engine: Engine) -> None:
    seed(engine)  # first run: 1 Nov 14:00 (Zurich); sources checked on 2 Nov
    before = health(engine, date(2026, 10, 20), NOW)
    assert before.note == "monitoring started on 1 Nov 2026"
    assert before.sources_checked == 0
    assert before.line.startswith("monitoring started on 1 Nov 2026")

    during = health(engine, DAY, NOW)
    assert during.note == ""
    assert during.sources_checked == 5
    assert during.line.startswith(f"5 of {during.sources_total} sources checked")

    quiet = health(engine, DAY + timedelta(days=1), NOW + timedelta(days=1))
    assert quiet.note == "no source was checked on this day"
    assert quiet.sources_checked == 0

    future = health(engine, DAY + timedelta(days=30), NOW)
    assert future.note == "this day has not happened yet"
    assert future.errors == 0


def test_a_check_after_the_day_does_not_count_for_it(engine: Engine) -> None:
    seed(engine)
    with session_scope(engine) as session:  # checked again the next morning
        session.execute(
            update(SourceRow)
            .where(SourceRow.name == "Daily Planet")
            .values(checked_at=at(9, 0, DAY + timedelta(days=1)), events=[])
        )
    assert health(engine, DAY, NOW + timedelta(days=1)).sources_checked == 4
    # ... but a fetch event kept from the day itself does.
    with session_scope(engine) as session:
        session.execute(
            update(SourceRow)
            .where(SourceRow.name == "Daily Planet")
            .values(events=[{"at": at(10, 0).isoformat(), "status": "HTTP 200"}])
        )
    assert health(engine, DAY, NOW + timedelta(days=1)).sources_checked == 5


def test_a_day_before_any_run_says_monitoring_has_not_started(engine: Engine) -> None:
    with session_scope(engine) as session:
        data = load_digest_input(session, ORG, TZ, DAY, NOW)
    view = build_digest(data)
    assert view.health.note == "not monitored yet"
    assert view.empty_line == "No new coverage; not monitored yet, 0 errors"
