"""The scheduler on its own for three simulated days against the advancing sample web.

A scaled clock runs a simulated day in about 30 seconds. The test advances the sample web's
day at 02:00 local time (the daemon's clock trails the test's by the start-up time, so the
margin keeps both on the same day), kills the scheduler with SIGKILL in the middle of day 2
and starts it again, and then checks that three digests were sent, once each, each with the
coverage first seen on its day, and that nothing was lost or stored twice.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawler.sampleweb import SampleWeb
from crawler.storage.db import make_engine, session_scope
from crawler.storage.digests import get_digest
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from scheduler.clock import ScaledClock
from scheduler.demo import _SmtpSink, demo_config_text

DAYS = ("2026-11-10", "2026-11-11", "2026-11-12")
SPEED = 2880.0  # one simulated day in 30 s
START = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)  # day 1, 09:00 in Vienna
FAST_JOBS = """
poll_every_seconds = 1
crawl_every_seconds = 2
harvest_every_seconds = 2
verify_every_seconds = 2
recheck_every_seconds = 3
digest_every_seconds = 1
cleanup_every_seconds = 30
lease_seconds = 2
stop_grace_seconds = 5
crawl_time_limit_seconds = 60
"""


def _world_day(now: datetime, tz: ZoneInfo) -> int:
    local = (now - timedelta(hours=2)).astimezone(tz)  # days change at 02:00 local
    return (local.date() - date(2026, 11, 10)).days + 1


@pytest.fixture
def world() -> Iterator[SampleWeb]:
    web = SampleWeb(scale="small", day=1)
    web.start(0)
    yield web
    web.stop()


def _daemon(config: Path, clock: str, log: Path) -> subprocess.Popen[bytes]:
    """The scheduler as a real process; its log goes to a file (a pipe nobody reads while
    it runs would fill up and block it)."""
    exe = Path(sys.executable).with_name("mediamon")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(exe), "--config", str(config), "run", "--clock", clock],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_three_days_unattended_with_a_sigkill(tmp_path: Path, world: SampleWeb) -> None:
    sink = _SmtpSink()
    config = tmp_path / "mediamon.toml"
    config.write_text(demo_config_text(world, sink.port, scheduler=FAST_JOBS), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'mediamon.db'}")
    upgrade(engine)
    tz = ZoneInfo(world.truth()["organisation"].get("timezone", "Europe/Vienna"))
    spec = f"{START.isoformat()}x{SPEED:g}"
    clock = ScaledClock.parse(spec)
    stop = threading.Event()

    def advance() -> None:
        while not stop.wait(0.2):
            day = min(3, _world_day(clock.now(), tz))
            if day != world.day:
                world.set_day(day)

    stepper = threading.Thread(target=advance, daemon=True)
    stepper.start()
    log_file = tmp_path / "scheduler.log"
    daemon = _daemon(config, spec, log_file)
    try:
        # Mid-day 2: kill it without a chance to clean up, then start it again.
        _sleep_until(clock, START + timedelta(days=1, hours=7))
        assert daemon.poll() is None, log_file.read_text()[-3000:]
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait(timeout=10)
        daemon = _daemon(config, spec, log_file)
        # The day-3 digest goes out at 08:00 on day 4.
        deadline = time.monotonic() + 200
        while time.monotonic() < deadline and len(sink.messages) < len(DAYS) + 1:
            assert daemon.poll() is None, log_file.read_text()[-3000:]
            time.sleep(0.5)
        _sleep_until(clock, clock.now() + timedelta(hours=3))  # would a 4th/duplicate come?
    finally:
        stop.set()
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
        assert not missing, f"day {day}: not found that day: {missing}"
        got = len(found_by_day.get(day, []))
        body = _text_part(digests[day])
        reported = re.search(r"^(\d+) new", body, re.MULTILINE)
        assert reported is not None, body[:500]
        # The digest counts the day's finds that were live when it was sent.
        assert len(quick) <= int(reported.group(1)) <= got, body[:500]
    # Nothing of the first two days was lost across the SIGKILL.
    early = [url for day_no in (1, 2) for url in _all_items(truth, day_no)]
    assert not [url for url in early if url not in found_urls]


def _sleep_until(clock: ScaledClock, moment: datetime) -> None:
    while clock.now() < moment:
        time.sleep(0.2)


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
