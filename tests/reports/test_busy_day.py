"""A busy day's digest arrives whole (#18): at its caps the email used to be ~260 KiB and
Gmail clipped it at ~102 KB, hiding the end (health footer included). On a generated busy day
the message stays under 100 KB: the health line comes first, long sections end in "and N
more" with a link to the whole list (the day in the web inbox with ``[web] base_url``, else
the full digest archived beside the email), and the health footer is still there."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.datastructures import QueryParams

from crawler.domain import MentionKind
from crawler.storage.mentions import MentionView
from reports.archive import full_digest_path
from reports.compose import compose_message, new_message_id
from reports.links import more_link
from reports.send import EMAIL_BUDGET, RenderedDigest, fit_digest
from reports.web.filters import parse_filters
from tests.reports.factories import digest_input, mention_view
from tests.reports.sample import DAY, NOW, sample_config

KINDS = (
    MentionKind.PRESS,
    MentionKind.BLOG,
    MentionKind.PINGBACK,
    MentionKind.COMMENT,
    MentionKind.LINK,
)


def busy_day(items: int = 3000) -> list[MentionView]:
    """``items`` mentions of every kind from 400 outlets, long titles and snippets."""
    out = []
    for n in range(items):
        kind = KINDS[n % len(KINDS)]
        url = f"https://outlet{n % 400}.example/2026/11/02/a-long-story-slug-number-{n}"
        out.append(
            mention_view(
                kind,
                url=url,
                canonical_url=url,
                title=f"A rather long headline about the Orbis Union, number {n} " * 2,
                site=f"Outlet {n % 400}",
                author="Some Author",
                snippet="The Orbis Union said so, and said it at length. " * 6,
                hits=((4, 15),),
                target=""
                if kind in (MentionKind.PRESS, MentionKind.BLOG)
                else f"https://blog.orbis.example/p/{n % 40}/",
                published_at=datetime(2026, 10, 1, tzinfo=UTC)
                if n % 7 == 0
                else datetime(2026, 11, 2, 8, tzinfo=UTC),
            )
        )
    return out


def _email(rendered: RenderedDigest) -> bytes:
    config = sample_config()
    message = compose_message(
        config.digest,
        subject=rendered.view.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=new_message_id(config.digest.sender),
        now=NOW,
        day=DAY,
        recipients=config.digest.recipients,
    )
    return bytes(message)


@pytest.mark.parametrize("where", ["inbox", "archive"])
def test_a_busy_days_email_stays_under_100_kb_and_links_the_whole_list(
    where: str, tmp_path: Path
) -> None:
    base_url = "https://news.orbis.example/newsroom/" if where == "inbox" else ""
    full = full_digest_path(tmp_path / "digests", DAY)
    more = more_link(base_url, full, DAY)
    rendered = fit_digest(digest_input(busy_day()), more=more)
    assert len(rendered.html.encode()) + len(rendered.text.encode()) <= EMAIL_BUDGET
    assert len(_email(rendered)) < 100_000
    view = rendered.view
    assert view.total_count.today == 3000  # the counts cover everything
    assert view.press_hidden > 0
    assert view.linkbacks_hidden > 0
    html, text = rendered.html, rendered.text
    assert html.index("Monitoring:") < html.index("Press coverage")  # health line first
    assert "more stories not shown" in html
    assert "mediamon mentions" not in html + text  # a link, not a command to type
    assert "Monitoring health" in html  # the footer is still in the message
    assert "MONITORING HEALTH" in text
    href = f'<a href="{more.url.replace("&", "&amp;")}" '  # the CSS is inlined after
    assert html.count(href) >= 3  # press, linkbacks and the footer at least
    assert f"Full list: {more.url}" in text
    if where == "inbox":
        # The link opens the inbox filtered to the digest's day, as the inbox parses it.
        parts = urlsplit(more.url)
        assert (parts.netloc, parts.path) == ("news.orbis.example", "/newsroom/")
        filters = parse_filters(QueryParams(parts.query))
        assert (filters.since, filters.until) == (DAY.isoformat(), DAY.isoformat())
    else:
        # The link is the archived full digest, and that file has every story of the day.
        rendered.archive_full(full.parent)
        assert more.url == full.resolve().as_uri()
        whole = full.read_text(encoding="utf-8")
        assert "number 2999 " in whole
        assert "number 2999 " not in html
        assert "not shown" not in whole


def test_without_an_archive_or_an_inbox_the_cut_names_no_link() -> None:
    rendered = fit_digest(digest_input(busy_day()))
    assert rendered.view.press_hidden > 0
    assert "more stories not shown</p>" in rendered.html
    assert "Full list" not in rendered.text


def test_a_quiet_day_is_not_cut() -> None:
    rendered = fit_digest(
        digest_input(busy_day(20)), more=more_link("https://n.example", None, DAY)
    )
    assert rendered.view.press_hidden == 0
    assert rendered.view.linkbacks_hidden == 0
    assert rendered.full_html == ""  # nothing left out: no full digest to archive
    assert "Full list" not in rendered.text
