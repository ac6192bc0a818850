"""Issue #15's causes, one small crafted feed each: what real servers send that a strict
reader loses (mislabelled types, text titles with ``<``, undefined entities, wrong encodings,
entries without ``<link>``), and the bad inputs that must be refused or recovered with a
recorded reason (entity bombs, huge bodies, undeclared gzip, odd dates, repeated guids)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import feedparser
import pytest

from crawler.feeds.model import ParsedFeed
from crawler.feeds.parse import parse_feed
from crawler.feeds.sniff import decode, sniff

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)
URL = "https://wild.test/feed"


def parse(body: bytes, content_type: str = "application/rss+xml", **kw: int) -> ParsedFeed:
    return parse_feed(body, url=URL, headers={"Content-Type": content_type}, now=NOW, **kw)


def rss(items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{declaration}<rss version="2.0"><channel><title>Wild</title>'
        f"<link>https://wild.test/</link>{items}</channel></rss>"
    )


TWO_ITEMS = rss(
    "<item><title>One</title><link>https://wild.test/1</link></item>"
    "<item><title>Two</title><link>https://wild.test/2</link></item>"
)
JSON_FEED = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": '
    b'[{"id": "j1", "url": "https://wild.test/j1", "title": "Jay"}]}'
)


# -- sniff, then trust ----------------------------------------------------------------------


@pytest.mark.parametrize("served_as", ["application/json", "text/plain", "text/html"])
def test_xml_served_as_something_else_is_read_and_flagged(served_as: str) -> None:
    feed = parse(TWO_ITEMS.encode(), f"{served_as}; charset=utf-8")
    assert feed.ok, feed.error
    assert [e.title for e in feed.entries] == ["One", "Two"]
    assert feed.served_as == served_as
    assert f"served as {served_as}" in feed.warning


@pytest.mark.parametrize("served_as", ["text/xml", "application/rss+xml", "text/html"])
def test_json_feed_served_as_xml_or_html_is_read_and_flagged(served_as: str) -> None:
    feed = parse(JSON_FEED, served_as)
    assert feed.ok, feed.error
    assert feed.format == "json11"
    assert [e.link for e in feed.entries] == ["https://wild.test/j1"]
    assert feed.served_as == served_as


def test_correctly_labelled_feeds_are_not_flagged() -> None:
    assert parse(TWO_ITEMS.encode(), "application/rss+xml").served_as == ""
    assert parse(JSON_FEED, "application/feed+json").served_as == ""


def test_an_html_page_is_still_an_html_page() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>"
    feed = parse(page, "application/rss+xml")
    assert not feed.ok
    assert feed.error == "parse error: html?"  # the spider's cue to discover the feed


@pytest.mark.parametrize(
    "page",
    [
        b"<!-- generated --><head><meta charset=utf-8><title>x</title></head><body>hi</body>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b"<div>not a feed</div>",
    ],
)
def test_tag_soup_without_a_doctype_is_an_html_page(page: bytes) -> None:
    assert parse(page, "text/html").error == "parse error: html?"


def test_xml_that_is_no_feed_says_so() -> None:
    feed = parse(b'<?xml version="1.0"?><config><a>1</a></config>', "application/xml")
    assert feed.error == "parse error: XML, but no RSS, RDF or Atom root element"


# -- decoding: BOM, declaration, HTTP charset, detection --------------------------------------

TITLE = "Ça coûte 5 € à Zürich"


def test_utf16_with_bom_and_a_utf8_declaration() -> None:
    body = rss(f"<item><title>{TITLE}</title><link>https://wild.test/1</link></item>")
    feed = parse(body.encode("utf-16"), "application/xml; charset=utf-8")
    assert feed.entries[0].title == TITLE
    assert (feed.encoding_from, feed.encoding) == ("bom", "utf-16-le")


def test_utf16_without_bom_or_declaration() -> None:
    body = rss(f"<item><title>{TITLE}</title><link>https://wild.test/1</link></item>", "")
    feed = parse(body.encode("utf-16-le"), "text/xml")
    assert feed.ok, feed.error
    assert feed.entries[0].title == TITLE
    assert feed.encoding_from == "byte pattern"
    assert feedparser.parse(body.encode("utf-16-le")).get("version") == ""  # the old "no version"


def test_declaration_beats_http_charset() -> None:
    body = rss(
        f"<item><title>{TITLE}</title><link>https://wild.test/1</link></item>",
        '<?xml version="1.0" encoding="iso-8859-15"?>',
    ).encode("iso-8859-15")
    feed = parse(body, "text/xml; charset=utf-8")
    assert feed.entries[0].title == TITLE
    assert (feed.encoding, feed.encoding_from) == ("iso8859-15", "xml declaration")


def test_http_charset_when_there_is_no_declaration() -> None:
    body = rss(f"<item><title>{TITLE}</title><link>https://wild.test/1</link></item>", "")
    feed = parse(body.encode("iso-8859-15"), "text/xml; charset=ISO-8859-15")
    assert feed.entries[0].title == TITLE
    assert feed.encoding_from == "http charset"


def test_a_lying_declaration_falls_through_to_detection() -> None:
    text = "Les élèves déjà là, à côté de l'église: trois réponses étonnées " * 5
    body = rss("<item><title>Élan</title><link>https://wild.test/1</link></item>")
    body = body.replace("<title>Élan", f"<title>Élan</title><description>{text}</description><x>")
    body = body.replace("</item>", "</x></item>")
    feed = parse(body.encode("cp1252"), "text/xml; charset=utf-8")
    assert feed.entries[0].title == "Élan"
    assert feed.encoding_from == "detected"
    assert "declared utf-8 does not decode" in feed.warning


def test_decode_order_is_recorded() -> None:
    assert decode(b"\xef\xbb\xbf<rss/>")[2] == "bom"
    assert decode(b"<rss/>")[1:] == ("utf-8", "default")


# -- titles and text without loss -------------------------------------------------------------


def test_plain_text_title_keeps_its_angle_brackets() -> None:
    feed = parse(
        rss(
            "<item><title>Using &lt;div&gt; tags when a &lt; b</title>"
            "<link>https://wild.test/1</link></item>"
        ).encode()
    )
    assert feed.entries[0].title == "Using <div> tags when a < b"


def test_html_title_is_reduced_to_text_without_losing_words() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>urn:1</id>'
        b'<link href="https://wild.test/1"/>'
        b'<title type="html">A &lt;em&gt;bold&lt;/em&gt; mo&lt;b&gt;v&lt;/b&gt;e, '
        b"&amp;amp; more</title></entry></feed>"
    )
    assert parse(body, "application/atom+xml").entries[0].title == "A bold move, & more"


def test_entities_are_decoded_once_and_whitespace_normalised() -> None:
    feed = parse(
        rss(
            "<item><title>  Tom &amp;amp; Jerry\n\t &amp; friends </title>"
            "<link>https://wild.test/1</link></item>"
        ).encode()
    )
    # Double-escaped by the publisher: feedparser flags it as HTML, decoded exactly once more.
    assert feed.entries[0].title == "Tom & Jerry & friends"


def test_undefined_entities_do_not_cost_a_single_entry() -> None:
    body = rss(
        "<item><title>Caf&eacute;&nbsp;cr&egrave;me</title><link>https://wild.test/1</link>"
        "<description>&hellip; &copy; &unknownthing;</description></item>"
        "<item><title>Two</title><link>https://wild.test/2</link></item>"
    ).encode()
    feed = parse(body)
    assert [e.title for e in feed.entries] == ["Café crème", "Two"]  # no-break space: space
    assert not feed.error  # read by the strict parser: &unknownthing; stays text
    assert feedparser.parse(body).get("bozo")  # where bare feedparser needed its loose parser


# -- linkless entries -------------------------------------------------------------------------


def test_rdf_item_whose_only_url_is_rdf_about() -> None:
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://wild.test/">'
        b'<title>R</title></channel><item rdf:about="https://wild.test/about-only">'
        b"<title>About</title></item></rdf:RDF>"
    )
    feed = parse(body, "application/rdf+xml")
    assert [e.link for e in feed.entries] == ["https://wild.test/about-only"]


def test_atom_entries_with_id_url_untyped_alternate_or_other_rel() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b"<entry><id>https://wild.test/by-id</id><title>By id</title></entry>"
        b'<entry><id>urn:x:2</id><title>Alt</title><link rel="alternate" href="/alt"/></entry>'
        b'<entry><id>urn:x:3</id><title>Rel</title><link rel="related" href="/rel"/></entry>'
        b"</feed>"
    )
    feed = parse(body, "application/atom+xml")
    assert [e.link for e in feed.entries] == [
        "https://wild.test/by-id",
        "https://wild.test/alt",
        "https://wild.test/rel",
    ]


def test_an_entry_without_any_url_is_kept_with_its_id() -> None:
    body = rss(
        '<item><title>No link</title><guid isPermaLink="false">post-17</guid>'
        "<description>The Orbis agency said so.</description></item>"
        "<item><title>Untitled twin</title><description>first text</description></item>"
        "<item><title>Untitled twin</title><description>second text</description></item>"
    ).encode()
    feed = parse(body)
    assert [e.link for e in feed.entries] == ["", "", ""]
    first = feed.entries[0]
    assert (first.key, first.text) == ("guid:post-17", "The Orbis agency said so.")
    assert first.has_full_text  # no page to fetch: its own text is what is matched
    assert first.canonical_url.startswith(URL + "/#entry-")  # the feed's canonical URL
    assert len({e.key for e in feed.entries}) == len({e.canonical_url for e in feed.entries}) == 3
    again = parse(body)
    assert [e.canonical_url for e in again.entries] == [e.canonical_url for e in feed.entries]


# -- bad input --------------------------------------------------------------------------------


def test_xml_bomb_is_refused_with_a_reason() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;">]>'
        b'<rss version="2.0"><channel><title>&d;</title><item><title>&d;</title>'
        b"<link>https://wild.test/1</link></item></channel></rss>"
    )
    feed = parse(bomb)
    assert not feed.ok
    assert feed.error == "parse error: entity declarations refused (entity expansion guard)"


def test_external_entity_is_refused() -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + TWO_ITEMS.split("?>", 1)[1].replace("<title>One", "<title>&x;One")
    ).encode()
    assert "entity declarations refused" in parse(body).error


def test_a_50_mb_feed_is_refused_by_size() -> None:
    item = "<item><title>x</title><link>https://wild.test/x</link></item>"
    body = rss(item * (50 * 2**20 // len(item) + 1)).encode()
    assert len(body) > 50 * 2**20
    feed = parse(body)
    assert not feed.ok
    assert feed.error == "parse error: too large (50 MB)"


def test_gzip_body_with_a_wrong_content_encoding_is_inflated() -> None:
    feed = parse(gzip.compress(TWO_ITEMS.encode()))
    assert [e.title for e in feed.entries] == ["One", "Two"]
    assert "gzip body without Content-Encoding" in feed.warning


def test_gzip_bomb_stops_at_the_size_limit() -> None:
    body = gzip.compress(b"<rss>" + b" " * (3 * 2**20))
    feed = parse_feed(body, url=URL, now=NOW, max_bytes=2**20)
    assert feed.error.startswith("parse error: too large (gzip body inflates past")


def test_sniff_refuses_truncated_gzip() -> None:
    assert "does not inflate" in sniff(b"\x1f\x8b\x08\x00garbage").error


def test_future_1970_and_local_language_dates() -> None:
    body = rss(
        "<item><title>F</title><link>https://wild.test/f</link>"
        "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
        "<item><title>E</title><link>https://wild.test/e</link>"
        "<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>"
        "<item><title>D</title><link>https://wild.test/d</link>"
        "<pubDate>Mo, 09 Nov 2026 10:00:00 +0100</pubDate></item>"
        "<item><title>Fr</title><link>https://wild.test/fr</link>"
        "<pubDate>lun., 9 nov. 2026 08:30:00 +0000</pubDate></item>"
    ).encode()
    future, epoch, german, french = parse(body).entries
    assert (future.published_at, future.date_in_future) == (NOW, True)
    assert epoch.published_at is None  # a placeholder, not a date
    assert german.published_at == datetime(2026, 11, 9, 9, tzinfo=UTC)
    assert french.published_at == datetime(2026, 11, 9, 8, 30, tzinfo=UTC)
    assert parse(body).future_dates == 1


def test_duplicate_guids_inside_one_feed() -> None:
    same = "<item><title>{t}</title><link>https://wild.test/{l}</link><guid>g-1</guid></item>"
    repeated = rss(same.format(t="A", l="a") + same.format(t="A", l="a"))
    feed = parse(repeated.encode())
    assert [e.key for e in feed.entries] == ["guid:g-1"]
    assert feed.dropped == 1  # counted, not silent
    stamped = rss(same.format(t="A", l="a") + same.format(t="B", l="b"))
    keys = [e.key for e in parse(stamped.encode()).entries]
    assert keys == ["link:https://wild.test/a/", "link:https://wild.test/b/"]


def test_the_parser_never_raises() -> None:
    for body in (b"\x00\xff" * 100, b"<", b"{", b"<?xml?>", b"\xfe\xff\x00<", b"<rss>" * 1000):
        feed = parse(body)
        assert isinstance(feed, ParsedFeed)
        assert feed.ok or feed.error.startswith("parse error:")
