"""URL canonicalisation (table-driven, plus idempotence) and the index of our posts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.matching import PostIndex, canonicalize_url

POST = "https://example.org/2024/05/orbis-union/"


@pytest.mark.parametrize(
    "variant",
    [
        POST,
        "https://example.org/2024/05/orbis-union",
        "http://example.org/2024/05/orbis-union/",
        "HTTP://EXAMPLE.ORG/2024/05/orbis-union/",
        "https://www.example.org/2024/05/orbis-union/",
        "http://www.example.org:80/2024/05/orbis-union",
        "https://example.org:443/2024/05/orbis-union/",
        "https://m.example.org/2024/05/orbis-union/",
        "https://mobile.example.org/2024/05/orbis-union/",
        "https://amp.example.org/2024/05/orbis-union/",
        "https://example.org/2024/05/orbis-union/#comments",
        "https://example.org/2024/05/orbis-union/#comment-42",
        "https://example.org/2024/05/orbis-union/?utm_source=twitter&utm_medium=social",
        "https://example.org/2024/05/orbis-union/?UTM_Campaign=x",
        "https://example.org/2024/05/orbis-union/?fbclid=IwAR0abc",
        "https://example.org/2024/05/orbis-union/?gclid=1&msclkid=2&yclid=3&_ga=4",
        "https://example.org/2024/05/orbis-union/?mc_cid=1&mc_eid=2&igshid=3",
        "https://example.org/2024/05/orbis-union/?ref=hn&ref_src=twsrc",
        "https://example.org/2024/05/orbis-union/?replytocom=17",
        "https://example.org/2024/05/orbis-union/?share=twitter&nb=1",
        "https://example.org/2024/05/orbis-union/amp/",
        "https://example.org/2024/05/orbis-union/amp",
        "https://example.org/2024/05/orbis-union/?amp=1",
        "https://example.org/2024/05/orbis-union/?amp",
        "https://example.org/2024/05/orbis-union/?outputType=amp",
        "https://www-example-org.cdn.ampproject.org/c/s/www.example.org/2024/05/orbis-union/amp/",
        "https://www.google.com/amp/s/example.org/2024/05/orbis-union/amp/",
        "https://example.org/2024/05/./orbis-union/",
        "https://example.org/2024/06/../05/orbis-union/",
        "  https://example.org/2024/05/orbis-union/  ",
        "//example.org/2024/05/orbis-union/",
        "https://user:secret@example.org/2024/05/orbis-union/",
        "https://Example.Org./2024/05/orbis-union/",
    ],
)
def test_variants_share_one_canonical_form(variant: str) -> None:
    assert canonicalize_url(variant) == POST


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://example.com", "https://example.com/"),
        ("https://example.com:8080/x", "https://example.com:8080/x/"),
        ("http://example.com:8443/file.pdf", "https://example.com:8443/file.pdf"),
        ("https://example.com/page.html?b=2&a=1", "https://example.com/page.html?a=1&b=2"),
        ("https://example.com/a?b=2&utm_x=1&a=1#top", "https://example.com/a/?a=1&b=2"),
        ("https://example.com/Case/Path", "https://example.com/Case/Path/"),
        ("https://example.com/%7Euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9/"),
        ("https://example.com/café", "https://example.com/caf%C3%A9/"),
        ("https://例え.jp/パス", "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9/"),
        ("https://example.com/search?q=a%20b", "https://example.com/search/?q=a+b"),
        ("https://example.com/?p=123", "https://example.com/?p=123"),
        ("https://example.com/news/story.amp", "https://example.com/news/story/"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/v1.2", "https://example.com/v1.2/"),
        ("https://example.com/feed.xml", "https://example.com/feed.xml"),
        ("https://www.m.example.com/", "https://example.com/"),
        ("https://m.com/", "https://m.com/"),
        ("https://www.co/", "https://www.co/"),
        ("https://amp.dev/about", "https://amp.dev/about/"),
        ("https://[::1]:8080/x", "https://[::1]:8080/x/"),
        ("example.com/path", "https://example.com/path/"),
        ("https://example.com/?share=button", "https://example.com/?share=button"),
        ("https://example.com/?reference=1", "https://example.com/?reference=1"),
        ("mailto:press@example.com", "mailto:press@example.com"),
        ("https://example.com:99999/", "https://example.com:99999/"),
    ],
)
def test_canonical_forms(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


def test_table_entries_are_idempotent() -> None:
    for url in ("http://WWW.Example.com:80/a/amp/?utm_source=x&b=1", "https://ex.com/a.html"):
        once = canonicalize_url(url)
        assert canonicalize_url(once) == once


_SEGMENTS = st.sampled_from(
    ["a", "B", "amp", "post.html", "x.amp", "%7E", "caf%C3%A9", "é", ".", "..", "", "v1.2", "~u"]
)
_PARAMS = st.sampled_from(
    ["utm_source=x", "a=1", "b=", "amp=1", "amp", "p=3", "q=a+b", "q=a%20b", "ref=x", "z=%2F"]
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", ""]))
    host = draw(
        st.sampled_from(
            ["example.com", "WWW.Example.com", "m.example.com", "amp.www.example.com", "例え.jp"]
        )
    )
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_SEGMENTS, max_size=5)))
    query = "&".join(draw(st.lists(_PARAMS, max_size=4)))
    fragment = draw(st.sampled_from(["", "#x", "#"]))
    prefix = f"{scheme}://" if scheme else ""
    return f"{prefix}{host}{port}/{path}" + (f"?{query}" if query else "") + fragment


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(urls(), st.text(max_size=40)))
def test_canonicalisation_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


def test_post_index_finds_every_variant() -> None:
    index = PostIndex(
        [
            ("http://www.example.org/2024/05/orbis-union", 123),
            ("https://example.org/about/", None),
            ("https://other.example/2024/05/x/", 7),
        ]
    )
    assert len(index) == 3
    for variant in [
        "https://m.example.org/2024/05/orbis-union/amp/?utm_source=x#comments",
        "https://example.org/2024/05/orbis-union/comment-page-2/#comment-5",
        "https://example.org/2024/05/orbis-union/embed/",
        "https://example.org/?p=123",
        "http://www.example.org/?p=123&utm_source=feed",
        "https://example.org/index.php?p=123",
        "https://example.org/?page_id=123",
    ]:
        assert index.lookup(variant) == POST, variant
    assert index.lookup("https://www.example.org/about") == "https://example.org/about/"
    assert "https://example.org/2024/05/orbis-union" in index
    assert index.lookup("https://example.org/?p=7") is None  # id 7 belongs to the other site
    assert index.lookup("https://other.example/?p=7") == "https://other.example/2024/05/x/"
    assert index.lookup("https://example.org/?p=999") is None


def test_post_index_finds_a_post_by_its_wpme_shortlink() -> None:
    """A WordPress.com shortlink lives on another host and says nothing in its path: only the
    stored shortlink ties it to the post (#16)."""
    index = PostIndex(
        [("https://fieldnotes.wordpress.com/2021/03/02/a-post/", 77), (POST, 123)],
        [("https://wp.me/peLq9Z-1d", "https://fieldnotes.wordpress.com/2021/03/02/a-post/")],
    )
    wanted = "https://fieldnotes.wordpress.com/2021/03/02/a-post/"
    for variant in [
        "https://wp.me/peLq9Z-1d",
        "http://wp.me/peLq9Z-1d",
        "https://wp.me/peLq9Z-1d/",
    ]:
        assert index.lookup(variant) == wanted, variant
    assert index.lookup("https://wp.me/peLq9Z-1e") is None  # another post of that blog
    assert index.lookup("https://wp.me/?p=77") is None  # an id means nothing on wp.me
    assert index.lookup("https://example.org/2024/05/") is None
    assert index.lookup("https://example.org/?p=abc") is None
    assert index.lookup("not a url") is None
