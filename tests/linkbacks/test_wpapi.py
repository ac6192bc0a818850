"""WordPress.com replies API and the core REST refusal (§8 cases 52 and 53)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from crawler.domain import MentionKind
from crawler.linkbacks.model import Route, RouteUnavailable
from crawler.linkbacks.wpapi import (
    MAX_PER_PAGE,
    core_comments_url,
    has_more_pages,
    parse_core_comments,
    parse_replies,
    replies_url,
)

Data = Callable[[str], bytes]
POST = "https://exampleorg.wordpress.com/2024/03/wcit/"


def test_case_53_urls_never_ask_for_more_than_100() -> None:
    assert replies_url("exampleorg.wordpress.com", 123, page=2) == (
        "https://public-api.wordpress.com/rest/v1.1/sites/exampleorg.wordpress.com"
        "/posts/123/replies/?type=pings&number=100&page=2"
    )
    assert replies_url(123456, 7, number=20, reply_type="any").endswith(
        "/sites/123456/posts/7/replies/?type=any&number=20&page=1"
    )
    with pytest.raises(ValueError, match="number"):
        replies_url("s.example", 1, number=MAX_PER_PAGE + 1)
    with pytest.raises(ValueError, match="page"):
        replies_url("s.example", 1, page=0)
    with pytest.raises(ValueError, match="reply type"):
        replies_url("s.example", 1, reply_type="likes")
    with pytest.raises(ValueError, match="post id"):
        replies_url("s.example", 0)
    # A site name cannot inject path segments or a query.
    assert "/sites/a%2Fb%3Fx%3D1/" in replies_url("a/b?x=1", 1)


def test_case_53_pages_of_pings(data: Data) -> None:
    first = parse_replies(data("wpcom_replies_pings_page1.json"), page=1, number=2)
    assert first.found == 3
    assert first.more
    assert first.next_page == 2
    ping, track = first.items
    assert ping.kind is MentionKind.PINGBACK
    assert ping.route is Route.WPCOM_API
    assert ping.source_url == "https://planet.example.com/2024/03/03/roundup/"
    assert ping.title == "Weekly roundup – Planet Example"
    assert ping.excerpt == "Example Org’s take on the conference is worth a read"
    assert (ping.comment_id, ping.post_id, ping.target_url) == (5841, 123, POST)
    assert ping.post_title == "Internet governance after WCIT-12"
    assert ping.published == datetime(2024, 3, 3, 11, 0, tzinfo=UTC)
    assert track.kind is MentionKind.TRACKBACK
    assert track.source_url == "http://old.example.net/archives/2024/03/wcit-notes"
    assert track.excerpt == "WCIT notes Notes from the conference…"

    second = parse_replies(data("wpcom_replies_pings_page2.json"), page=2, number=2)
    assert not second.more
    assert second.next_page is None
    # No author URL: the ping's own URL; spam is hidden; junk entries are skipped.
    assert [i.source_url for i in second.items] == ["https://third.example/2024/03/08/post/"]


def test_has_more_pages() -> None:
    assert has_more_pages(found=101, page=1, number=100)
    assert not has_more_pages(found=100, page=1, number=100)
    assert not has_more_pages(found=0, page=1, number=100)
    assert not has_more_pages(found=10, page=1, number=0)


def test_replies_any_type_reblog_and_org_reply(data: Data) -> None:
    page = parse_replies(data("wpcom_replies_any.json"), org_authors=["Comms Team"])
    reblog, reply = page.items
    assert reblog.kind is MentionKind.REBLOG
    assert reblog.source_url == "https://rebloggerone.wordpress.com/2024/03/04/wcit-reblog/"
    assert (reblog.site_name, reblog.note, reblog.author) == (
        "Policy Watch",
        "Worth reading.",
        "rebloggerone",
    )
    assert reply.kind is MentionKind.COMMENT
    assert reply.source_url == f"{POST}#comment-5840"
    assert reply.by_organisation


def test_case_53_invalid_number_is_route_unavailable(data: Data) -> None:
    with pytest.raises(RouteUnavailable) as info:
        parse_replies(data("wpcom_error_invalid_number.json"), status=400)
    assert info.value.code == "invalid_number"
    assert info.value.route is Route.WPCOM_API
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, b'{"error":"unknown_blog","message":"Unknown blog"}'), (200, b"<html>"), (503, b"{}")],
)
def test_replies_errors_are_route_unavailable(status: int, body: bytes) -> None:
    with pytest.raises(RouteUnavailable):
        parse_replies(body, status=status)


@pytest.mark.parametrize("status", [401, 403])
def test_case_52_core_rest_refusal_is_not_no_pingbacks(data: Data, status: int) -> None:
    with pytest.raises(RouteUnavailable) as info:
        parse_core_comments(status, data("wp_rest_forbidden_param.json"))
    assert info.value.code == "rest_forbidden_param"
    assert info.value.route is Route.WP_REST
    assert info.value.status == status
    assert "not permitted" in info.value.reason


def test_core_rest_comments(data: Data) -> None:
    assert core_comments_url("https://blog.example.org/", 123, comment_type="pingback") == (
        "https://blog.example.org/wp-json/wp/v2/comments?post=123&type=pingback&per_page=100"
    )
    [comment] = parse_core_comments(200, data("wp_rest_comments.json"))
    assert comment.kind is MentionKind.COMMENT
    assert comment.route is Route.WP_REST
    assert comment.source_url == "https://blog.example.org/2024/03/wcit/#comment-5839"
    assert comment.author_url == "https://alice.example.net/"
    assert comment.published == datetime(2024, 3, 2, 9, 15, tzinfo=UTC)
    assert comment.text == "Great summary & thanks for the link."
    assert parse_core_comments(200, b"[]") == []


def test_core_rest_no_route() -> None:
    body = b'{"code":"rest_no_route","message":"No route was found","data":{"status":404}}'
    with pytest.raises(RouteUnavailable) as info:
        parse_core_comments(404, body)
    assert info.value.code == "rest_no_route"
