"""Sending the digest end to end against real SMTP servers (aiosmtpd on loopback): the message
as received, at most once, and every way a send can fail (recorded, retried, never "sent")."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.domain import DigestState
from crawler.storage.db import session_scope
from crawler.storage.digests import DigestRecord, due_retries, get_digest
from reports.send import SendStatus, retry_due_digests, send_digest
from tests.reports.conftest import HOST, PASSWORD, USER, Recorder, SmtpServer, authenticator
from tests.reports.sample import DAY, DAY_START, NOW, ORG, sample_config, sample_toml, seed

DAY_END = DAY_START + timedelta(days=1)

RECIPIENTS = ["comms@orbis.example", "press@orbis.example"]


def config_for(port: int, archive: Path, **smtp: object) -> Config:
    return sample_config(
        env={"MEDIAMON_SMTP_PASSWORD": PASSWORD},
        smtp={"host": HOST, "port": port, "timeout": 5, **smtp},
        digest={"archive_dir": str(archive)},
    )


def record(engine: Engine) -> DigestRecord:
    with session_scope(engine) as s:
        found = get_digest(s, ORG, DAY)
    assert found is not None
    return found


def test_sends_multipart_email_once(
    engine: Engine, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    config = config_for(smtp_server.port, tmp_path / "archive")
    seed(engine, config)
    outcome = send_digest(config, engine, DAY, NOW)
    assert outcome.status is SendStatus.SENT, outcome.message
    [received] = smtp_server.handler.received
    assert received.mail_from == "digest@orbis.example"
    assert received.rcpt_tos == RECIPIENTS
    msg = received.message
    assert msg["Subject"] == "Orbis Union coverage — Mon 2 Nov 2026: 15 new"
    assert msg["From"] == "mediamon <digest@orbis.example>"
    assert msg["To"] == ", ".join(RECIPIENTS)
    assert msg["Date"] == "Tue, 03 Nov 2026 06:00:00 +0000"
    assert msg["List-Unsubscribe"] == "<mailto:digest@orbis.example?subject=unsubscribe>"
    assert msg["Message-ID"].endswith("@orbis.example>")
    assert msg.get_content_type() == "multipart/alternative"
    text_part, html_part = msg.iter_parts()
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    text, html = text_part.get_content(), html_part.get_content()
    assert "LINKBACKS TO OUR POSTS" in text
    assert "Press coverage" in html
    assert "اتحاد أوربيس يدعم المعايير المفتوحة" in html

    stored = record(engine)
    assert stored.state is DigestState.SENT
    assert stored.message_id == msg["Message-ID"] == outcome.message_id
    assert stored.recipients == tuple(RECIPIENTS)
    assert outcome.files is not None
    for path in outcome.files.all():
        assert path.parent == tmp_path / "archive"
        assert path.stem == "2026-11-02"
    assert outcome.files.eml.read_bytes().count(msg["Message-ID"].encode()) == 1
    assert outcome.files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    again = send_digest(config, engine, DAY, NOW + timedelta(hours=1))
    assert again.status is SendStatus.ALREADY_SENT
    assert "nothing sent" in again.message
    assert len(smtp_server.handler.received) == 1


def test_starttls_with_login(
    sqlite_engine: Engine,
    start_smtp: Callable[..., SmtpServer],
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    tmp_path: Path,
) -> None:
    server = start_smtp(
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    config = config_for(server.port, tmp_path, security="starttls", username=USER)
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW, ssl_context=client_tls)
    assert outcome.status is SendStatus.SENT, outcome.message
    assert len(server.handler.received) == 1


def test_implicit_tls(
    sqlite_engine: Engine,
    start_smtp: Callable[..., SmtpServer],
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    tmp_path: Path,
) -> None:
    server = start_smtp(ssl_context=server_tls)
    config = config_for(server.port, tmp_path, security="ssl")
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW, ssl_context=client_tls)
    assert outcome.status is SendStatus.SENT, outcome.message
    assert server.handler.received[0].message["Message-ID"] == outcome.message_id


def test_untrusted_certificate_is_a_clear_failure(
    sqlite_engine: Engine,
    start_smtp: Callable[..., SmtpServer],
    server_tls: ssl.SSLContext,
    tmp_path: Path,
) -> None:
    server = start_smtp(ssl_context=server_tls)
    config = config_for(server.port, tmp_path, security="ssl")
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW)  # system trust store
    assert outcome.status is SendStatus.FAILED
    assert "TLS with SMTP server" in outcome.message
    assert server.handler.received == []


def assert_failed_and_retried_later(engine: Engine, outcome: Any, expect: str) -> None:
    assert outcome.status is SendStatus.FAILED
    assert expect in outcome.message
    assert "will retry after 2026-11-03 06:05 UTC" in outcome.message
    stored = record(engine)
    assert stored.state is DigestState.FAILED
    assert stored.sent_at is None
    assert expect in stored.last_error
    assert stored.next_attempt_at == NOW + timedelta(minutes=5)
    with session_scope(engine) as s:
        assert due_retries(s, NOW + timedelta(minutes=4)) == []
        assert [r.day for r in due_retries(s, NOW + timedelta(minutes=5))] == [DAY]
    not_yet = send_digest(
        config_for(1, Path("/nonexistent")), engine, DAY, NOW + timedelta(minutes=1)
    )
    assert not_yet.status is SendStatus.NOT_DUE


def test_login_refused(
    sqlite_engine: Engine,
    start_smtp: Callable[..., SmtpServer],
    server_tls: ssl.SSLContext,
    client_tls: ssl.SSLContext,
    tmp_path: Path,
) -> None:
    server = start_smtp(tls_context=server_tls, authenticator=authenticator, auth_required=True)
    config = config_for(server.port, tmp_path, security="starttls", username="intruder")
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW, ssl_context=client_tls)
    assert_failed_and_retried_later(sqlite_engine, outcome, "SMTP login refused")
    assert "535" in outcome.message
    assert PASSWORD not in outcome.message
    assert server.handler.received == []
    # Fixed config, later: the scheduler's retry job sends it.
    fixed = config_for(server.port, tmp_path, security="starttls", username=USER)
    [retry] = retry_due_digests(
        fixed, sqlite_engine, NOW + timedelta(minutes=5), ssl_context=client_tls
    )
    assert retry.status is SendStatus.SENT
    assert record(sqlite_engine).attempts == 2
    assert len(server.handler.received) == 1


def test_server_down(engine: Engine, closed_port: int, tmp_path: Path) -> None:
    config = config_for(closed_port, tmp_path)
    seed(engine, config)
    outcome = send_digest(config, engine, DAY, NOW)
    assert_failed_and_retried_later(engine, outcome, "connection refused")
    assert f"{HOST}:{closed_port}" in outcome.message


def test_server_never_answers(sqlite_engine: Engine, silent_server: int, tmp_path: Path) -> None:
    config = config_for(silent_server, tmp_path, timeout=0.5)
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW)
    assert_failed_and_retried_later(sqlite_engine, outcome, "did not answer within 0.5 s")


def test_one_recipient_refused_then_retried_only_for_that_one(
    engine: Engine, start_smtp: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    server = start_smtp(Recorder(refuse={"press@orbis.example"}))
    config = config_for(server.port, tmp_path)
    seed(engine, config)
    outcome = send_digest(config, engine, DAY, NOW)
    assert_failed_and_retried_later(engine, outcome, "press@orbis.example (550 5.1.1")
    assert outcome.delivered == ("comms@orbis.example",)
    [first] = server.handler.received
    assert first.rcpt_tos == ["comms@orbis.example"]

    server.handler.refuse.clear()
    retry = send_digest(config, engine, DAY, NOW + timedelta(minutes=5))
    assert retry.status is SendStatus.SENT
    [_, second] = server.handler.received
    assert second.rcpt_tos == ["press@orbis.example"]  # comms@ does not get it twice
    assert second.message["Message-ID"] == first.message["Message-ID"]
    assert record(engine).recipients == tuple(RECIPIENTS)


class SlowToConfirm(Recorder):
    """Takes the message but never confirms it: the sender cannot know it was delivered."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(3)
        return "250 OK"


def test_lost_confirmation_is_never_resent_blindly(
    sqlite_engine: Engine, start_smtp: Callable[..., SmtpServer], tmp_path: Path
) -> None:
    server = start_smtp(SlowToConfirm())
    config = config_for(server.port, tmp_path, timeout=0.5)
    seed(sqlite_engine, config)
    outcome = send_digest(config, sqlite_engine, DAY, NOW)
    assert outcome.status is SendStatus.UNCERTAIN
    assert "may have been delivered" in outcome.message
    assert record(sqlite_engine).state is DigestState.SENDING
    soon = send_digest(config, sqlite_engine, DAY, NOW + timedelta(minutes=10))
    assert soon.status is SendStatus.IN_PROGRESS
    later = send_digest(config, sqlite_engine, DAY, NOW + timedelta(minutes=31))
    assert later.status is SendStatus.STUCK
    assert not later.ok
    assert "--resend-stuck" in later.message
    with session_scope(sqlite_engine) as s:
        assert due_retries(s, NOW + timedelta(days=1)) == []
    assert len(server.handler.received) == 1
    forced = send_digest(config, sqlite_engine, DAY, NOW + timedelta(minutes=31), resend_stuck=True)
    assert forced.status in (SendStatus.SENT, SendStatus.UNCERTAIN)
    assert len(server.handler.received) == 2


def test_a_day_that_is_not_over_is_not_sent(sqlite_engine: Engine, tmp_path: Path) -> None:
    config = config_for(1, tmp_path)
    evening = DAY_END - timedelta(minutes=1)  # 23:59 in Zurich on the digest day
    outcome = send_digest(config, sqlite_engine, DAY, evening)
    assert outcome.status is SendStatus.TOO_EARLY
    assert not outcome.ok
    assert "not over yet in Europe/Zurich" in outcome.message
    with session_scope(sqlite_engine) as s:
        assert get_digest(s, ORG, DAY) is None


def test_no_recipients_is_not_a_send(sqlite_engine: Engine, tmp_path: Path) -> None:
    config = sample_config(digest={"recipients": [], "archive_dir": str(tmp_path)})
    outcome = send_digest(config, sqlite_engine, DAY, NOW)
    assert outcome.status is SendStatus.NO_RECIPIENTS
    assert not outcome.ok
    with session_scope(sqlite_engine) as s:
        assert get_digest(s, ORG, DAY) is None


WORKER = textwrap.dedent(
    """
    import sys
    import time
    from datetime import date, datetime
    from crawler.config import load_config
    from crawler.storage.db import make_engine
    from reports.render import environment
    from reports.send import send_digest

    config = load_config(sys.argv[1])
    engine = make_engine(sys.argv[2])
    engine.connect().close()
    environment()
    start = float(sys.stdin.readline())
    while time.time() < start:  # start together, to the millisecond
        pass
    outcome = send_digest(config, engine, date.fromisoformat(sys.argv[3]),
                          datetime.fromisoformat(sys.argv[4]))
    print(outcome.status.value)
    """
)


def test_two_processes_racing_send_one_email(
    engine: Engine, db_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    toml = sample_toml(
        smtp={"host": HOST, "port": smtp_server.port, "timeout": 10},
        digest={"archive_dir": str(tmp_path / "archive")},
    )
    config_file = tmp_path / "mediamon.toml"
    config_file.write_text(toml, encoding="utf-8")
    seed(engine)
    args = [str(config_file), db_url, DAY.isoformat(), NOW.isoformat()]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for _ in range(2)
    ]
    start = time.time() + 1.0
    for w in workers:
        assert w.stdin is not None
        w.stdin.write(f"{start}\n")
        w.stdin.flush()
    statuses = []
    for w in workers:
        out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
        statuses.append(out.strip())
    assert statuses.count("sent") == 1, statuses
    assert set(statuses) - {"sent"} <= {"in_progress", "already_sent"}
    assert len(smtp_server.handler.received) == 1
    assert record(engine).state is DigestState.SENT
