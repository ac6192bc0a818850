"""OPML in and out (pure): categories and folders to kinds, files that are not OPML, deep
nesting, refused XML constructs, and the export -> import round trip."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.feeds.opml import MAX_DEPTH, Outline, parse_opml, to_opml

NOW = datetime(2026, 11, 10, tzinfo=UTC)

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="News" title="News">
    <outline type="rss" text="Daily Planet" xmlUrl="https://planet.example/rss"
             htmlUrl="https://planet.example/"/>
    <outline text="Deeper"><outline text="Gazette" xmlUrl="https://gazette.example/feed"/></outline>
  </outline>
  <outline text="Friends' blogs">
    <outline text="Ann" xmlUrl="https://ann.example/atom.xml" language="en"/>
    <outline text="Tagged" xmlUrl="https://tagged.example/rss" category="/Press,/tech"/>
  </outline>
  <outline text="Loose" xmlUrl="https://loose.example/feed"/>
  <outline text="Again" xmlUrl="https://planet.example/rss"/>
</body></opml>"""


def test_categories_and_folders_become_kinds() -> None:
    doc = parse_opml(READER_EXPORT)
    assert not doc.error
    assert [(o.url, o.kind) for o in doc.outlines] == [
        ("https://planet.example/rss", "press"),
        ("https://gazette.example/feed", "press"),
        ("https://ann.example/atom.xml", "blog"),
        ("https://tagged.example/rss", "press"),  # its own category wins over the folder
        ("https://loose.example/feed", "press"),  # the default
    ]
    assert doc.outlines[0].name == "Daily Planet"
    assert doc.outlines[0].html_url == "https://planet.example/"
    assert doc.outlines[2].language == "en"
    assert doc.skipped == [("https://planet.example/rss", "listed twice")]


def test_an_html_page_is_not_an_opml_file() -> None:
    page = b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi<br></p></body></html>"
    assert parse_opml(page).error == "not an OPML file: it is an HTML page"
    xhtml = b"<html><body><p>hi</p></body></html>"
    assert parse_opml(xhtml).error == "not an OPML file: its root element is <html>"


def test_a_feed_is_not_an_opml_file() -> None:
    doc = parse_opml(b'<rss version="2.0"><channel/></rss>')
    assert doc.error == "not an OPML file: its root element is <rss>"


def test_1000_levels_of_nesting_are_walked_without_recursion() -> None:
    opening = b'<outline text="level">' * 1000
    closing = b"</outline>" * 1000
    leaf = b'<outline text="deep" xmlUrl="https://deep.example/rss"/>'
    shallow = b'<outline text="ok" xmlUrl="https://ok.example/rss"/>'
    data = b"<opml><body>" + shallow + opening + leaf + closing + b"</body></opml>"
    doc = parse_opml(data)
    assert not doc.error
    assert [o.url for o in doc.outlines] == ["https://ok.example/rss"]
    assert doc.skipped == [("level", f"nested deeper than {MAX_DEPTH} levels")]


def test_entity_declarations_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>'
    )
    assert parse_opml(bomb).error.startswith("not imported: refused XML construct")


def test_export_then_import_round_trips() -> None:
    outlines = [
        Outline("https://planet.example/rss", "Daily Planet", "press", language="en"),
        Outline("https://ann.example/atom.xml", "Ann & Co <blog>", "blog"),
        Outline("https://gazette.example/feed", "Gazette", "press"),
    ]
    data = to_opml(outlines, title="Example Org", now=NOW)
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">')
    back = parse_opml(data)
    assert not back.error
    assert sorted(back.outlines, key=lambda o: o.url) == sorted(outlines, key=lambda o: o.url)


def test_five_thousand_outlines() -> None:
    items = b"".join(
        b'<outline text="feed %d" xmlUrl="https://site%d.example/rss"/>' % (i, i)
        for i in range(5000)
    )
    doc = parse_opml(
        b'<opml version="2.0"><body><outline text="Blogs">' + items + b"</outline></body></opml>"
    )
    assert len(doc.outlines) == 5000
    assert {o.kind for o in doc.outlines} == {"blog"}
