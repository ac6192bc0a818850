"""The scheduler on its own for three simulated days against the advancing sample web.

The daemon reads the time from a file that the test steps by hand (``--clock file:PATH``): at
each step the test moves the sample web to the day that moment belongs to (days change at
02:00 local time), writes the new time, and waits until every job has run at that moment, as
recorded in ``crawl_runs``. Nothing races the wall clock, so a busy machine only makes the test
slower. In the middle of day 2 the scheduler is killed with SIGKILL while a poll is running,
and started again. The test then checks that four digests were sent, once each, each with the
coverage first seen on its day, and that nothing was lost or stored twice.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from crawler.storage.db import make_engine, session_scope
from crawler.storage.digests import get_digest
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.models import SourceRow
from crawler.storage.runs import recent_runs
from sampleweb import SampleWeb
from scheduler.demo import _SmtpSink, demo_config_text

DAYS = ("2026-11-10", "2026-11-11", "2026-11-12")
TZ = ZoneInfo("Europe/Vienna")
#: The moments the test steps through, as (day of November 2026, local hour): on each day
#: a morning step after the digest's send time (08:00: yesterday's digest goes out, the day's
#: news is found), and an evening step (late finds, the daily harvest of older posts).
STEPS = [
    (10, 9), (10, 18),
    (11, 9), (11, 13), (11, 18),
    (12, 9), (12, 18),
    (13, 9),
]  # fmt: skip
KILL_AT = (11, 13)  # mid-day 2, while a poll runs
#: Jobs that must have run at a moment before the test steps on (the clean-up is hourly).
STEP_JOBS = ("poll", "crawl", "harvest", "verify", "recheck", "digest")
FAST_JOBS = """
poll_every_seconds = 1
crawl_every_seconds = 1
harvest_every_seconds = 1
verify_every_seconds = 1
recheck_every_seconds = 1
digest_every_seconds = 1
cleanup_every_seconds = 30
lease_seconds = 2
stop_grace_seconds = 5
crawl_time_limit_seconds = 120
"""
#: How long one step may take at most on a loaded machine (a guard against a hang, not a
#: timing assumption: a step normally takes a few seconds).
STEP_LIMIT = 240.0


def _moment(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=TZ).astimezone(UTC)


def _world_day(now: datetime) -> int:
    local = (now - timedelta(hours=2)).astimezone(TZ)  # days change at 02:00 local
    return (local.date() - date(2026, 11, 10)).days + 1


@pytest.fixture
def world() -> Iterator[SampleWeb]:
    web = SampleWeb(scale="small", day=1)
    web.start(0)
    yield web
    web.stop()


def _daemon(config: Path, clock_file: Path, log: Path) -> subprocess.Popen[bytes]:
    """The scheduler as a real process; its log goes to a file (a pipe nobody reads while
    it runs would fill up and block it)."""
    exe = Path(sys.executable).with_name("mediamon")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(exe), "--config", str(config), "run", "--clock", f"file:{clock_file}"],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def _set_clock(path: Path, moment: datetime) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(moment.isoformat(), encoding="utf-8")
    os.replace(tmp, path)


def _wait_for(done: Callable[[], bool], what: str, alive: Callable[[], None]) -> None:
    """Wait for an event recorded in the database, checking the daemon is still alive."""
    pause = threading.Event()
    waited = 0.0
    while not done():
        alive()
        assert waited < STEP_LIMIT, f"gave up waiting for {what}"
        pause.wait(0.5)  # the sample web serves from this process: leave it the CPU
        waited += 0.5


def _runs(engine: Engine) -> list[tuple[int, str, datetime, bool]]:
    """(id, job, started at, finished) of the recent runs."""
    out = []
    with session_scope(engine) as session:
        for run in recent_runs(session, 300):
            at = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
            out.append((run.id, run.job, at, run.finished_at is not None))
    return out


def _last_id(engine: Engine) -> int:
    return max((run_id for run_id, *_ in _runs(engine)), default=0)


def _running_before(engine: Engine, moment: datetime) -> bool:
    """A run that believes it is earlier than ``moment`` is still running."""
    return any(at < moment and not done for _, _, at, done in _runs(engine))


def _done_since(engine: Engine, after_id: int) -> set[str]:
    """Jobs with a finished run that started after run ``after_id``."""
    return {job for run_id, job, _, done in _runs(engine) if run_id > after_id and done}


def _started_since(engine: Engine, after_id: int) -> set[str]:
    return {job for run_id, job, _, _ in _runs(engine) if run_id > after_id}


@pytest.mark.long(minutes=2)
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_three_days_unattended_with_a_sigkill(tmp_path: Path, world: SampleWeb) -> None:
    sink = _SmtpSink()
    config = tmp_path / "mediamon.toml"
    text = demo_config_text(world, sink.port, scheduler=FAST_JOBS)
    # A busy machine makes pages slow, not absent: no fetch may time out in this test.
    assert "\ntimeout = 10\n" in text
    text = text.replace("\ntimeout = 10\n", "\ntimeout = 120\n")
    config.write_text(text, encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'mediamon.db'}")
    upgrade(engine)
    tz = ZoneInfo(world.truth()["organisation"].get("timezone", "Europe/Vienna"))
    assert tz.key == TZ.key
    clock_file = tmp_path / "clock.txt"
    _set_clock(clock_file, _moment(*STEPS[0]))
    log_file = tmp_path / "scheduler.log"
    daemon = _daemon(config, clock_file, log_file)

    def alive() -> None:
        assert daemon.poll() is None, log_file.read_text(errors="replace")[-3000:]

    try:
        for step in STEPS:
            moment = _moment(*step)
            # The new moment first; then the world changes only once no run that believes
            # it is earlier is still running (it would stamp the old time on the new day);
            # then every job runs again, and is waited for, against the new world.
            _set_clock(clock_file, moment)
            _wait_for(
                lambda at=moment: not _running_before(engine, at), f"runs before {step}", alive
            )
            day = min(3, _world_day(moment))
            if day != world.day:
                world.set_day(day)
                _feeds_announce_the_day(engine, alive)
            mark = _last_id(engine)
            if step == KILL_AT:
                # Kill it without a chance to clean up while a poll of this moment runs,
                # then start it again.
                _wait_for(lambda m=mark: "poll" in _started_since(engine, m), "a poll", alive)
                os.kill(daemon.pid, signal.SIGKILL)
                daemon.wait(timeout=60)
                daemon = _daemon(config, clock_file, log_file)
            _wait_for(
                lambda m=mark: set(STEP_JOBS) <= _done_since(engine, m),
                f"the jobs at {step}",
                alive,
            )
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        finally:
            if daemon.poll() is None:
                daemon.kill()
        sink.stop()
    log = log_file.read_text(errors="replace")

    digests = _digests_by_day(sink.messages)
    # The first morning sends the (empty) digest of the day before the world began.
    assert sorted(digests) == ["2026-11-09", *DAYS], log[-3000:]
    assert all(count == 1 for count in Counter(_days(sink.messages)).values()), "sent twice"

    truth = world.truth()
    org = truth["organisation"]["name"]
    with session_scope(engine) as session:
        mentions = list_mentions(session, org, statuses=())
        for day in DAYS:
            record = get_digest(session, org, date.fromisoformat(day))
            assert record is not None
            assert record.state == "sent"
    runs = _runs(engine)  # for the messages below
    engine.dispose()

    found_by_day: dict[str, list[str]] = {}
    for m in mentions:
        local_day = m.first_seen_at.astimezone(tz).date().isoformat()
        found_by_day.setdefault(local_day, []).append(m.url)
    keys = [f"{m.kind.value} {m.url} {m.target}" for m in mentions]
    assert len(keys) == len(set(keys)), "a mention was stored twice"
    found_urls = {m.url for m in mentions}
    for day_no, day in enumerate(DAYS, start=1):
        # Everything the world published that day was found that day, except comments
        # and pings on older posts, which are harvested less often (they may arrive a day
        # late and show as late arrivals: by design, old posts are checked daily).
        quick = _quick_items(truth, day_no)
        missing = [url for url in quick if url not in found_by_day.get(day, [])]
        assert not missing, _missed(day, missing, mentions, runs, log)
        got = len(found_by_day.get(day, []))
        body = _text_part(digests[day])
        reported = re.search(r"^(\d+) new", body, re.MULTILINE)
        assert reported is not None, body[:500]
        # The digest counts the day's finds that were live when it was sent.
        assert len(quick) <= int(reported.group(1)) <= got, body[:500]
    # Nothing of the first two days was lost across the SIGKILL.
    early = [url for day_no in (1, 2) for url in _all_items(truth, day_no)]
    assert not [url for url in early if url not in found_urls]


def _days(messages: list[bytes]) -> list[str]:
    return [str(message_from_bytes(raw)["X-Mediamon-Day"] or "") for raw in messages]


def _digests_by_day(messages: list[bytes]) -> dict[str, Message]:
    out: dict[str, Message] = {}
    for raw in messages:
        message = message_from_bytes(raw)
        out[str(message["X-Mediamon-Day"] or message["Subject"])] = message
    return out


def _text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload: Any = part.get_payload(decode=True)
            return bytes(payload).decode("utf-8", "replace")
    return ""


def _feeds_announce_the_day(engine: Engine, alive: Callable[[], None]) -> None:
    """Every feed is due once the new day is out, as if a WebSub hub announced it.

    The clock moves first and the world changes only when no earlier run is left (an earlier
    run would stamp the new day with the old time), so a poll of the new moment can read a
    feed in the instant before the world changes; by that feed's own rhythm (the sample press
    feeds publish every 17-19 hours) it would then not be read again that day, and a CI run
    missed a day-2 article so. The polls that may have read the old day finish first."""
    changed = _last_id(engine)
    _wait_for(
        lambda: not any(run_id <= changed and not done for run_id, _, _, done in _runs(engine)),
        "the runs that may have read the old day",
        alive,
    )
    with session_scope(engine) as session:
        session.execute(update(SourceRow).values(next_check_at=None))


def _missed(
    day: str,
    missing: list[str],
    mentions: list[Any],
    runs: list[tuple[int, str, datetime, bool]],
    log: str,
) -> str:
    """What a failed day check needs to be understood: when (if ever) the missing finds were
    found and how, every run of the test with the moment it believed it was, the log's end."""
    when = {
        m.url: f"{m.first_seen_at.astimezone(TZ):%d %H:%M} via {m.found_via.value}"
        for m in mentions
        if m.url in missing
    }
    history = " ".join(
        f"{run_id}:{job}@{at.astimezone(TZ):%d/%H:%M}{'' if done else '(open)'}"
        for run_id, job, at, done in sorted(runs)
    )
    return (
        f"day {day}: not found that day: {missing}; found later: {when}\n"
        f"runs: {history}\nlog:\n{log[-4000:]}"
    )


def _quick_items(truth: dict[str, Any], day: int) -> list[str]:
    """Press and blog mentions of ``day`` (found by the poll, which runs every few minutes)."""
    return [item["url"] for item in truth["mentions"] if item["day"] == day]


def _all_items(truth: dict[str, Any], day: int) -> list[str]:
    """Every find of ``day``, as the URL mediamon stores it."""
    mentioned = {item["url"] for item in truth["mentions"]}
    urls = _quick_items(truth, day)
    for item in truth["linkbacks"]:
        if item["day"] != day or (item["kind"] == "link" and item["source"] in mentioned):
            continue
        urls.append(item["source"])
    return urls
