"""The press pipeline against the sample web's ground truth, on SQLite and PostgreSQL.

Days 1, 2 and 3 of the small world are polled (feeds, article pages, the organisation's own
feed) and crawled (the sitemap-only paper), each run in a child process as the scheduler runs
them. After each day the stored coverage must be exactly the truth's: every press and blog
mention with its kind, queries, terms and target (recall 1.0), nothing else stored as press
or blog (precision 1.0), no decoy stored at all, the syndicated story clustered with the right
original. Links to our posts: every ``link`` linkback of the truth is found, as a ``link``
mention or as the target of the page's press/blog mention; the only other ``link`` mentions
are pages whose truth kind is stronger (a trackback or a reblog the harvester reports), and
once those stronger linkbacks are stored the links fold into them (no double counting).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.domain import Document, FoundVia, Mention, MentionKind
from crawler.matching import canonicalize_url
from crawler.storage.db import make_engine, session_scope
from crawler.storage.mentions import list_mentions, record_mentions, retire_superseded_links
from crawler.storage.stories import list_stories
from sampleweb.server.router import SampleWeb
from tests.helpers import in_child
from tests.press.conftest import sample_config

pytestmark = pytest.mark.slow

Key = tuple[str, str]


def canon(url: str | None) -> str:
    return canonicalize_url(url) if url else ""


def bare(terms: Any) -> set[str]:
    """Terms as the truth writes them: without the query's quotes and braces."""
    return {t.strip('"{}') for t in terms}


def stored(db_url: str, org: str) -> list[Any]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        rows = list_mentions(session, org)
    engine.dispose()
    return rows


def check_coverage(truth: dict[str, Any], day: int, rows: list[Any]) -> tuple[float, float]:
    """Press and blog mentions against the truth up to ``day``; returns (precision, recall)."""
    expected = {(canon(m["url"]), m["kind"]): m for m in truth["mentions"] if m["day"] <= day}
    got = {(r.canonical_url, r.kind.value): r for r in rows if r.kind.value in ("press", "blog")}
    assert len(got) == len([r for r in rows if r.kind.value in ("press", "blog")])
    right = 0
    for key, row in got.items():
        want = expected.get(key)
        if want is None:
            continue
        assert sorted(row.queries) == sorted(want["queries"]), key
        assert bare(row.terms) == set(want["terms"]), key
        assert canon(row.target) == canon(want["target"]), key
        assert row.snippet, key
        for start, end in row.hits:  # hits are offsets into the snippet
            assert 0 <= start < end <= len(row.snippet)
        right += 1
    precision = right / len(got) if got else 1.0
    recall = right / len(expected) if expected else 1.0
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not missing, f"day {day}: missing {missing}"
    assert not extra, f"day {day}: extra {extra}"
    return precision, recall


def check_decoys(truth: dict[str, Any], day: int, rows: list[Any]) -> None:
    decoys = {canon(d["url"]) for d in truth["decoys"] if d["day"] <= day}
    assert decoys
    hit = sorted(r.canonical_url for r in rows if r.canonical_url in decoys)
    assert not hit, f"decoys stored as mentions: {hit}"


def link_expectations(truth: dict[str, Any], day: int) -> tuple[set[Key], dict[Key, str]]:
    """(the (page, post) pairs that must be ``link`` mentions, the pairs a crawl may also see
    as links whose truth kind is stronger -> that kind)."""
    coverage_targets = {
        (canon(m["url"]), canon(m["target"])) for m in truth["mentions"] if m["target"]
    }
    must: set[Key] = set()
    stronger: dict[Key, str] = {}
    for lb in truth["linkbacks"]:
        if lb["day"] > day or not lb["source"].split("#")[0].startswith("http"):
            continue
        pair = (canon(lb["source"]), canon(lb["target"]))
        if lb["kind"] == "link":
            if pair not in coverage_targets:
                must.add(pair)
        elif lb["kind"] in ("pingback", "trackback", "reblog", "webmention"):
            stronger[pair] = lb["kind"]
    return must, stronger


def check_links(truth: dict[str, Any], day: int, rows: list[Any]) -> dict[Key, str]:
    must, stronger = link_expectations(truth, day)
    links = {(r.canonical_url, canon(r.target)) for r in rows if r.kind is MentionKind.LINK}
    assert must <= links, f"day {day}: links missing {sorted(must - links)}"
    unexplained = links - must - set(stronger)
    assert not unexplained, f"day {day}: links the truth does not have {sorted(unexplained)}"
    truth_links = {
        (canon(lb["source"]), canon(lb["target"]))
        for lb in truth["linkbacks"]
        if lb["kind"] == "link" and lb["day"] <= day
    }
    coverage = {
        (r.canonical_url, canon(r.target)) for r in rows if r.target and r.kind.value != "link"
    }
    assert truth_links <= links | coverage  # every truth link is found, once
    return {pair: stronger[pair] for pair in links - must}


def check_stories(truth: dict[str, Any], db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        stories = list_stories(session)
    engine.dispose()
    expected = {
        (canon(s["original"]), frozenset(canon(p) for p in s["pickups"])) for s in truth["stories"]
    }
    got = {(s.original, frozenset(s.pickups)) for s in stories}
    assert got == expected


def fold_stronger(db_url: str, org: str, pairs: dict[Key, str]) -> None:
    """Store the stronger linkbacks as the harvester would, then fold the links into them."""
    engine = make_engine(db_url)
    later = datetime.now(UTC) + timedelta(days=1)
    mentions = [
        Mention(
            org=org,
            document=Document(canonical_url=page, url=page),
            kind=MentionKind(kind),
            found_via=FoundVia.COMMENTS,
            target=post,
        )
        for (page, post), kind in pairs.items()
    ]
    with session_scope(engine) as session:
        record_mentions(session, mentions, later)
        folded = retire_superseded_links(session, org)
    engine.dispose()
    assert folded == len(pairs)


def test_poll_and_crawl_match_the_ground_truth(
    sample_web: SampleWeb, migrated: str, tmp_path: Path
) -> None:
    web = sample_web
    web.set_day(1)
    config = sample_config(web, tmp_path / "mediamon.toml")
    org = web.world.org.name
    stronger: dict[Key, str] = {}
    try:
        for day in (1, 2, 3):
            web.set_day(day)
            poll = in_child("poll", str(config), migrated, timeout=120, all_sources=True)
            assert poll.exit_status == 0, poll.error
            assert poll.errors == 0
            assert poll.article_errors == 0
            crawl = in_child("crawl", str(config), migrated, timeout=120)
            assert crawl.exit_status == 0, crawl.error
            assert crawl.sources == 1  # the sitemap-only paper, discovered by the poll
            assert crawl.known >= 1  # what the poll stored is not fetched again
            truth = web.truth()
            rows = stored(migrated, org)
            precision, recall = check_coverage(truth, day, rows)
            assert (precision, recall) == (1.0, 1.0)
            check_decoys(truth, day, rows)
            stronger = check_links(truth, day, rows)
            check_stories(truth, migrated)
        assert stronger, "the crawl sees the links of trackback and reblog pages too"
        assert set(stronger.values()) <= {"trackback", "reblog", "pingback", "webmention"}
        fold_stronger(migrated, org, stronger)
        rows = stored(migrated, org)
        must, _ = link_expectations(web.truth(), 3)
        assert {
            (r.canonical_url, canon(r.target)) for r in rows if r.kind is MentionKind.LINK
        } == must
    finally:
        web.set_day(1)
