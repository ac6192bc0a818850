"""Merging routes into one linkback per coverage item, and reconciling kinds with storage.

linkbacks.md case 55 (a reblog seen as a comment on the original and as a pingback is one
item), the feed's guesses losing to the exact routes, and kind precedence across runs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.domain import FoundVia, MentionKind
from crawler.harvest import model
from crawler.harvest.merge import comment_key, merge_routes
from crawler.harvest.model import Linkback, RouteResult, RouteState, SourceCheck
from crawler.harvest.records import (
    aware,
    effective_kind,
    found_vias,
    linkback_mention,
    reconcile,
)
from crawler.linkbacks.model import ParsedLinkback, Route
from crawler.linkbacks.verify import Verification

POST = "http://blog.example.org/2024/03/wcit/"
TARGET = "https://blog.example.org/2024/03/wcit/"
REBLOG = "http://notes.wordpress.com/2024/03/04/wcit/"


def _ok(route: str, *records: ParsedLinkback) -> RouteResult:
    return RouteResult(route, RouteState.OK, records)


def _rec(kind: MentionKind, source: str, route: Route, **kw: object) -> ParsedLinkback:
    return ParsedLinkback(kind=kind, source_url=source, route=route, target_url=POST, **kw)  # type: ignore[arg-type]


def test_reblog_seen_as_comment_and_as_pingback_is_one_item() -> None:
    html = _ok(
        model.HTML,
        _rec(
            MentionKind.REBLOG,
            REBLOG,
            Route.HTML,
            comment_id=7,
            author="Maya",
            site_name="Notes",
            note="Worth it.",
        ),
        _rec(MentionKind.PINGBACK, REBLOG, Route.HTML, comment_id=9, title="WCIT | Notes"),
    )
    api = _ok(model.WPCOM_API, _rec(MentionKind.PINGBACK, REBLOG, Route.WPCOM_API, comment_id=9))
    xmlrpc = _ok(model.XMLRPC, _rec(MentionKind.PINGBACK, REBLOG, Route.XMLRPC))
    merged = merge_routes(TARGET, [xmlrpc, api, html])
    assert len(merged.linkbacks) == 1
    item = merged.linkbacks[0]
    assert item.kind is MentionKind.REBLOG
    assert item.key == "https://notes.wordpress.com/2024/03/04/wcit/"
    assert item.comment_ids == (7, 9)
    assert item.routes == (model.HTML, model.WPCOM_API, model.XMLRPC)
    assert (item.author, item.note, item.site_name, item.title) == (
        "Maya",
        "Worth it.",
        "Notes",
        "WCIT | Notes",
    )
    assert found_vias(item) == (FoundVia.COMMENTS, FoundVia.API)


def test_exact_routes_beat_the_feeds_guess_and_fill_its_gaps() -> None:
    when = datetime(2024, 3, 3, 10, 0, tzinfo=UTC)
    feed = _ok(
        model.FEED,
        # a trackback looks like a comment in a feed; a pingback has no source URL there
        _rec(MentionKind.COMMENT, f"{POST}#comment-21", Route.FEED, comment_id=21, inferred=True),
        _rec(MentionKind.PINGBACK, "", Route.FEED, comment_id=22, inferred=True, published=when),
        _rec(MentionKind.PINGBACK, "", Route.FEED, comment_id=23, inferred=True),
    )
    html = _ok(
        model.HTML,
        _rec(MentionKind.TRACKBACK, "https://tb.example/x", Route.HTML, comment_id=21),
        _rec(MentionKind.PINGBACK, "https://pb.example/y", Route.HTML, comment_id=22),
    )
    merged = merge_routes(TARGET, [feed, html])
    kinds = {lb.key: lb for lb in merged.linkbacks}
    assert kinds["https://tb.example/x/"].kind is MentionKind.TRACKBACK
    assert kinds["https://pb.example/y/"].published == when
    assert not kinds["https://pb.example/y/"].inferred
    assert merged.unresolved == 1  # comment 23: no route gave its source


def test_comments_are_keyed_by_permalink_and_hostile_sources_dropped() -> None:
    html = _ok(
        model.HTML,
        _rec(MentionKind.COMMENT, f"{POST}#comment-5", Route.HTML, comment_id=5, author="A"),
        _rec(MentionKind.PINGBACK, "file:///etc/passwd", Route.HTML, comment_id=6),
        _rec(MentionKind.PINGBACK, "javascript:alert(1)", Route.HTML, comment_id=7),
        # a webmention "from" our own post is a comment in disguise
        _rec(MentionKind.WEBMENTION, f"{POST}#comment-8", Route.HTML, comment_id=8, author="B"),
    )
    merged = merge_routes(TARGET, [html])
    keys = sorted((lb.kind.value, lb.key) for lb in merged.linkbacks)
    assert keys == [("comment", f"{TARGET}#comment-5"), ("comment", f"{TARGET}#comment-8")]
    assert merged.unresolved == 2
    assert comment_key(TARGET, None, "A", "x") == comment_key(TARGET, None, "A", "x")
    assert comment_key(TARGET, None, "A", "x") != comment_key(TARGET, None, "A", "y")


def test_same_source_as_pingback_and_trackback_is_one_pingback() -> None:
    merged = merge_routes(
        TARGET,
        [
            _ok(model.HTML, _rec(MentionKind.TRACKBACK, "http://x.example/p", Route.HTML)),
            _ok(model.XMLRPC, _rec(MentionKind.PINGBACK, "https://www.x.example/p/", Route.XMLRPC)),
        ],
    )
    assert [(lb.kind, lb.key) for lb in merged.linkbacks] == [
        (MentionKind.PINGBACK, "https://x.example/p/")
    ]


def _linkback(kind: MentionKind = MentionKind.PINGBACK) -> Linkback:
    return Linkback(kind=kind, key=REBLOG, url=REBLOG, target=TARGET, routes=(model.XMLRPC,))


def test_a_page_with_reblog_markup_of_our_post_is_a_reblog() -> None:
    snapshot = Verification(linked=True, deleted=False, reblog_of=POST, reblog_note="Note")
    other = Verification(linked=True, deleted=False, reblog_of="https://elsewhere.example/p")
    assert effective_kind(_linkback(), SourceCheck(REBLOG, verification=snapshot)) == "reblog"
    assert effective_kind(_linkback(), SourceCheck(REBLOG, verification=other)) == "pingback"
    assert effective_kind(_linkback(), None) == "pingback"
    mention = linkback_mention(
        "Org", _linkback(), MentionKind.REBLOG, SourceCheck(REBLOG, verification=snapshot)
    )
    assert (mention.kind, mention.note, mention.found_via) == ("reblog", "Note", FoundVia.API)


def test_reconcile_kinds_with_stored_rows() -> None:
    pingback, reblog = MentionKind.PINGBACK, MentionKind.REBLOG
    assert reconcile(pingback, []) == (pingback, None)
    assert reconcile(pingback, [(1, "pingback")]) == (pingback, None)
    assert reconcile(pingback, [(1, "reblog")]) == (reblog, None)  # stays the stronger kind
    assert reconcile(reblog, [(1, "pingback")]) == (reblog, 1)  # relabel the stored row
    assert reconcile(pingback, [(4, "link")]) == (pingback, 4)  # a crawl-found link
    assert reconcile(MentionKind.COMMENT, [(1, "pingback")]) == (MentionKind.COMMENT, None)


def test_known_sources_never_overwrite_their_description() -> None:
    mention = linkback_mention("Org", _linkback(), MentionKind.PINGBACK, None)
    assert (mention.document.title, mention.author, mention.context) == ("", "", "")


def test_naive_dates_get_a_zone() -> None:
    naive = datetime(2024, 3, 3, 10, 0)
    assert aware(naive) == naive.replace(tzinfo=UTC)
    assert aware(None) is None
