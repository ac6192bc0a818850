"""WordPress comment feeds (§8 cases 50 and 51): ids from guids, titles, classification, cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crawler.domain import MentionKind
from crawler.linkbacks.feeds import DEFAULT_CAP, parse_comment_feed
from crawler.linkbacks.model import Route

Data = Callable[[str], bytes]
RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}
POST = "https://blog.example.org/2024/03/wcit/"


def test_case_50_per_post_feed(data: Data) -> None:
    feed = parse_comment_feed(
        data("feed_post_comments.xml"), RSS, post_url=POST, org_authors=["Comms Team"]
    )
    assert not feed.truncated
    assert feed.error == ""
    assert [(i.kind, i.post_id, i.comment_id) for i in feed.items] == [
        (MentionKind.PINGBACK, 123, 456),
        (MentionKind.PINGBACK, 123, 457),
        (MentionKind.REBLOG, 123, 458),
        (MentionKind.COMMENT, 123, 459),
        (MentionKind.COMMENT, 123, 460),
    ]
    assert all(i.route is Route.FEED and i.inferred for i in feed.items)
    assert all(i.target_url == POST for i in feed.items)

    ping = feed.items[0]
    assert ping.source_url == ""  # a feed does not say where a pingback came from
    assert ping.title == "Weekly roundup – Planet Example"
    assert ping.author == ""
    assert ping.excerpt == "Example Org’s take on the conference is worth a read"
    assert ping.published == datetime(2024, 3, 3, 11, 0, tzinfo=UTC)

    old = feed.items[1]
    assert old.excerpt == "an old-style excerpt"
    assert old.source_url == "http://old.example.net/archives/wcit"  # linked in content:encoded

    reblog = feed.items[2]
    assert reblog.source_url == "https://rebloggerone.wordpress.com/2024/03/04/wcit-reblog/"
    assert reblog.site_name == "Policy Watch"
    assert reblog.note == "Worth reading, especially the second half."
    assert reblog.author == "rebloggerone"

    comment = feed.items[3]
    assert comment.author == "Alice Reader"
    assert comment.source_url == f"{POST}#comment-459"
    assert comment.text == "Great summary & thanks for the link. One question: what about the ITRs?"
    assert not comment.by_organisation
    assert feed.items[4].by_organisation


def test_case_51_site_wide_feed_titles_and_truncation(data: Data) -> None:
    feed = parse_comment_feed(data("feed_site_comments_10.xml"), RSS)
    assert len(feed.items) == DEFAULT_CAP == 10
    assert feed.truncated  # exactly posts_per_rss items: older ones may be hidden
    first, ping, tricky = feed.items[0], feed.items[1], feed.items[2]
    assert (first.post_title, first.author, first.post_id, first.comment_id) == (
        "Internet governance after WCIT-12",
        "Alice Reader",
        123,
        700,
    )
    assert first.target_url == POST
    assert ping.kind is MentionKind.PINGBACK
    assert ping.post_title == "Budget 2024"
    assert ping.title == "Budget analysis « News Example"
    assert ping.target_url == "https://blog.example.org/2024/04/budget/"
    # A post title containing " by " is split using dc:creator.
    assert (tricky.post_title, tricky.author) == ("Annual report by the board", "Bob Plain")


def test_cap_is_a_parameter(data: Data) -> None:
    assert not parse_comment_feed(data("feed_site_comments_10.xml"), RSS, cap=20).truncated
    assert parse_comment_feed(data("feed_post_comments.xml"), RSS, cap=5).truncated
    assert not parse_comment_feed(data("feed_post_comments.xml"), RSS, cap=0).truncated


def test_comment_id_from_link_when_guid_lacks_it() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Comments on: X</title>
    <item><title>By: Zoe</title><link>https://b.example/p/#comment-77</link>
    <guid isPermaLink="false">urn:uuid:1234</guid><description>Hi there.</description></item>
    </channel></rss>"""
    [item] = parse_comment_feed(body).items
    assert (item.comment_id, item.post_id, item.author, item.kind) == (
        77,
        None,
        "Zoe",
        MentionKind.COMMENT,
    )
    assert item.source_url == "https://b.example/p/#comment-77"


def test_atom_comment_feed() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Comments on: X</title>
    <entry><title type="html">By: Quinn</title>
      <link rel="alternate" href="https://b.example/p/#comment-8" type="text/html"/>
      <author><name>Quinn</name></author>
      <id>https://b.example/?p=42#comment-8</id>
      <published>2024-06-01T10:00:00Z</published>
      <content type="html">&lt;p&gt;[&amp;#8230;] linked here [&amp;#8230;]&lt;/p&gt;</content>
    </entry></feed>"""
    [item] = parse_comment_feed(body, {"content-type": "application/atom+xml"}).items
    assert (item.kind, item.post_id, item.comment_id, item.excerpt) == (
        MentionKind.PINGBACK,
        42,
        8,
        "linked here",
    )
    assert item.published == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"", b"   ", b"<rss><channel><item>", b"\x00\xff<<<>>>", b"{}"])
def test_garbage_never_raises(body: bytes) -> None:
    feed = parse_comment_feed(body)
    assert not feed.truncated
    assert isinstance(feed.items, tuple)
