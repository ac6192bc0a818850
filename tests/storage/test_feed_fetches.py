"""Feed fetches kept for other organisations (#16): the rules, the table on both databases,
and the downloader middleware answering a poll's request from it (no reactor needed: its
``process_request`` is called as Scrapy calls it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from scrapy import Request
from scrapy.utils.test import get_crawler
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from crawler.clock import OFFSET_SETTING, CrawlClock
from crawler.feeds.shared import KeptFetch, answer, names_body, renews, usable
from crawler.fetching.shared_fetch import (
    SERVED_META,
    SETTING,
    SHARE_META,
    SharedFetches,
    SharedFetchMiddleware,
)
from crawler.pipelines.shared import Shared
from crawler.storage.db import session_scope
from crawler.storage.fetches import keep_fetch, kept_fetch, watched_elsewhere
from crawler.storage.migrate import alembic_config, upgrade
from crawler.storage.models import FeedFetchRow, SourceRow
from crawler.storage.retention import delete_expired

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
URL = "http://wire.test/feed.xml"
BODY = b"<rss version='2.0'><channel><title>Wire</title></channel></rss>"


def _full(at: datetime = T0, etag: str = '"v1"', body: bytes = BODY) -> KeptFetch:
    return KeptFetch(
        url=URL,
        status=200,
        fetched_at=at,
        final_url="http://wire.test/rss",
        redirects=((URL, 301),),
        headers={"content-type": "application/rss+xml", "etag": etag},
        etag=etag,
        last_modified="Mon, 09 Nov 2026 08:00:00 GMT",
        body=body,
    )


# -- the rules -----------------------------------------------------------------------------


@pytest.mark.unit
def test_a_fetch_is_usable_only_inside_its_window_by_the_readers_clock() -> None:
    assert usable(T0, T0 + timedelta(seconds=300), 300)
    assert not usable(T0, T0 + timedelta(seconds=301), 300)
    assert not usable(T0, T0 - timedelta(seconds=1), 300)  # stamped in the reader's future
    assert not usable(T0, T0, 0)


@pytest.mark.unit
def test_a_poll_gets_304_only_when_its_own_validators_name_the_kept_body() -> None:
    kept = _full()
    assert answer(kept, '"v1"', "") == 304
    assert answer(kept, 'W/"v1"', "") == 304  # weak comparison
    assert answer(kept, '"v0", "v1"', "") == 304
    assert answer(kept, '"v0"', kept.last_modified) == 200  # If-None-Match wins
    assert answer(kept, "", kept.last_modified) == 304
    assert answer(kept, "", "Mon, 09 Nov 2026 07:00:00 GMT") == 200
    assert answer(kept, "", "") == 200  # never fetched: the body
    assert not names_body("", "", '"v1"', "")


@pytest.mark.unit
def test_a_304_renews_the_kept_body_only_for_the_validators_it_came_with() -> None:
    kept = _full()
    later = T0 + timedelta(minutes=5)
    same = KeptFetch(url=URL, status=304, fetched_at=later, etag='"v1"')
    other = KeptFetch(url=URL, status=304, fetched_at=later, etag='"v0"')
    older = KeptFetch(url=URL, status=304, fetched_at=T0 - timedelta(minutes=1), etag='"v1"')
    assert renews(kept, same)
    assert not renews(kept, other)  # a 304 for an older body says nothing of the kept one
    assert not renews(kept, older)


# -- the table -------------------------------------------------------------------------------


def test_kept_fetches_round_trip_renew_and_expire(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert keep_fetch(session, "A", "p", _full())
        assert keep_fetch(session, "A", "p", _full(body=BODY + b" "))  # replaced, not added
    with session_scope(engine) as session:
        got = kept_fetch(session, URL, "p", T0)
        assert got is not None
        assert got.body == BODY + b" "
        assert got.redirects == ((URL, 301),)
        assert got.final_url == "http://wire.test/rss"
        assert kept_fetch(session, URL, "other profile", T0) is None
        assert kept_fetch(session, URL, "p", T0 + timedelta(seconds=1)) is None
        later = T0 + timedelta(minutes=5)
        stale = KeptFetch(url=URL, status=304, fetched_at=later, etag='"v0"')
        assert not keep_fetch(session, "B", "p", stale)
        assert keep_fetch(session, "B", "p", KeptFetch(URL, 304, later, etag='"v1"'))
    with session_scope(engine) as session:
        row = session.scalars(select(FeedFetchRow)).one()
        assert (row.org, row.fetched_at) == ("B", T0 + timedelta(minutes=5))
        stats = delete_expired(session, T0 + timedelta(days=2), runs_days=90, receipts_days=90)
        assert stats["feed_fetches_deleted"] == 1


def test_only_feeds_other_organisations_watch_are_shared(engine: Engine) -> None:
    with session_scope(engine) as session:
        for org, url, discovered in (
            ("A", "http://a.test/", []),
            ("B", "http://wire.test/", [{"url": URL, "type": "rss"}]),
        ):
            session.add(
                SourceRow(
                    org=org, url=url, name="s", kind="press", discovered=discovered, created_at=T0
                )
            )
    with session_scope(engine) as session:
        assert watched_elsewhere(session, "A") == {"http://wire.test/", URL}
        assert watched_elsewhere(session, "B") == {"http://a.test/"}


def test_migration_0015_adds_and_removes_only_feed_fetches(engine: Engine) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")
    assert "feed_fetches" not in inspect(engine).get_table_names()
    assert "sources" in inspect(engine).get_table_names()
    upgrade(engine)
    assert "feed_fetches" in inspect(engine).get_table_names()


# -- the middleware --------------------------------------------------------------------------


def _middleware(engine: Engine, window: float = 300, max_bytes: int = 1 << 20) -> Any:
    fetches = SharedFetches(engine, window, max_bytes, resolve={})
    offset = (T0 + timedelta(minutes=1)) - CrawlClock().now()  # the poll's clock: T0 + 1 min
    settings = {SETTING: Shared(fetches), OFFSET_SETTING: offset.total_seconds()}
    return SharedFetchMiddleware.from_crawler(get_crawler(settings_dict=settings))


def _request(etag: str = "", share: bool = True) -> Request:
    headers = {"If-None-Match": etag} if etag else {}
    return Request(URL, headers=headers, meta={SHARE_META: URL if share else ""})


def test_the_middleware_answers_a_shared_feed_from_the_kept_fetch(engine: Engine) -> None:
    profile = SharedFetches(engine, 300, 1 << 20, resolve={}).profile(URL)
    with session_scope(engine) as session:
        keep_fetch(session, "A", profile, _full())
    middleware = _middleware(engine)

    request = _request()
    response = middleware.process_request(request)
    assert response is not None
    assert (response.status, response.body, response.url) == (200, BODY, "http://wire.test/rss")
    assert response.headers.get("ETag") == b'"v1"'
    assert request.meta["redirect_urls"] == [URL]
    assert request.meta["redirect_reasons"] == [301]  # the poll moves its row as A's did
    assert request.meta[SERVED_META] == T0.isoformat()

    not_modified = middleware.process_request(_request('"v1"'))
    assert (not_modified.status, not_modified.body) == (304, b"")
    assert middleware.process_request(_request('"v0"')).status == 200
    assert middleware.process_request(_request(share=False)) is None  # nobody else watches
    assert _middleware(engine, window=30).process_request(_request()) is None  # too old
    assert _middleware(engine, max_bytes=10).process_request(_request()) is None  # too big


@pytest.mark.unit
def test_the_middleware_is_off_without_a_window() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        SharedFetchMiddleware.from_crawler(get_crawler())
