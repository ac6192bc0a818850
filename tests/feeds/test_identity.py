from __future__ import annotations

from datetime import UTC, datetime

from crawler.feeds.identity import MAX_KEY_LENGTH, EntryIdentity, assign_keys, entry_key
from crawler.feeds.links import html_to_text, wordpress_post_id

WHEN = datetime(2026, 11, 9, tzinfo=UTC)


def test_guid_then_link_then_title_and_date() -> None:
    assert entry_key(EntryIdentity("g1", "https://a.test/1/", "T", None)) == "guid:g1"
    assert entry_key(EntryIdentity("", "https://a.test/1/", "T", None)) == "link:https://a.test/1/"
    by_title = entry_key(EntryIdentity("", "", "T", WHEN))
    assert by_title.startswith("title#")
    assert by_title != entry_key(EntryIdentity("", "", "T", None))
    assert entry_key(EntryIdentity("", "", "", None)) == ""


def test_long_keys_are_hashed() -> None:
    key = entry_key(EntryIdentity("g" * 1000, "", "", None))
    assert len(key) <= MAX_KEY_LENGTH
    assert key.startswith("guid#")


def test_repeated_guid_with_same_link_is_fine_but_with_other_links_switches() -> None:
    same = [EntryIdentity("g", "https://a.test/1/", "", None)] * 2
    assert assign_keys(same) == ["guid:g", "guid:g"]
    other = [
        EntryIdentity("g", "https://a.test/1/", "", None),
        EntryIdentity("g", "https://a.test/2/", "", None),
    ]
    assert assign_keys(other) == ["link:https://a.test/1/", "link:https://a.test/2/"]


def test_html_to_text() -> None:
    assert html_to_text("<p>A &amp; <b>B</b></p><script>x()</script>\n\n C") == "A & B C"
    assert html_to_text("") == ""


def test_wordpress_post_id() -> None:
    assert wordpress_post_id("https://blog.test/?p=123") == 123
    assert wordpress_post_id("https://blog.test/?page_id=7") == 7
    assert wordpress_post_id("https://blog.test/2026/post/") is None
    assert wordpress_post_id("urn:x?p=abc") is None
