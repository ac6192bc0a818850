"""Bad input never crashes a run: every parser returns what it can on arbitrary bytes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.linkbacks.comments import parse_comments
from crawler.linkbacks.discovery import discover, parse_link_header
from crawler.linkbacks.feeds import parse_comment_feed
from crawler.linkbacks.verify import verify_source
from crawler.linkbacks.xmlrpc import PingOutcome, interpret_ping_response

FAST = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Fragments of the markup the parsers look for, so the fuzzing reaches the interesting paths.
PIECES = [
    "<li id='comment-1' class='pingback'>",
    "<li class='comment'>",
    "<ol class='ping-list'>",
    "<div class='comment-body'>Pingback: ",
    "<a href='http://[::1'>",
    "<a href='https://x.example/'>",
    "<a href=''>",
    "Reblogged this on ",
    " and commented:",
    "[…]",
    "<link rel='webmention' href=''>",
    '<link rel="pingback" href="&amp;">',
    "<!--",
    "-->",
    "<rdf:RDF><rdf:Description trackback:ping='x' dc:identifier='[' />",
    "</rdf:RDF>",
    "<time datetime='2024-13-45'>",
    "<meta http-equiv='Status' content='410'>",
    "<div class='wpcom-reblog-snapshot'><p class='reblog-source'><a href='//'>",
    "\x00",
    "\ud800",
    "</li></ol>",
]
markup = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=30).map(
    "".join
)


@FAST
@given(markup)
def test_comments_never_raise(html: str) -> None:
    assert isinstance(parse_comments(html, "https://blog.example/p/"), list)


@FAST
@given(markup, st.text(max_size=60))
def test_discovery_never_raises(html: str, link: str) -> None:
    discover("https://ex.example/p", [("Link", link), ("X-Pingback", link)], html)
    parse_link_header(link)


@FAST
@given(markup, st.sampled_from([200, 410, 503]))
def test_verify_never_raises(html: str, status: int) -> None:
    verify_source("https://s.example/", status, [], html, "https://x.example/")


@FAST
@given(st.binary(max_size=300))
def test_feed_and_xmlrpc_never_raise(body: bytes) -> None:
    parse_comment_feed(body)
    assert interpret_ping_response(body).outcome is PingOutcome.BAD_RESPONSE
