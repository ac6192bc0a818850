"""End to end: a real pingback and a real webmention sent over HTTP to the receiver, verified
by ``run_verify`` against the sample web, and listed by ``mediamon mentions --format json``.

The sources are sample-web blog pages that really link to the organisation's posts, whose
posts a poll registered first. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.config import load_config
from crawler.linkbacks.xmlrpc import build_ping_request
from crawler.storage.db import make_engine
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from tests.harvest.conftest import NOW, published, write_config
from tests.helpers import in_child
from tests.receiver.conftest import start, stop

pytestmark = pytest.mark.slow


def test_pingback_and_webmention_are_verified_and_listed(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    config_path = write_config(tmp_path / "mediamon.toml", web)
    polled = in_child("poll", str(config_path), migrated, timeout=60, all_sources=True, now=NOW)
    assert polled.exit_status == 0, polled.error
    truth = web.truth()
    ping = next(i for i in truth["linkbacks"] if i["kind"] == "pingback" and i["day"] == 1)
    mention = next(i for i in truth["linkbacks"] if i["kind"] == "webmention")

    engine = make_engine(migrated)
    live = start(load_config(config_path), engine, clock=lambda: NOW - timedelta(minutes=1))
    try:
        reply = live.post_xml(build_ping_request(ping["source"], ping["href"]))
        assert reply.status == 200, reply.text
        assert b"<fault>" not in reply.body, reply.text
        reply = live.post_form(
            "/webmention", {"source": mention["source"], "target": mention["href"]}
        )
        assert reply.status == 202, reply.text
    finally:
        stop(live)

    report = in_child("verify", str(config_path), migrated, timeout=60, now=NOW)
    assert report.exit_status == 0, report.error
    assert (report.receipts, report.verified, report.new_mentions) == (2, 2, 2)

    result = CliRunner().invoke(
        cli,
        ["--config", str(config_path), "--db", migrated, "mentions", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    by_kind = {item["kind"]: item for item in listed}
    assert set(by_kind) == {"pingback", "webmention"}
    for kind, item in (("pingback", ping), ("webmention", mention)):
        row = by_kind[kind]
        assert row["url"] == item["source"]
        assert row["target"] == published(web.truth(), item["target"])
        assert row["found_via"] == "receiver"
        assert row["status"] == "live"
        assert row["title"]  # described from the source page
        assert row["context"]
