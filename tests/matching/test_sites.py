"""The site rule shared by the receiver's per-sender limits and the crawler's slots."""

from __future__ import annotations

import pytest

from crawler.matching.sites import site_of, site_of_url


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("news.example.net", "example.net"),
        ("a.b.c.example.net", "example.net"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("EXAMPLE.NET.", "example.net"),
        # the private section of the public-suffix list
        ("a.blogspot.com", "a.blogspot.com"),
        ("b.blogspot.com", "b.blogspot.com"),
        ("x.a.blogspot.com", "a.blogspot.com"),
        ("someone.github.io", "someone.github.io"),
        # multi-tenant blog platforms the private section does not split
        ("alice.wordpress.com", "alice.wordpress.com"),
        ("files.alice.wordpress.com", "alice.wordpress.com"),
        ("wordpress.com", "wordpress.com"),
        ("bob.substack.com", "bob.substack.com"),
        ("carol.tumblr.com", "carol.tumblr.com"),
        ("dave.medium.com", "dave.medium.com"),
        # unknown suffixes: the list's default rule
        ("spam1.news.test", "news.test"),
        ("localhost", "localhost"),
        ("10.0.0.1", "10.0.0.1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("", ""),
    ],
)
def test_site_of(host: str, site: str) -> None:
    assert site_of(host) == site


def test_site_of_url() -> None:
    assert site_of_url("https://s3.spam.example.net:8443/p?q") == "example.net"
    assert site_of_url("http://[::1") == ""
    assert site_of_url("not a url") == ""
