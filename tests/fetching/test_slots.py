"""Download slots per blog on shared hosts (#16): the downloader groups requests by site with
the receiver's rule (``crawler.matching.sites.site_of``), so two blogs on one platform have a
slot each (fetched side by side) and the pages of one blog share one (held to the per-site
limit and delay)."""

from __future__ import annotations

import pytest
from scrapy import Request

from crawler.matching.sites import site_key, site_of
from crawler.middlewares import HostBlockMiddleware


@pytest.mark.parametrize(
    ("host", "slot"),
    [
        # The private section of the public-suffix list: a slot per blog.
        ("alice.blogspot.com", "alice.blogspot.com"),
        ("bob.github.io", "bob.github.io"),
        # Platforms the list leaves out: a slot per blog too.
        ("alice.wordpress.com", "alice.wordpress.com"),
        ("news.substack.com", "news.substack.com"),
        ("someone.tumblr.com", "someone.tumblr.com"),
        ("www.alice.wordpress.com", "alice.wordpress.com"),
        # Ordinary sites: every subdomain in the site's one slot.
        ("www.example.co.uk", "example.co.uk"),
        ("feeds.news.example.com", "example.com"),
        ("orbitalregistry.test", "orbitalregistry.test"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_slot_is_the_site(host: str, slot: str) -> None:
    assert site_key(host) == slot
    assert site_key(host) == (site_of(host) or host)  # one rule with the receiver


def _slot(url: str, middleware: HostBlockMiddleware) -> str:
    request = Request(url)
    middleware.process_request(request)
    return str(request.meta["download_slot"])


def test_two_blogs_on_one_platform_get_two_slots_and_one_blog_one() -> None:
    middleware = HostBlockMiddleware({})
    alice = _slot("https://alice.wordpress.com/2026/10/27/post/", middleware)
    bob = _slot("https://bob.wordpress.com/2026/10/27/post/", middleware)
    assert alice != bob  # fetched in parallel, each under its own per-site limit
    again = _slot("https://alice.wordpress.com/2026/10/28/other/", middleware)
    assert again == alice  # two pages of one blog: one slot, one limit
    blogs = {_slot(f"https://blog{i}.blogspot.com/", middleware) for i in range(50)}
    assert len(blogs) == 50


def test_a_slot_set_by_the_spider_is_kept() -> None:
    request = Request("https://alice.wordpress.com/", meta={"download_slot": "mine"})
    HostBlockMiddleware({}).process_request(request)
    assert request.meta["download_slot"] == "mine"
