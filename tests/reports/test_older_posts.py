"""What a first harvest of an old blog finds is reported as "found on older posts" (#16):
not among the day's linkbacks, not lost; a fresh linkback on an old post stays the day's."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.domain import MentionKind
from reports.model import Limits
from reports.render import render_html, render_text
from reports.view import build_digest
from tests.reports.factories import digest_input, mention_view

OLD_POST = datetime(2019, 3, 1, 9, 0, tzinfo=UTC)
FOUND = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # on the sample day


def test_backlog_of_an_old_post_is_found_on_older_posts() -> None:
    old_ping = mention_view(
        MentionKind.PINGBACK,
        title="Revisiting the registry",
        published_at=datetime(2019, 3, 5, tzinfo=UTC),
        first_seen_at=FOUND,
        target="https://blog.orbis.example/2019/03/01/old/",
        target_title="An old post",
        target_published_at=OLD_POST,
    )
    old_comment = mention_view(
        MentionKind.COMMENT,
        published_at=datetime(2019, 4, 1, tzinfo=UTC),
        first_seen_at=FOUND,
        target="https://blog.orbis.example/2019/03/01/old/",
        target_title="An old post",
        target_published_at=OLD_POST,
    )
    fresh_on_old = mention_view(
        MentionKind.COMMENT,
        published_at=datetime(2026, 11, 2, 7, 0, tzinfo=UTC),
        first_seen_at=FOUND,
        target="https://blog.orbis.example/2019/03/01/old/",
        target_title="An old post",
        target_published_at=OLD_POST,
    )
    today = mention_view(
        MentionKind.PINGBACK,
        first_seen_at=FOUND,
        target_title="A new post",
        target_published_at=datetime(2026, 10, 30, tzinfo=UTC),
    )
    view = build_digest(digest_input([old_ping, old_comment, fresh_on_old, today]))
    assert view.linkback_count == 2
    assert view.linkback_post_count == 2
    assert {p.title for p in view.linkbacks} == {"An old post", "A new post"}
    assert view.older_count == 2
    [older] = view.older_linkbacks
    assert older.title == "An old post"
    assert [g.kind for g in older.groups] == ["pingback", "comment"]

    html, text = render_html(view), render_text(view)
    assert "Found on older posts" in html
    assert "FOUND ON OLDER POSTS" in text
    assert "Revisiting the registry" in html.split("Found on older posts", 1)[1]
    assert "Revisiting the registry" not in html.split("Found on older posts", 1)[0]


def test_no_older_section_without_backlog() -> None:
    view = build_digest(digest_input([mention_view(MentionKind.PINGBACK)]))
    assert view.older_linkbacks == ()
    assert "Found on older posts" not in render_html(view)
    assert "FOUND ON OLDER POSTS" not in render_text(view)


def test_the_post_count_covers_the_posts_not_shown() -> None:
    """A backlog over many posts is cut to the item budget, but the line above it counts
    every post it is on (it said "142 linkbacks to 3 posts" for 142 over 75 posts)."""
    backlog = [
        mention_view(
            MentionKind.PINGBACK,
            title=f"Revisiting the registry {n}",
            published_at=datetime(2019, 3, 5, tzinfo=UTC),
            first_seen_at=FOUND,
            target=f"https://blog.orbis.example/2019/03/01/old-{n}/",
            target_title=f"Old post {n}",
            target_published_at=OLD_POST,
        )
        for n in range(40)
    ]
    view = build_digest(digest_input(backlog), Limits(linkbacks=10))
    assert len(view.older_linkbacks) == 10
    assert view.older_post_count == 40
    assert "40 linkbacks to 40 posts." in render_text(view)
    assert "40 linkbacks to 40 posts." in render_html(view)
