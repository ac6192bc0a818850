"""Two organisations in one database (#16), on SQLite and PostgreSQL, through the CLI.

The sample web's agency (A) and ``celestialledger.test`` (B), a blog whose posts link to A's
posts, share one database; both watch the same wire feed, each with its own query. One
``run --once`` polls, harvests and verifies for both; one receiver takes pings for both.
Each organisation sees only its own finds: A's linkbacks (B's posts among their sources),
A's and B's press finds by their own queries, each one's digest.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crawler.config import load_configs
from crawler.linkbacks.xmlrpc import build_ping_request
from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import PostRow, ReceiptRow, SourceRow
from sampleweb.server.router import SampleWeb
from scheduler.cli import cli
from tests.harvest.conftest import NOW, write_config
from tests.receiver.conftest import start, stop

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

B_HOST = "celestialledger.test"
WIRE = ("www.continentalwire.test", "/rss/latest.xml")


def _configs(tmp_path: Path, web: SampleWeb) -> tuple[Path, Path]:
    org = web.world.org
    wire = web.url(*WIRE)
    a = write_config(tmp_path / "a.toml", web)
    text = a.read_text(encoding="utf-8")
    b_text = text.replace(f'name = "{org.name}"', 'name = "Celestial Ledger"').replace(
        web.url(org.host), web.url(B_HOST)
    )
    press = f'\n[[sources]]\nname = "wire"\nurl = "{wire}"\nkind = "press"\n'
    a.write_text(text + press + '\n[[queries]]\nname = "a-q"\nquery = \'"registry"\'\n')
    b = tmp_path / "b.toml"
    b.write_text(b_text + press + "\n[[queries]]\nname = \"b-q\"\nquery = 'satellite'\n")
    return a, b


def _cli(a: Path, b: Path, db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(a), "--config", str(b), "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _mentions(a: Path, b: Path, db: str, org: str) -> list[dict[str, Any]]:
    out = _cli(a, b, db, "--org", org, "mentions", "--format", "json")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_each_organisation_sees_only_its_own_finds(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    a, b = _configs(tmp_path, web)
    config_a, config_b = load_configs([a, b], env={})
    a_name, b_name = config_a.organisation.name, config_b.organisation.name
    a_site, b_site = web.url(web.world.org.host), web.url(B_HOST)
    clock = f"{NOW.isoformat()}x1"
    _cli(a, b, migrated, "run", "--once", "--job", "poll", "--job", "harvest", "--clock", clock)

    engine = make_engine(migrated)
    with session_scope(engine) as s:
        wire_orgs = sorted(s.scalars(select(SourceRow.org).where(SourceRow.url == web.url(*WIRE))))
        b_posts = set(s.scalars(select(PostRow.url).where(PostRow.org == b_name)))
        a_posts = set(s.scalars(select(PostRow.url).where(PostRow.org == a_name)))
    assert wire_orgs == sorted([a_name, b_name])  # one URL, a row (and poll state) each
    assert b_posts
    assert all(u.startswith(b_site) for u in b_posts)
    assert a_posts
    assert all(u.startswith(a_site) for u in a_posts)

    # One receiver for both: a ping goes to the owner of its target; nobody's target is refused.
    # B's post pinged A's post, whose page lists that ping: so each links to the other.
    pings = [i for i in web.truth()["linkbacks"] if i["kind"] == "pingback" and i["day"] == 1]
    cel = next(i for i in pings if urlsplit(i["source"]).hostname == B_HOST)
    live = start(config_a, engine, clock=lambda: NOW - timedelta(minutes=1), others=[config_b])
    try:
        reply = live.post_xml(build_ping_request(cel["source"], cel["href"]))
        assert reply.status == 200, reply.text
        assert b"<fault>" not in reply.body, reply.text
        reply = live.post_form("/webmention", {"source": cel["target"], "target": cel["source"]})
        assert reply.status == 202, reply.text
        nobody = web.url("lowearthlog.test", "/")
        reply = live.post_form("/webmention", {"source": cel["target"], "target": nobody})
        assert reply.status == 400
        assert "not a resource of this site" in reply.text
    finally:
        stop(live)
    engine = make_engine(migrated)
    with session_scope(engine) as s:
        owners = {r.target: r.org for r in s.scalars(select(ReceiptRow))}
    assert sorted(owners.values()) == sorted([a_name, b_name])
    for target, owner in owners.items():
        assert owner == (b_name if urlsplit(target).hostname == B_HOST else a_name), target
    engine.dispose()
    _cli(a, b, migrated, "run", "--once", "--job", "verify", "--clock", clock)
    engine = make_engine(migrated)
    with session_scope(engine) as s:
        states = {r.org: r.state for r in s.scalars(select(ReceiptRow))}
    engine.dispose()
    assert states == {a_name: "verified", b_name: "verified"}

    found_a = _mentions(a, b, migrated, a_name)
    found_b = _mentions(a, b, migrated, b_name)
    linkbacks_a = [m for m in found_a if m["kind"] != "press"]
    linkbacks_b = [m for m in found_b if m["kind"] != "press"]
    assert any(urlsplit(m["url"]).hostname == B_HOST for m in linkbacks_a)  # B links to A
    assert all(urlsplit(m["target"]).hostname == web.world.org.host for m in linkbacks_a)
    assert [(m["url"], m["found_via"]) for m in linkbacks_b] == [(cel["target"], "receiver")]
    assert all(urlsplit(m["target"]).hostname == B_HOST for m in linkbacks_b)
    press_a = [m for m in found_a if m["kind"] == "press"]
    press_b = [m for m in found_b if m["kind"] == "press"]
    assert press_a
    assert press_b
    assert all(m["queries"] == ["a-q"] for m in press_a)
    assert all(m["queries"] == ["b-q"] for m in press_b)

    day = found_a[0]["first_seen_at"][:10]
    digest_a = _cli(a, b, migrated, "--org", a_name, "digest", "--date", day)
    digest_b = _cli(a, b, migrated, "--org", b_name, "digest", "--date", day)
    assert any(m["target"] in digest_a for m in linkbacks_a)
    assert linkbacks_b[0]["target"] in digest_b
    assert digest_a.startswith(f"{a_name} coverage digest")
    assert digest_b.startswith(f"{b_name} coverage digest")
    assert a_site not in digest_b.replace(cel["target"], "")  # only B's one find names A
