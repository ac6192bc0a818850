"""Between sweeps (#16): the site-wide comment feed catches a new comment on an old post
that is not due, and that post alone is harvested in the same run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from crawler.domain import Platform, Post
from crawler.matching.urls import canonicalize_url
from crawler.runs.linkbacks import select_posts
from crawler.storage.db import make_engine, session_scope
from crawler.storage.linkbacks import harvest_posts
from crawler.storage.migrate import upgrade
from crawler.storage.models import PostRow
from crawler.storage.posts import upsert_posts
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import (
    FIXTURE_HOST,
    NOW,
    FixtureSite,
    stored_mentions,
    write_config,
)
from tests.harvest.test_routes import rss_comments
from tests.helpers import in_child

pytestmark = pytest.mark.slow
LAST_HARVEST = NOW - timedelta(hours=1)


def site_feed(items: list[tuple[str, int, str]]) -> str:
    """A site-wide comment feed: (post URL, comment id, RFC 822 date) per item."""
    body = "".join(
        f"<item><title>On: a post, by Reader {cid}</title><link>{post}#comment-{cid}</link>"
        f"<dc:creator><![CDATA[Reader {cid}]]></dc:creator><pubDate>{when}</pubDate>"
        f'<guid isPermaLink="false">{post}#comment-{cid}</guid>'
        f"<description><![CDATA[Comment {cid}.]]></description></item>"
        for post, cid, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments</title>'
        f"<link>x</link><description>x</description>{body}</channel></rss>"
    )


def test_new_comment_on_an_old_post_pulls_it_in(
    web: SampleWeb, fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path
) -> None:
    migrated = sqlite_url
    engine = make_engine(migrated)
    upgrade(engine)
    engine.dispose()
    old, quiet = fixture_site.url("/2019/old/"), fixture_site.url("/2019/quiet/")
    page = "<html><head><title>Old</title></head><body><p>An old post.</p></body></html>"
    fixture_site.add("/2019/old/", 200, page)
    fixture_site.add("/2019/quiet/", 200, page)
    fixture_site.add(
        "/2019/old/feed/", 200, rss_comments(old, [31]), Content_Type="application/rss+xml"
    )
    when_new = (NOW - timedelta(minutes=20)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    feed = site_feed([(old, 31, when_new), (quiet, 7, "Mon, 04 Mar 2019 10:00:00 +0000")])
    fixture_site.add("/comments/feed/", 200, feed, Content_Type="application/rss+xml")
    config = write_config(tmp_path / "m.toml", web, extra_hosts={FIXTURE_HOST: "127.0.0.1"})
    text = config.read_text().replace("[linkbacks]\n", "[linkbacks]\nsweep_days = 365\n")
    config.write_text(text)

    org = web.world.org.name
    engine = make_engine(migrated)
    with session_scope(engine) as session:
        posts = [
            Post(org, canonicalize_url(u), u, "Old post", platform=Platform.WORDPRESS)
            for u in (old, quiet)
        ]
        upsert_posts(session, posts, NOW - timedelta(days=2000), site_url=fixture_site.url("/"))
        session.execute(update(PostRow).values(last_harvested_at=LAST_HARVEST))
        assert select_posts(harvest_posts(session, org), NOW, 60, sweep_days=365) == []
    engine.dispose()

    report = in_child("harvest", str(config), migrated, timeout=90, now=NOW)
    assert report.exit_status == 0, report.error
    assert [line.url for line in report.lines] == [old]  # the quiet post was left alone
    found = {(m.kind, m.key) for m in stored_mentions(migrated)}
    assert ("comment", f"{canonicalize_url(old)}#comment-31") in found


def test_wordpress_com_site_listing_pulls_in_the_posts_it_shows(web: SampleWeb) -> None:
    """The WordPress.com API's site-wide comment listing (the sample web's real answer) pulls
    in each watched post with a comment newer than its last harvest, once; not the others."""
    import asyncio

    from scrapy.http import Request, TextResponse

    from crawler.harvest.model import PostTask
    from crawler.spiders.linkbacks import LinkbackSpider, site_comments_url
    from sampleweb.server.client import fetch

    truth = web.truth()
    site = web.url(web.world.org.host)
    api = truth["organisation"]["wpcom_api_base"]
    url = site_comments_url(api, site)
    status, _, body = fetch(url, port=web.port)
    assert status == 200
    posts = {p["wp_post_id"]: p for p in truth["posts"] if p["day"] <= 1}
    commented = sorted(
        {i["post_id"] for i in truth["linkbacks"] if i["day"] <= 1 and i["comment_ids"]}
    )
    assert len(commented) >= 2
    far_future = NOW + timedelta(days=3650)
    watch = [
        PostTask(
            post_id=wp_id,
            url=posts[wp_id]["url"],
            canonical_url=canonicalize_url(posts[wp_id]["url"]),
            wp_post_id=wp_id,
            site_url=site,
            last_harvested_at=NOW - timedelta(days=3650) if wp_id == commented[0] else far_future,
        )
        for wp_id in posts
    ]
    spider = LinkbackSpider(watch=watch, wpcom_api=api)
    response = TextResponse(
        url, status=200, body=body, headers={"Content-Type": "application/json"},
        request=Request(url, meta={"site": site}),
    )  # fmt: skip

    async def collect() -> list[str]:
        return [r.url async for r in spider.parse_wpcom_watch(response)]

    assert asyncio.run(collect()) == [posts[commented[0]]["url"]]
    assert asyncio.run(collect()) == []  # pulled once per run
