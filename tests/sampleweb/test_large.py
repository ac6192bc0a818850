"""The benchmark world: starts fast, renders any page on demand, changes 10% of feeds a day."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator

import feedparser
import lxml.html
import pytest

from sampleweb import SampleWeb
from sampleweb.server.client import fetch
from sampleweb.world import bulk


@pytest.fixture(scope="module")
def large() -> Iterator[SampleWeb]:
    web = SampleWeb(scale="large")
    web.start(0)
    yield web
    web.stop()


def get(web: SampleWeb, url: str, **kw: object) -> tuple[int, dict[str, str], bytes]:
    status, headers, body = fetch(url, port=web.port, **kw)  # type: ignore[arg-type]
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, dict(headers.items()), body


def test_is_big_enough(large: SampleWeb) -> None:
    web = large
    sites = bulk.bulk_sites(web.world.bulk_sites)
    assert len(sites) >= 50
    assert len(sites) * bulk.article_count(1) >= 20_000
    assert len(sites) * bulk.FEEDS >= 5_000
    assert len(set(web.hosts())) == len(web.hosts())


def test_renders_a_sample_of_pages(large: SampleWeb) -> None:
    web = large
    rng = random.Random(7)
    for bs in rng.sample(bulk.bulk_sites(web.world.bulk_sites), 5):
        base = f"http://{bs.site.host}:{web.port}"
        assert get(web, base + "/")[0] == 200
        assert b"Sitemap:" in get(web, base + "/robots.txt")[2]
        for t in rng.sample(range(bulk.FEEDS), 3):
            status, headers, body = get(
                web, base + bulk.feed_path(bs.site, t), headers={"Accept-Encoding": "gzip"}
            )
            assert status == 200
            assert headers["ETag"]
            if bs.site.feed_format == "jsonfeed":
                links = [item["url"] for item in json.loads(body)["items"]]
            else:
                parsed = feedparser.parse(body)
                assert not parsed.bozo
                links = [e.link for e in parsed.entries]
            assert 20 <= len(links) <= 50
            link = links[0]
            status, _, page = get(web, link)
            assert status == 200
            doc = lxml.html.fromstring(page)
            words = doc.xpath('string(//*[@itemprop="articleBody"])').split()
            assert 250 <= len(words) <= 900
            assert doc.xpath('//section[contains(@class,"related-stories")]//a')


def test_ten_percent_of_feeds_change_per_day(large: SampleWeb) -> None:
    web = large
    sites = bulk.bulk_sites(web.world.bulk_sites)[:3]
    urls = [
        (bs, t, f"http://{bs.site.host}:{web.port}{bulk.feed_path(bs.site, t)}")
        for bs in sites
        for t in range(bulk.FEEDS)
    ]
    try:
        etags = {url: get(web, url, method="HEAD")[1]["ETag"] for _, _, url in urls}
        web.set_day(2)
        changed = [
            (bs.index, t)
            for bs, t, url in urls
            if get(web, url, headers={"If-None-Match": etags[url]})[0] == 200
        ]
    finally:
        web.set_day(1)
    assert len(changed) == len(urls) // 10
    assert all(bulk.touched(s, t, 2) for s, t in changed)


def test_large_truth_counts(large: SampleWeb) -> None:
    web = large
    truth = web.truth()
    bulk_feeds = [f for f in truth["feeds"] if f.get("bulk")]
    assert len(bulk_feeds) == 5000
    assert all(20 <= f["entry_count"] <= 50 for f in bulk_feeds)
    assert sum(1 for f in bulk_feeds if 2 in f["changes_on_days"]) == 500
    assert truth["bulk"]["articles"] >= 20_000
    assert any(
        m["site"].startswith("www.") and m["kind"] == "press" and "ora" in m["queries"]
        for m in truth["mentions"]
    )
