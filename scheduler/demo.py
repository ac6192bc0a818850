"""`mediamon demo`: the whole cycle, offline, on the bundled sample web.

It starts the sample web in this process, writes a config that monitors it (SQLite, pacing
off because every host is local), migrates the database, runs every scheduled job once
through the real scheduler path (crawls in child processes), writes the digest, optionally
sends it to a local SMTP sink, and compares what was found with the sample web's ground
truth, kind by kind.
"""

from __future__ import annotations

import importlib
import secrets
import shutil
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any, Protocol

from crawler.config import Config, load_config
from crawler.domain import MentionKind
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.users import Role, add_user, set_password
from scheduler.clock import SystemClock
from scheduler.daemon import run_once
from scheduler.jobs import all_jobs
from scheduler.runtime import Runtime

#: The sample web is its own package, shipped beside the product; the product never imports
#: it, the demo loads it by name.
SAMPLE_WEB = "sampleweb"


class SampleWeb(Protocol):
    """What the demo uses of ``sampleweb.SampleWeb``."""

    day: int

    def start(self, port: int = 0) -> int: ...

    def stop(self) -> None: ...

    def truth(self, day: int | None = None) -> dict[str, Any]: ...

    def write_config(self, path: str | Path, *, include_trouble: bool = False) -> None: ...


def load_sample_web(scale: str = "small", day: int = 1) -> SampleWeb:
    """A new, not yet started sample web (``sampleweb.SampleWeb``)."""
    module = importlib.import_module(SAMPLE_WEB)
    web: SampleWeb = module.SampleWeb(scale=scale, day=day)
    return web


DEMO_CRAWL = """download_delay = 0
concurrent_per_host = 8
timeout = 10
"""


@dataclass
class DemoResult:
    directory: Path
    config_path: Path
    digest_html: Path
    day: date
    found: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    jobs: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    sent_to: list[str] = field(default_factory=list)
    send_message: str = ""
    web_user: str = ""
    web_password: str = ""


def demo_config_text(
    web: SampleWeb, smtp_port: int | None, *, scheduler: str = "crawl_time_limit_seconds = 120\n"
) -> str:
    """The sample web's own config, with pacing off (local hosts) and the SMTP sink's port."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.toml"
        web.write_config(path)
        text = path.read_text(encoding="utf-8")
    text = text.replace("[crawl]\n", "[crawl]\n" + DEMO_CRAWL, 1)
    if smtp_port is not None:
        text = text.replace("port = 2525", f"port = {smtp_port}", 1)
    return text + "\n[scheduler]\n" + scheduler


def expected_by_kind(truth: dict[str, Any], day: int) -> Counter[str]:
    """What the ground truth says a complete run finds by ``day``, by kind."""
    counts: Counter[str] = Counter()
    mentioned = {item["url"] for item in truth.get("mentions", [])}
    for item in truth.get("mentions", []):
        if item.get("day", 1) <= day:
            counts[item["kind"]] += 1
    for item in truth.get("linkbacks", []):
        removed = item.get("removed_on_day")
        if item.get("day", 1) > day or (removed is not None and removed <= day):
            continue
        if item["kind"] == "link" and item["source"] in mentioned:
            continue  # a press or blog mention that links to us is one item, with its target
        counts[item["kind"]] += 1
    return counts


#: What a demo writes into its directory: a directory holding only these is a previous demo,
#: which a new one resets (anything else there, and the demo refuses to touch it).
DEMO_FILES = (
    "mediamon.toml",
    "mediamon.db",
    "mediamon.db-journal",
    "mediamon.db-wal",
    "mediamon.db-shm",
    "digest",
)


class DemoDirectoryInUse(ValueError):
    """``demo --dir`` names a directory with files a demo did not write."""


def prepare_directory(directory: Path) -> bool:
    """Make ``directory`` ready for a fresh demo; returns True when a previous demo there was
    reset. The sample web gets a new port on every run, and the port is part of every URL it
    serves, so a demo run on top of an old one would count everything again and fetch the old
    port's dead URLs: a second `demo --dir DIR` starts from nothing instead (#18)."""
    if not directory.exists():
        directory.mkdir(parents=True)
        return False
    present = {p.name for p in directory.iterdir()}
    if not present:
        return False
    foreign = sorted(present - set(DEMO_FILES))
    if foreign or "mediamon.toml" not in present:
        shown = ", ".join(foreign[:3]) or ", ".join(sorted(present)[:3])
        raise DemoDirectoryInUse(
            f"{directory} is not empty and not a previous demo ({shown}): "
            "give `demo --dir` a new or empty directory"
        )
    for name in present:
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return True


def run_demo(directory: Path, *, send: bool = False) -> DemoResult:
    if not directory.exists():
        directory.mkdir(parents=True)
    config_path = directory / "mediamon.toml"
    web = load_sample_web(scale="small", day=1)
    web.start(0)
    sink = _SmtpSink() if send else None
    try:
        config_path.write_text(demo_config_text(web, sink.port if sink else None), encoding="utf-8")
        config = load_config(config_path)
        db_url = f"sqlite:///{directory / 'mediamon.db'}"
        engine = make_engine(db_url)
        upgrade(engine)
        clock = SystemClock()
        rt = Runtime(config, db_url, engine, clock)
        jobs = [j for j in all_jobs() if j.id not in ("digest", "cleanup")]
        results = run_once(rt, jobs)
        now = clock.now()
        day = now.astimezone(config.organisation.tz).date()
        html = _write_digest(config, engine, day, now, directory / "digest")
        result = DemoResult(directory, config_path, html, day, jobs=results)
        result.web_user, result.web_password = ensure_demo_user(
            engine, config.organisation.name, now
        )
        with session_scope(engine) as session:
            found = list_mentions(session, config.organisation.name)
        result.found = Counter(m.kind.value for m in found)
        result.expected = expected_by_kind(web.truth(), web.day)
        if sink is not None:
            result.send_message, result.sent_to = _send(config, engine, day, sink)
        engine.dispose()
        return result
    finally:
        if sink is not None:
            sink.stop()
        web.stop()


DEMO_USER = "demo"


def ensure_demo_user(engine: Any, org: str, now: datetime) -> tuple[str, str]:
    """An editor for ``mediamon web`` on the demo database, with a fresh random password
    (made anew when the demo runs again in the same folder)."""
    password = secrets.token_urlsafe(12)
    with session_scope(engine) as session:
        if not set_password(session, DEMO_USER, password):
            add_user(session, DEMO_USER, password, Role.EDITOR, [org], now)
    return DEMO_USER, password


def _write_digest(config: Config, engine: Any, day: date, now: datetime, out: Path) -> Path:
    from reports.send import write_preview

    files = write_preview(config, engine, day, now, out)
    return files.html


def _send(config: Config, engine: Any, day: date, sink: _SmtpSink) -> tuple[str, list[str]]:
    """Send the day's digest as the scheduler would the next morning."""
    from reports.send import send_digest

    tz = config.organisation.tz
    morning = datetime.combine(day + timedelta(days=1), time(8, 5), tzinfo=tz)
    outcome = send_digest(config, engine, day, morning)
    subjects = [str(message_from_bytes(raw)["Subject"]) for raw in sink.messages]
    return outcome.message, subjects


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _SmtpSink:
    """A local SMTP server (aiosmtpd) that keeps what it receives, for `demo --send`."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(bytes(envelope.content))
                return "250 OK"

        self.messages: list[bytes] = []
        self.port = _free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def summary_rows(result: DemoResult) -> list[tuple[str, int, int]]:
    kinds = [k.value for k in MentionKind]
    return [(k, result.found.get(k, 0), result.expected.get(k, 0)) for k in kinds]
