"""Issue 17 end to end: receipts sent to the real receiver, verified by the real verify run
(a child process, Scrapy, the address guard) against a loopback server. On both databases.

* a gzip bomb, a private address and a genuine source: the bomb and the guard refusal are
  final after one attempt, the genuine one is verified; a re-send of the bomb is answered
  from the receipt and never fetched again (findings 2 and 8);
* 10,000 queued receipts from one sender, then one genuine receipt: the genuine one is
  verified in the very next verify run (finding 9).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import insert

from crawler.config import load_config
from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import ReceiptRow
from tests.fetching.loopback import Server
from tests.helpers import in_child
from tests.receiver.conftest import NOW, ORG, POSTS, Live, add_posts, receipts, start, stop

pytestmark = pytest.mark.slow


@pytest.fixture
def source_server() -> Iterator[Server]:
    server = Server("127.0.0.1")
    yield server
    server.close()


def write_config(path: Path, port: int, max_queued: int = 20_000) -> Path:
    path.write_text(
        f"""[organisation]
name = "{ORG}"

[[organisation.sites]]
url = "https://blog.example.org/"

[receiver]
per_ip_per_minute = 1000
per_domain_per_minute = 1000
max_queued = {max_queued}

[crawl]
user_agent = "mediamon-tests (+https://orbis.test/bot)"
allow_hosts = ["127.0.0.1:{port}"]
resolve = {{ "good.test" = "127.0.0.1", "bomb.test" = "127.0.0.1", "inward.test" = "127.0.0.2" }}
download_delay = 0
timeout = 20
max_body_bytes = 65536
""",
        encoding="utf-8",
    )
    return path


def receiver(config_path: Path, db_url: str) -> Live:
    engine = make_engine(db_url)
    add_posts(engine)
    return start(load_config(config_path), engine, clock=lambda: NOW - timedelta(minutes=1))


def test_bombs_and_guard_refusals_are_final_and_never_fetched_again(
    migrated: str, tmp_path: Path, source_server: Server
) -> None:
    port = source_server.port
    config_path = write_config(tmp_path / "mediamon.toml", port)
    bomb = f"http://bomb.test:{port}/bomb"
    inward = f"http://inward.test:{port}/secret"  # a name: judged when connecting
    genuine = f"http://good.test:{port}/link?to={quote(POSTS[0], safe='')}"
    live = receiver(config_path, migrated)
    try:
        for source in (bomb, inward, genuine):
            reply = live.post_form("/webmention", {"source": source, "target": POSTS[0]})
            assert reply.status == 202, reply.text
    finally:
        stop(live)

    report = in_child("verify", str(config_path), migrated, timeout=120, now=NOW)
    assert report.exit_status == 0, report.error
    assert (report.receipts, report.verified, report.rejected, report.retried) == (3, 1, 2, 0)
    engine = make_engine(migrated)
    rows = {r.source: r for r in receipts(engine)}
    assert (rows[bomb].state, rows[bomb].reason, rows[bomb].attempts) == (
        "rejected",
        "body too large (decompressed)",
        0,
    )
    assert rows[inward].state == "rejected"
    assert rows[inward].reason == "address guard: 127.0.0.2 is a loopback address"
    assert rows[genuine].state == "verified"
    assert sorted(p.split("?")[0] for p in source_server.paths) == ["/bomb", "/link"]

    live = receiver(config_path, migrated)
    try:
        for source, reason in ((bomb, "body too large"), (inward, "address guard")):
            reply = live.post_form("/webmention", {"source": source, "target": POSTS[0]})
            assert reply.status == 400, reply.text
            assert reason in reply.text
    finally:
        stop(live)
    again = in_child(
        "verify", str(config_path), migrated, timeout=120, now=NOW + timedelta(hours=1)
    )
    assert again.exit_status == 0, again.error
    assert again.receipts == 0
    assert sorted(p.split("?")[0] for p in source_server.paths) == ["/bomb", "/link"]
    engine.dispose()


def test_a_flood_from_one_sender_delays_only_that_sender(
    migrated: str, tmp_path: Path, source_server: Server
) -> None:
    port = source_server.port
    # The flood is inserted as a backlog (the receiver's per-sender cap would stop it at 1,000)
    # and the global cap raised above it: what is tested is the drain order.
    config_path = write_config(tmp_path / "mediamon.toml", port, max_queued=50_000)
    engine = make_engine(migrated)
    flood = [
        {
            "protocol": "webmention",
            "source": f"http://127.0.0.2:{port}/flood/{i}",
            "target": POSTS[1],
            "received_at": NOW - timedelta(hours=1) + timedelta(milliseconds=i),
            "state": "queued",
            "attempts": 0,
            "payload": {},
            "next_attempt_at": NOW - timedelta(hours=1),
            "sender": "127.0.0.2",
            "expires_at": NOW + timedelta(hours=47),
        }
        for i in range(10_000)
    ]
    with session_scope(engine) as session:
        session.execute(insert(ReceiptRow), flood)
    genuine = f"http://good.test:{port}/link?to={quote(POSTS[0], safe='')}"
    live = receiver(config_path, migrated)
    try:
        reply = live.post_form("/webmention", {"source": genuine, "target": POSTS[0]})
        assert reply.status == 202, reply.text
    finally:
        stop(live)

    report = in_child("verify", str(config_path), migrated, timeout=240, now=NOW)
    assert report.exit_status == 0, report.error
    assert report.receipts == 200
    assert report.verified == 1
    with session_scope(engine) as session:
        row = session.query(ReceiptRow).filter(ReceiptRow.source == genuine).one()
        assert row.state == "verified"
    assert [p.split("?")[0] for p in source_server.paths] == ["/link"]
    engine.dispose()
