"""The correctness test: harvest the sample world and find exactly its ground truth.

After a poll registers the organisation's posts (from its own feed), one harvest must find
every linkback of the truth (pingbacks, trackbacks, reblogs with their notes, webmentions,
comments with their authors and the organisation's own replies marked), with the right kind
and target post, on every theme's markup, and nothing else; a second harvest finds nothing
new and stores nothing twice; on day 2 the harvest finds the new post's pingback and the
re-check marks the removed links deleted. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.matching.urls import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.linkbacks import harvest_posts
from crawler.storage.mentions import record_mentions
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import (
    NOW,
    ORG_AUTHOR,
    expected_linkbacks,
    stored_mentions,
    write_config,
)
from tests.helpers import in_child

pytestmark = pytest.mark.slow

KINDS = ("pingback", "trackback", "reblog", "webmention", "comment")


def _record_links(db_url: str, org: str, items: list[dict[str, Any]]) -> None:
    mentions = [
        Mention(
            org=org,
            document=Document(canonicalize_url(i["source"]), i["source"], title=i["title"]),
            kind=MentionKind.LINK,
            found_via=FoundVia.CRAWL,
            target=canonicalize_url(i["target"]),
        )
        for i in items
    ]
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        record_mentions(session, mentions, NOW)
    engine.dispose()


def _poll(config: Path, db_url: str) -> None:
    report = in_child("poll", str(config), db_url, timeout=60, all_sources=True, now=NOW)
    assert report.exit_status == 0, report.error
    assert report.posts > 0


def test_harvest_finds_the_ground_truth_and_nothing_else(
    day_web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    web = day_web
    config = write_config(tmp_path / "mediamon.toml", web)
    truth = web.truth()
    _poll(config, migrated)

    report = in_child("harvest", str(config), migrated, timeout=90, now=NOW)
    assert report.exit_status == 0, report.error
    day1 = [p for p in truth["posts"] if p["day"] == 1]
    assert report.posts == len(day1)
    assert report.posts_failed == 0

    expected = expected_linkbacks(truth, day=1)
    mentions = stored_mentions(migrated)
    found = {(m.kind, m.key, m.target) for m in mentions}
    assert found - expected == set(), "found what the truth does not have"
    assert expected - found == set(), "missed linkbacks of the truth"
    assert len(mentions) == len(expected)  # one mention per coverage item
    counts = Counter(kind for kind, _, _ in expected)
    assert report.pingbacks == counts["pingback"]
    assert report.reblogs == counts["reblog"]
    assert report.new == len(expected)

    # Every theme of the sample blog is covered by the truth, and harvested.
    themes = {p["theme"] for p in day1}
    assert {"old-cite", "long-ping", "html5-short-ping", "ping-list"} <= themes

    by_key = {(m.kind, m.key): m for m in mentions}
    for item in truth["linkbacks"]:
        if item["kind"] == "link" or item["day"] > 1:
            continue
        if item["kind"] == "comment":
            base, _, fragment = item["source"].partition("#")
            mention = by_key[("comment", f"{canonicalize_url(base)}#{fragment}")]
            assert mention.author == item["author"]
            assert mention.by_organisation == item["by_organisation"]
            assert mention.found_via == "comments"
            continue
        mention = by_key[(item["kind"], canonicalize_url(item["source"]))]
        assert mention.status == "live"
        assert mention.title, mention  # the source page was fetched and described
        assert mention.language == "en"
        assert mention.context or mention.kind == "reblog"
        assert mention.next_check_at == NOW + timedelta(days=1)
        if item["kind"] == "reblog":
            assert mention.note == (item["note"] or "")
            assert mention.author == item["author"]
            if "pingback" in item["also"]:  # seen as a comment and a pingback: one item
                assert {"comments", "api"} <= set(mention.routes)
    assert any(m.by_organisation and m.author == ORG_AUTHOR for m in mentions)

    lines = {line.url: line for line in report.lines}
    for post in day1:
        line = lines[post["url"]]
        assert set(line.routes_ok) >= {"html", "feed", "wpcom-api", "xmlrpc"}, line
        assert "rest_forbidden_param" in line.routes_unavailable["wp-rest"]
        feed = next(f for f in truth["feeds"] if f["url"] == post["comment_feed"])
        assert ("feed" in line.truncated) == (feed["entry_count"] >= 10)
    engine = make_engine(migrated)
    with session_scope(engine) as session:
        harvested = harvest_posts(session, truth["organisation"]["name"])
    engine.dispose()
    assert {p.url: p.last_harvested_at for p in harvested if p.url in lines} == dict.fromkeys(
        lines, NOW
    )

    again = in_child("harvest", str(config), migrated, timeout=90, now=NOW, all_posts=True)
    assert again.exit_status == 0, again.error
    assert again.new == 0
    assert again.sources_checked == 0  # known sources are not fetched again
    assert again.linkbacks == len(expected)
    assert len(stored_mentions(migrated)) == len(expected)

    # Day 2: a new post with a pingback; one source answers 410, another lost its link.
    web.set_day(2)
    later = NOW + timedelta(days=1, hours=2)
    _poll(config, migrated)
    day2 = in_child("harvest", str(config), migrated, timeout=90, now=later)
    assert day2.exit_status == 0, day2.error
    truth2 = web.truth()
    found2 = {(m.kind, m.key, m.target) for m in stored_mentions(migrated)}
    assert found2 == expected_linkbacks(truth2, day=2)

    # The crawler (another job) stored the links it found; the re-check covers them too.
    links = [i for i in truth2["linkbacks"] if i["kind"] == "link"]
    _record_links(migrated, truth2["organisation"]["name"], links)
    rechecked = in_child("recheck", str(config), migrated, timeout=90, now=later)
    assert rechecked.exit_status == 0, rechecked.error
    removed = {canonicalize_url(i["source"]) for i in truth2["linkbacks"] if i["removed_on_day"]}
    assert len(removed) == 2  # one page answers 410, one lost its link
    statuses = {m.key: m.status for m in stored_mentions(migrated) if m.kind != "comment"}
    assert {k for k, s in statuses.items() if s == "deleted"} == removed
    assert rechecked.deleted == len(removed)
    assert rechecked.live == rechecked.checked - len(removed)
