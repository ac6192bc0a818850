"""brid.gy-style webmentions (#16): a like, repost or reply on a social network, sent as a
webmention whose source is an h-entry with ``u-like-of``, ``u-repost-of`` or
``u-in-reply-to``, is recorded and shown as a like, repost or reply."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.domain import MentionKind
from crawler.harvest.model import SourceCheck, SourceTask
from crawler.harvest.records import receipt_mention
from crawler.linkbacks.verify import RESPONSE_NOTES, verify_source
from crawler.matching.urls import canonicalize_url
from reports.render import render_html, render_text
from reports.view import build_digest
from tests.reports.factories import digest_input, mention_view

TARGET = "http://blog.example.test/2026/11/02/our-post/"


def bridgy(prop: str, href: str) -> bytes:
    return f"""<html><head><title>A response</title></head><body>
    <article class="h-entry">
      <span class="p-author h-card"><a class="u-url p-name" href="https://social.test/@ana">Ana</a></span>
      <a class="u-{prop}" href="{href}">{href}</a>
      <time class="dt-published" datetime="2026-11-02T10:00:00Z">2 Nov</time>
    </article></body></html>""".encode()


@pytest.mark.parametrize(
    ("prop", "response"),
    [("like-of", "like"), ("repost-of", "repost"), ("in-reply-to", "reply"),
     ("bookmark-of", "bookmark")],
)  # fmt: skip
def test_social_response_is_read(prop: str, response: str) -> None:
    # The response names the post in another spelling (https, no trailing slash).
    href = TARGET.replace("http://", "https://").rstrip("/")
    v = verify_source(
        "https://brid.gy/like/x/1", 200, {}, bridgy(prop, href), TARGET, canon=canonicalize_url
    )
    assert v.linked
    assert v.response == response
    assert v.author == "Ana"


def test_a_plain_link_is_no_response() -> None:
    page = f'<html><body><p class="h-entry"><a href="{TARGET}">our post</a></p></body></html>'
    v = verify_source("https://x.test/", 200, {}, page.encode(), TARGET, canon=canonicalize_url)
    assert v.linked
    assert v.response == ""
    other = bridgy("like-of", "http://elsewhere.test/p/")
    assert verify_source("https://x.test/", 200, {}, other, TARGET).response == ""


def test_like_is_stored_and_shown_as_a_like() -> None:
    v = verify_source(
        "https://brid.gy/like/x/1", 200, {}, bridgy("like-of", TARGET), TARGET,
        canon=canonicalize_url,
    )  # fmt: skip
    assert v.response == "like"
    source = "https://brid.gy/like/x/1"
    task = SourceTask(ref=1, url=source, target=TARGET, kind="webmention")
    check = SourceCheck(url=source, final_url=source, status=200, verification=v)
    mention = receipt_mention("Org", task, check, MentionKind.WEBMENTION)
    assert mention.kind is MentionKind.WEBMENTION
    assert mention.note == RESPONSE_NOTES["like"]

    liked = mention_view(
        MentionKind.WEBMENTION,
        note=RESPONSE_NOTES["like"],
        first_seen_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    view = build_digest(digest_input([liked]))
    [item] = view.linkbacks[0].groups[0].items
    assert item.kind_label == "Like"
    assert ">Like</span>" in render_html(view)
    assert "[like]" in render_text(view)
