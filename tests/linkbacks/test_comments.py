"""WordPress comment lists across theme markups (§8 cases 45–48 and the theme variants)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.domain import MentionKind
from crawler.linkbacks.comments import parse_comments, unwrap_ping_excerpt
from crawler.linkbacks.model import ParsedLinkback, Route

Data = Callable[[str], bytes]
POST = "https://blog.example.org/2024/03/wcit/"


def by_id(items: list[ParsedLinkback]) -> dict[int | None, ParsedLinkback]:
    return {item.comment_id: item for item in items}


@pytest.fixture
def html5(data: Data) -> dict[int | None, ParsedLinkback]:
    items = parse_comments(data("wp_html5_short_ping.html"), POST, org_authors=["Example Org"])
    assert [i.comment_id for i in items] == [5839, 5840, 5841, 5842, 5843, 5844, 5845, 5846]
    return by_id(items)


def test_case_45_short_ping(html5: dict[int | None, ParsedLinkback]) -> None:
    ping = html5[5841]
    assert ping == ParsedLinkback(
        kind=MentionKind.PINGBACK,
        source_url="https://planet.example.com/2024/03/03/roundup/",
        route=Route.HTML,
        target_url=POST,
        comment_id=5841,
        title="Weekly roundup – Planet Example",
    )


def test_case_45_exact_markup_from_the_notes() -> None:
    html = (
        '<ol><li id="comment-5841" class="pingback even thread-even depth-1">'
        '<div class="comment-body">Pingback: <a href="https://s.example/p" class="url" '
        'rel="external nofollow ugc">T</a></div></li></ol>'
    )
    [ping] = parse_comments(html, POST)
    assert (ping.kind, ping.comment_id, ping.source_url, ping.title) == (
        MentionKind.PINGBACK,
        5841,
        "https://s.example/p",
        "T",
    )


def test_case_46_class_wins_over_the_printed_label(
    html5: dict[int | None, ParsedLinkback],
) -> None:
    item = html5[5842]
    assert item.kind is MentionKind.TRACKBACK
    assert item.source_url == "http://old.example.net/archives/2024/03/wcit-notes"
    assert item.title == "WCIT notes | Old Blog"


def test_case_48_reblog_with_note(html5: dict[int | None, ParsedLinkback]) -> None:
    reblog = html5[5843]
    assert reblog.kind is MentionKind.REBLOG
    assert reblog.source_url == "https://rebloggerone.wordpress.com/2024/03/04/wcit-reblog/"
    assert reblog.site_name == "Policy Watch"
    assert reblog.note == "Worth reading, especially the second half."
    assert reblog.author == "rebloggerone"
    assert reblog.author_url == "http://rebloggerone.wordpress.com"
    assert reblog.published == datetime(2024, 3, 4, 12, 0, tzinfo=timezone(timedelta(hours=1)))


def test_case_48_reblog_without_note(html5: dict[int | None, ParsedLinkback]) -> None:
    reblog = html5[5844]
    assert reblog.kind is MentionKind.REBLOG
    assert reblog.source_url == "https://quietblog.wordpress.com/2024/03/05/wcit/"
    assert reblog.site_name == "The Quiet Blog"
    assert reblog.note == ""


def test_ordinary_comment_keeps_author_url_date_text_and_permalink(
    html5: dict[int | None, ParsedLinkback],
) -> None:
    comment = html5[5839]
    assert comment.kind is MentionKind.COMMENT
    assert comment.source_url == f"{POST}#comment-5839"
    assert comment.author == "Alice Reader"
    assert comment.author_url == "https://alice.example.net/"
    assert comment.published == datetime(2024, 3, 2, 9, 15, tzinfo=UTC)
    # The nested reply and the Reply link do not leak into the parent's text.
    assert comment.text == "Great summary & thanks for the link. One question: what about the ITRs?"
    assert not comment.by_organisation


def test_bypostauthor_reply_is_by_the_organisation(
    html5: dict[int | None, ParsedLinkback],
) -> None:
    reply = html5[5840]
    assert reply.kind is MentionKind.COMMENT
    assert reply.by_organisation
    assert reply.author == "Comms Team"
    assert reply.author_url == ""
    assert reply.text == "The ITRs are covered in part two."


def test_org_author_names_mark_replies(data: Data) -> None:
    items = by_id(parse_comments(data("wp_old_theme_cite.html"), POST, org_authors=["comms  team"]))
    assert items[15].by_organisation
    assert not items[14].by_organisation


def test_webmention_plugin_types(html5: dict[int | None, ParsedLinkback]) -> None:
    reply = html5[5845]
    assert reply.kind is MentionKind.WEBMENTION
    assert reply.source_url == "https://indie.example/notes/2024/03/06/wcit"
    assert reply.author == "Indie Author"
    assert reply.author_url == "https://indie.example/"
    assert reply.text == "Replying to the WCIT post: good points."
    like = html5[5846]
    assert like.kind is MentionKind.WEBMENTION
    assert like.source_url == "https://social.example/@fan/1234"
    assert like.author == "A Fan"


def test_sidebar_lists_are_not_comments(html5: dict[int | None, ParsedLinkback]) -> None:
    assert None not in html5


def test_case_47_long_form_pings(data: Data) -> None:
    post = "https://blog.example.org/2024/04/budget/"
    items = parse_comments(data("wp_long_form_pings.html"), post)
    assert [(i.kind, i.comment_id) for i in items] == [
        (MentionKind.PINGBACK, 901),
        (MentionKind.TRACKBACK, 902),
        (MentionKind.COMMENT, 903),
    ]
    ping, track, comment = items
    assert ping.source_url == "https://news.example.com/2024/04/budget-analysis/"
    assert ping.title == "Budget analysis « News Example"
    assert ping.excerpt == "the organisation’s budget post explains the cuts in detail"
    assert ping.published == datetime(2024, 4, 2, 15, 15)
    assert track.source_url == "http://tb.example.org/entry/77"
    assert track.excerpt == (
        "On budgets An entry that cites the budget post without any ellipsis wrapping."
    )
    assert comment.author == "Bob Plain"
    assert comment.author_url == ""
    assert comment.source_url == f"{post}#comment-903"
    assert comment.text == "No website, just a comment. Mentions […] in the middle."


def test_separate_ping_list_without_type_classes(data: Data) -> None:
    post = "https://blog.example.org/annual-report/"
    items = parse_comments(data("wp_separate_ping_list.html"), post)
    assert [(i.kind, i.comment_id, i.source_url) for i in items] == [
        (MentionKind.COMMENT, 31, f"{post}#comment-31"),
        (MentionKind.PINGBACK, None, "https://ping-one.example/report-review"),
        (MentionKind.TRACKBACK, None, "https://tb-two.example/2024/05/notes"),
        (MentionKind.PINGBACK, 34, "https://ping-three.example/x"),
        (MentionKind.PINGBACK, None, "https://ping-four.example/y"),
    ]
    assert items[1].title == "Report review – Ping One"
    assert items[0].author == "Carol"
    assert items[0].published == datetime(2024, 5, 1, 8, 0)


def test_old_theme_cite_form_and_broken_markup(data: Data) -> None:
    items = parse_comments(data("wp_old_theme_cite.html"), POST)
    summary = [(i.kind, i.comment_id, i.source_url, i.title, i.excerpt) for i in items]
    assert summary == [
        (
            MentionKind.PINGBACK,
            12,
            "http://legacy.example.com/2009/01/02/reading/",
            "Legacy Reading List",
            "see this post over at Example Org",
        ),
        (MentionKind.TRACKBACK, 13, "http://tb.legacy.example.com/t/5", "TB Legacy", "tracked"),
        (MentionKind.COMMENT, 14, f"{POST}#comment-14", "", "Old-style comment text."),
        (MentionKind.COMMENT, 15, f"{POST}#comment-15", "", "Reply from us."),
        (MentionKind.PINGBACK, 16, "https://broken.example/post", "Broken markup", ""),
    ]
    assert items[0].published == datetime(2009, 1, 2, 16, 10)  # "January 2nd, 2009 at 4:10 pm"
    assert items[2].author == "Dave"
    assert items[2].author_url == "http://dave.example.com"


def test_twenty_ten_wrapper_is_one_comment() -> None:
    html = """<ol class="commentlist">
    <li class="comment even depth-1" id="li-comment-5"><div id="comment-5">
      <div class="comment-author vcard"><cite class="fn">Zed</cite>
        <span class="says">says:</span></div>
      <div class="comment-body"><p>Hello.</p></div>
      <ul class="children"><li class="comment odd depth-2" id="li-comment-6"><div id="comment-6">
        <div class="comment-author vcard"><cite class="fn">Yan</cite></div>
        <div class="comment-body"><p>Reply.</p></div></div></li></ul>
    </div></li></ol>"""
    items = parse_comments(html, "https://b.example/p#respond")
    assert [(i.comment_id, i.author, i.text, i.source_url) for i in items] == [
        (5, "Zed", "Hello.", "https://b.example/p#comment-5"),
        (6, "Yan", "Reply.", "https://b.example/p#comment-6"),
    ]


def test_reblog_text_without_link_stays_a_comment() -> None:
    html = (
        '<ol><li id="comment-9" class="comment"><div class="comment-content">'
        "<p>Reblogged this on my mind.</p></div></li></ol>"
    )
    [item] = parse_comments(html, POST)
    assert item.kind is MentionKind.COMMENT
    assert item.text == "Reblogged this on my mind."


def test_relative_ping_link_resolves_against_the_post() -> None:
    html = (
        '<ol><li id="comment-3" class="pingback"><div class="comment-body">Pingback: '
        '<a href="/2024/01/other/" class="url">Our other post</a></div></li></ol>'
    )
    [item] = parse_comments(html, POST)
    assert item.source_url == "https://blog.example.org/2024/01/other/"


def test_duplicate_ids_are_reported_once() -> None:
    item = (
        '<li id="comment-3" class="pingback"><div class="comment-body">Pingback: '
        '<a href="https://a.example/" class="url">A</a></div></li>'
    )
    assert len(parse_comments(f"<ol>{item}</ol><ol>{item}</ol>", POST)) == 1


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"\x00\x01\x02",
        b"<html",
        "<li id='comment-1' class='pingback'>",
        "<li id='comment-99999999999999999999' class='comment'>x",
        "<ol>" + "<li class='comment'><ol class='children'>" * 300,
        b"\xff\xfe<\x00l\x00i\x00>\x00",
    ],
)
def test_garbage_never_raises(html: bytes | str) -> None:
    assert isinstance(parse_comments(html, POST), list)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[…] a b […]", "a b"),
        ("[...]  old style [...]", "old style"),
        ("[&#8230;] raw entity [&#8230;]", "raw entity"),
        ("no wrapping", None),
        ("[…] only leading", None),
    ],
)
def test_unwrap_ping_excerpt(text: str, expected: str | None) -> None:
    assert unwrap_ping_excerpt(text) == expected


def test_lists_in_unrelated_sections_are_not_pings() -> None:
    html = """<div class="wrapping"><ul class="shipping-options">
      <li><a href="https://shop.example/express">Express</a></li></ul></div>
      <nav class="mapping"><ul><li><a href="https://x.example/">Pingback: x</a></li></ul></nav>"""
    assert parse_comments(html, POST) == []


@pytest.mark.parametrize("section", ['<div id="pings"><ol>', '<ol class="trackback_list">'])
def test_ping_sections_by_id_or_class_token(section: str) -> None:
    html = f'{section}<li><a href="https://p.example/x">X</a></li></ol>'
    [item] = parse_comments(html, POST)
    assert (item.kind, item.source_url) == (MentionKind.PINGBACK, "https://p.example/x")
