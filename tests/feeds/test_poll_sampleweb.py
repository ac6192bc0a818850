"""Feed polling against the sample web, on SQLite and PostgreSQL, each poll in a child process
(``run_in_child``), as the scheduler runs them.

The good world: the first poll stores every entry of every configured feed in the ground truth,
the second gets 304 everywhere and stores nothing twice. The bad inputs: every misbehaving
endpoint, an unresolvable host and a closed port, where the run goes on, the source's state
says what happened, and nothing stored is lost.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.models import DocumentRow, FeedEntryRow, HostRow, PostRow, SourceRow
from sampleweb.server.router import SampleWeb
from tests.feeds.conftest import world_sources, write_config
from tests.helpers import in_child

pytestmark = pytest.mark.slow


def sources_by_name(db_url: str) -> dict[str, SourceRow]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = {row.name: row for row in session.scalars(select(SourceRow))}
    engine.dispose()
    return rows


def count(db_url: str, model: Any) -> int:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        value = session.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return int(value or 0)


def stored_urls(db_url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        docs = set(session.scalars(select(DocumentRow.canonical_url)))
        posts = set(session.scalars(select(PostRow.canonical_url)))
    engine.dispose()
    return docs, posts


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_first_poll_stores_every_entry_second_poll_is_all_304(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "mediamon.toml", web, world_sources(web))
    truth = web.truth()
    first = in_child("poll", str(config), migrated, timeout=90, all_sources=True)
    assert first.exit_status == 0, first.error
    assert first.errors == 0
    assert first.fetched == len(world_sources(web)) + 1
    # Summary-only feeds had their article pages read (through the same spider).
    summary_only = [f for f in truth["feeds"] if f.get("full_content") is False]
    assert summary_only
    assert first.articles >= sum(f["entry_count"] for f in summary_only)
    assert first.article_errors == 0

    docs, posts = stored_urls(migrated)
    configured = {url for _, url, _ in world_sources(web)}
    own_feed = truth["organisation"]["feed"]
    checked = 0
    for feed in truth["feeds"]:
        site_root = feed["url"].split("/", 3)[:3]
        via_discovery = "/".join(site_root) + "/" in configured and feed["format"] == "sitemap"
        if feed["url"] == own_feed:
            assert {canonicalize_url(u) for u in feed["entries"]} <= posts
            checked += 1
        elif feed["url"] in configured or via_discovery:
            missing = {canonicalize_url(u) for u in feed["entries"]} - docs
            assert not missing, f"{feed['url']}: {sorted(missing)[:3]}"
            checked += 1
    assert checked == len(configured) + 1

    documents, entries = count(migrated, DocumentRow), count(migrated, FeedEntryRow)
    second = in_child("poll", str(config), migrated, timeout=90, all_sources=True)
    assert second.exit_status == 0, second.error
    assert second.not_modified == first.fetched
    assert second.fetched == 0
    assert second.new_entries == 0
    assert (count(migrated, DocumentRow), count(migrated, FeedEntryRow)) == (documents, entries)
    rows = sources_by_name(migrated)
    assert all(row.last_status == 304 and row.health == "ok" for row in rows.values())
    assert all(row.events[-1]["conditional"] for row in rows.values())
    northwind = rows["Northwind Herald"]
    assert northwind.type == "site"
    assert northwind.discovered[0]["type"] == "sitemap"


def test_own_feed_registers_posts_with_comment_feeds(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "mediamon.toml", web, [])
    report = in_child("poll", str(config), migrated, timeout=60, all_sources=True)
    assert report.posts == len(web.truth()["posts"][:6]) or report.posts > 0
    engine = make_engine(migrated)
    with session_scope(engine) as session:
        posts = session.scalars(select(PostRow)).all()
        assert posts
        assert all(p.comment_feed_url.endswith("/feed/") for p in posts)
        assert all(p.wp_post_id for p in posts)
        assert all(p.platform == "wordpress" for p in posts)
        assert any(p.comment_count for p in posts)
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == 0
    engine.dispose()


def trouble_sources(web: SampleWeb, *skip: str) -> list[tuple[str, str, str]]:
    endpoints = web.truth()["endpoints"]
    out = [(name, url, "press") for name, url in endpoints.items() if name not in skip]
    out.append(("dns", "http://nonexistent.invalid/feed", "press"))
    out.append(("refused", f"http://127.0.0.1:{closed_port()}/feed", "press"))
    return out


def test_bad_inputs_are_recorded_and_the_run_goes_on(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    sources = trouble_sources(web, "rate_limited", "rate_limited_date")
    config = write_config(
        tmp_path / "mediamon.toml", web, sources, own=False, max_items=100, max_body=1024 * 1024
    )
    report = in_child("poll", str(config), migrated, timeout=90, all_sources=True)
    # Done, with some sources failing: exit 1, and the error names them (#18).
    assert report.exit_status == 1, report.error
    assert report.error.startswith(f"{report.errors} of {report.sources} sources failed: ")
    assert "dns" in report.error
    assert "refused" in report.error
    rows = sources_by_name(migrated)
    assert len(rows) == len(sources)
    expect_error = {
        "slow": "timeout",
        "hang_after_headers": "timeout",
        "error_500": "HTTP 500",
        "gone_feed": "HTTP 410",
        "redirect_loop": "too many redirects",
        "html_as_feed": "parse error: html? (no feed or sitemap found)",
        "huge_page": "body too large (aborted)",
        "dns": "DNS error",
        "refused": "connection refused",
    }
    for name, error in expect_error.items():
        assert rows[name].last_error == error, (name, rows[name].events)
        assert rows[name].health in ("failing", "dead"), name
        assert rows[name].events[-1]["status"] == error or rows[name].last_status == 410
    assert rows["gone_feed"].health == "dead"
    assert rows["error_500"].failures == 0.5
    assert rows["slow"].failures == 0.25
    assert rows["html_as_feed"].failures == 1.0

    ill = rows["illformed_feed"]
    assert ill.health == "ok"
    assert ill.last_error.startswith("parse error:")
    assert ill.entries_total == 3
    charset = rows["wrong_charset_feed"]
    assert charset.entries_total == 2
    assert "windows-1252" in charset.events[-1]["warning"]
    assert rows["empty_feed"].health == "ok"
    assert rows["empty_feed"].entries_total == 0
    huge = rows["huge_feed"]
    assert huge.entries_total == 100
    assert huge.events[-1]["capped"] == {"total": 2500, "kept": 100}
    assert huge.events[-1]["future_dates_clamped"] > 0
    engine = make_engine(migrated)
    with session_scope(engine) as session:
        latest = session.scalar(select(func.max(DocumentRow.published_at)))
        assert latest is not None
        assert latest <= datetime.now(UTC)
        titles = set(session.scalars(select(DocumentRow.title)))
        # Several trouble feeds list the same article URLs: one document each, whichever
        # feed came first; none of them decoded wrongly.
        assert not any("â€" in t or "Ã" in t for t in titles)
        per_source = dict(
            session.execute(
                select(FeedEntryRow.source_id, func.count()).group_by(FeedEntryRow.source_id)
            ).all()
        )
        assert per_source[charset.id] == 2
        assert per_source[ill.id] == 3
    engine.dispose()

    documents = count(migrated, DocumentRow)
    again = in_child("poll", str(config), migrated, timeout=90, all_sources=True)
    assert again.exit_status == 1
    assert again.new_entries == 0
    assert count(migrated, DocumentRow) == documents  # nothing lost, nothing twice
    rows = sources_by_name(migrated)
    assert rows["conditional_feed"].last_status == 304
    assert rows["error_500"].failures == 1.0  # linear: one more soft failure
    assert len(rows["error_500"].events) == 2


def test_permanent_redirect_moves_the_source_after_three_polls(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    endpoints = web.truth()["endpoints"]
    sources = [
        ("moved", endpoints["moved_feed"], "press"),
        ("loop", endpoints["redirect_loop"], "press"),
    ]
    config = write_config(tmp_path / "mediamon.toml", web, sources, own=False)
    for poll in (1, 2, 3):
        report = in_child("poll", str(config), migrated, timeout=60, all_sources=True)
        assert report.exit_status == 1, report.error  # the loop fails, "moved" is read
        assert report.error == "1 of 2 sources failed: loop"
        rows = sources_by_name(migrated)
        moved = rows["moved"]
        if poll < 3:
            assert moved.url == endpoints["moved_feed"]
            assert moved.redirect_count == poll
    assert moved.url == web.truth()["moved_feed_target"]
    assert moved.configured_url == endpoints["moved_feed"]
    assert rows["loop"].url == endpoints["redirect_loop"]  # 302s never move a source
    report = in_child("poll", str(config), migrated, timeout=60, all_sources=True)
    rows = sources_by_name(migrated)
    assert len(rows) == 2
    assert rows["moved"].url == web.truth()["moved_feed_target"]
    assert rows["moved"].entries_total == 8


def test_retry_after_blocks_the_host(web: SampleWeb, migrated: str, tmp_path: Path) -> None:
    endpoints = web.truth()["endpoints"]
    sources = [
        ("limited", endpoints["rate_limited"], "press"),
        ("limited-date", endpoints["rate_limited_date"], "press"),
    ]
    config = write_config(tmp_path / "mediamon.toml", web, sources, own=False)
    started = datetime.now(UTC)
    report = in_child("poll", str(config), migrated, timeout=60, all_sources=True)
    assert report.exit_status == 3, report.error  # nothing could be done
    assert report.error == "every source failed (2): limited, limited-date"
    engine = make_engine(migrated)
    with session_scope(engine) as session:
        block = session.scalar(select(HostRow).where(HostRow.host == "trouble.test"))
        assert block is not None
        assert block.blocked_until is not None
        assert started + timedelta(seconds=100) < block.blocked_until
        assert block.blocked_until < started + timedelta(seconds=200)
    engine.dispose()
    rows = sources_by_name(migrated)
    polled = [r for r in rows.values() if r.last_status == 429]
    assert polled
    assert all(r.failures == 0.5 for r in polled)
    assert all(r.next_check_at and r.next_check_at >= block.blocked_until for r in polled)
    again = in_child("poll", str(config), migrated, timeout=60, all_sources=True)
    assert again.deferred == 2
    assert again.errors == 0
    assert again.exit_status == 0  # deferred on purpose is not a failure
    rows = sources_by_name(migrated)
    assert all(r.events[-1]["status"] == "deferred: host rate-limited" for r in rows.values())


def test_address_guard_refuses_private_addresses(
    web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    port = web.port
    sources = [("private", f"http://intranet.test:{port}/feed", "press")]
    config = write_config(tmp_path / "mediamon.toml", web, sources, own=False)
    text = config.read_text().replace("resolve = {", 'resolve = { "intranet.test" = "127.0.0.2",')
    config.write_text(text)
    report = in_child(
        "poll",
        str(config),
        migrated,
        timeout=60,
        all_sources=True,
        settings={"MEDIAMON_ALLOW_HOSTS": ["127.0.0.1"]},
    )
    assert report.exit_status == 3, report.error
    row = sources_by_name(migrated)["private"]
    assert row.last_error == "address guard: 127.0.0.2 is a loopback address"
    assert row.failures == 1.0
