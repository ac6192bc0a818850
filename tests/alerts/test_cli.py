"""``mediamon alerts list | test | send | outbox`` and the failed alerts in ``status``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import record_mentions
from crawler.storage.migrate import upgrade
from crawler.storage.models import AlertDeliveryRow
from scheduler.cli import cli
from tests.alerts.sink import Sink
from tests.alerts.test_outbox import find


def _config(tmp_path: Path, urls: str, **alerting: object) -> Path:
    extra = "".join(f"{k} = {v}\n" for k, v in alerting.items())
    path = tmp_path / "mediamon.toml"
    path.write_text(
        f"""
[organisation]
name = "Orbis"

[[queries]]
name = "org"
query = '"Orbis Union"'

[[alerts]]
name = "newsroom"
urls = [{urls}]
queries = ["org"]

[alerting]
timeout_seconds = 2
{extra}
""",
        encoding="utf-8",
    )
    return path


def _invoke(config: Path, db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--db", db_url, *args])


def _store(db_url: str, count: int) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(engine) as s:
        record_mentions(s, [find(i) for i in range(count)], datetime.now(UTC))
    engine.dispose()


def test_list_test_send(tmp_path: Path, sink: Sink, db_url: str) -> None:
    config = _config(tmp_path, f'"{sink.url}"')
    listed = _invoke(config, db_url, "alerts", "list")
    assert listed.exit_code == 0, listed.output
    assert "newsroom" in listed.output
    assert "json://127.0.0.1" in listed.output
    tested = _invoke(config, db_url, "alerts", "test", "newsroom")
    assert tested.exit_code == 0, tested.output
    assert "ok" in tested.output
    assert sink.titles() == ["mediamon test alert for rule 'newsroom'"]
    _store(db_url, 3)
    sent = _invoke(config, db_url, "alerts", "send")
    assert sent.exit_code == 0, sent.output
    assert "3 sent" in sent.output
    again = _invoke(config, db_url, "alerts", "send")
    assert "0 sent" in again.output
    assert len(sink.received) == 4
    outbox = _invoke(config, db_url, "alerts", "outbox")
    assert outbox.output.count("sent") == 3


def test_unknown_rule_and_failing_channel(tmp_path: Path, sink: Sink, db_url: str) -> None:
    config = _config(tmp_path, f'"{sink.url}"')
    _store(db_url, 0)
    missing = _invoke(config, db_url, "alerts", "test", "nope")
    assert missing.exit_code == 1
    assert "no alert rule named 'nope' (rules: newsroom)" in missing.output
    sink.script.append((500, {}))
    failed = _invoke(config, db_url, "alerts", "test", "newsroom")
    assert failed.exit_code == 1
    assert "failed" in failed.output
    assert "500" in failed.output


def test_failed_alerts_in_outbox_and_status_then_retry(
    tmp_path: Path, sink: Sink, db_url: str
) -> None:
    config = _config(tmp_path, f'"{sink.url}"', max_attempts=1)
    _store(db_url, 1)
    sink.script.append((500, {}))
    sent = _invoke(config, db_url, "alerts", "send")
    assert sent.exit_code == 1
    assert "1 alert(s) failed after their retries" in sent.output
    failed = _invoke(config, db_url, "alerts", "outbox", "--failed")
    assert "failed" in failed.output
    assert "https://news.example/a/0" in failed.output
    status = _invoke(config, db_url, "status")
    assert "1 alert(s) failed after their retries" in status.output
    retried = _invoke(config, db_url, "alerts", "outbox", "--retry")
    assert "1 failed alert(s) queued again" in retried.output
    assert _invoke(config, db_url, "alerts", "send").exit_code == 0
    assert len(sink.received) == 1
    assert "No failed alerts." in _invoke(config, db_url, "alerts", "outbox", "--failed").output


def test_bad_apprise_url_is_a_config_error(tmp_path: Path, db_url: str) -> None:
    config = _config(tmp_path, '"slak://nothing-here"')
    result = _invoke(config, db_url, "alerts", "list")
    assert result.exit_code == 2
    assert "alerts[0] ('newsroom'): Apprise does not understand the URL 'slak://nothing-here'" in (
        result.output
    )


def test_two_sender_processes_send_once(tmp_path: Path, sink: Sink, db_url: str) -> None:
    config = _config(tmp_path, f'"{sink.url}"', rate_limit_per_hour=1000)
    _store(db_url, 40)
    exe = Path(sys.executable).with_name("mediamon")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")}
    args = [str(exe), "--config", str(config), "--db", db_url, "alerts", "send"]
    procs = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert len(sink.received) == 40
    assert len(set(sink.idempotency_keys())) == 40
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AlertDeliveryRow)) == 40
    engine.dispose()
