"""`mediamon digest` against a test database holding every kind of mention."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crawler.storage.db import make_engine, session_scope
from crawler.storage.digests import get_digest
from crawler.storage.migrate import upgrade
from scheduler.cli import cli
from scheduler.cmd_digest import digest
from scheduler.context import App
from tests.reports.conftest import HOST, SmtpServer
from tests.reports.sample import DAY, NOW, ORG, sample_config, sample_toml, seed

cli.add_command(digest)  # registered in scheduler/cli.py by its owner; harmless twice


@pytest.fixture
def project(tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Path]:
    """A config file beside its SQLite database, seeded with the sample day."""
    config_file = tmp_path / "mediamon.toml"
    config_file.write_text(
        sample_toml(
            smtp={"host": HOST, "port": smtp_server.port, "timeout": 5},
            database={"url": "sqlite:///mediamon.db"},
        ),
        encoding="utf-8",
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'mediamon.db'}")
    upgrade(engine)
    seed(engine, sample_config())
    engine.dispose()
    return config_file


def run(config_file: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_file), "digest", *args])


def test_out_writes_files_without_sending(project: Path, smtp_server: SmtpServer) -> None:
    out = project.parent / "preview"
    result = run(project, "--date", "2026-11-02", "--out", str(out))
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.stdout.split()]
    assert [p.name for p in paths] == ["2026-11-02.html", "2026-11-02.txt", "2026-11-02.eml"]
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)
    msg = email.message_from_bytes(paths[2].read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Orbis Union coverage — Mon 2 Nov 2026: 15 new"
    assert "Linkbacks to our posts" in paths[0].read_text(encoding="utf-8")
    assert smtp_server.handler.received == []
    assert not (project.parent / "digests").exists()  # previews are not the archive


def test_send_twice_sends_once(project: Path, smtp_server: SmtpServer) -> None:
    first = run(project, "--date", "2026-11-02", "--send")
    assert first.exit_code == 0, first.output
    assert "sent to comms@orbis.example, press@orbis.example" in first.stdout
    archive = project.parent / "digests"
    assert sorted(p.name for p in archive.iterdir()) == [
        "2026-11-02.eml",
        "2026-11-02.html",
        "2026-11-02.txt",
    ]
    assert str(archive / "2026-11-02.eml") in first.stdout
    [received] = smtp_server.handler.received
    assert received.message["Subject"].endswith("15 new")

    second = run(project, "--date", "2026-11-02", "--send")
    assert second.exit_code == 0, second.output
    assert "already sent" in second.stdout
    assert "nothing sent" in second.stdout
    assert len(smtp_server.handler.received) == 1
    engine = make_engine(f"sqlite:///{project.parent / 'mediamon.db'}")
    with session_scope(engine) as s:
        stored = get_digest(s, ORG, DAY)
    engine.dispose()
    assert stored is not None
    assert stored.state == "sent"
    assert stored.message_id == received.message["Message-ID"]


def test_failed_send_exits_non_zero_with_reason_and_can_be_retried(
    project: Path, closed_port: int, smtp_server: SmtpServer
) -> None:
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("port = ", f"port = {closed_port} #"), encoding="utf-8")
    result = run(project, "--date", "2026-11-02", "--send")
    assert result.exit_code == 1
    assert "mediamon: digest for 2026-11-02 not sent: cannot connect to SMTP server" in (
        result.stderr
    )
    assert "will retry after" in result.stderr
    # The person fixes the config and runs it again at once: no waiting for the backoff.
    project.write_text(text, encoding="utf-8")
    again = run(project, "--date", "2026-11-02", "--send")
    assert again.exit_code == 0, again.output
    assert "sent to" in again.stdout
    assert len(smtp_server.handler.received) == 1


def test_default_day_is_yesterday_and_plain_run_prints_text(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(App, "now", staticmethod(lambda: NOW))
    result = run(project)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Orbis Union coverage digest — Mon 2 Nov 2026\n")
    assert "PRESS COVERAGE" in result.stdout


def test_bad_date_and_flag_combination(project: Path) -> None:
    assert run(project, "--date", "2 Nov").exit_code == 2
    assert run(project, "--resend-stuck").exit_code == 2


def test_invalid_recipient_is_rejected_at_config_load(project: Path) -> None:
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace('"press@orbis.example"', '"press at orbis"'), encoding="utf-8")
    result = run(project, "--date", "2026-11-02", "--send")
    assert result.exit_code == 2
    assert "digest.recipients: not an email address: 'press at orbis'" in result.stderr
