"""A busy day's digest arrives whole (#18): at its caps the email used to be ~260 KiB and
Gmail clipped it at ~102 KB, hiding the end (health footer included). On a generated busy day
the message stays under 100 KB: the health line comes first, long sections end in "and N
more" with the command for the full list, and the health footer is still there."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.domain import MentionKind
from crawler.storage.mentions import MentionView
from reports.compose import compose_message, new_message_id
from reports.send import EMAIL_BUDGET, fit_digest
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


def test_a_busy_days_email_stays_under_100_kb_and_ends_with_its_health_footer() -> None:
    config = sample_config()
    rendered = fit_digest(digest_input(busy_day()))
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
    assert len(rendered.html.encode()) + len(rendered.text.encode()) <= EMAIL_BUDGET
    assert len(bytes(message)) < 100_000
    view = rendered.view
    assert view.total_count.today == 3000  # the counts cover everything
    assert view.press_hidden > 0
    assert view.linkbacks_hidden > 0
    html = rendered.html
    assert html.index("Monitoring:") < html.index("Press coverage")  # health line first
    assert "more stories not shown" in html
    assert view.more_command in html
    assert "Monitoring health" in html  # the footer is still in the message
    assert "MONITORING HEALTH" in rendered.text


def test_a_quiet_day_is_not_cut() -> None:
    rendered = fit_digest(digest_input(busy_day(20)))
    assert rendered.view.press_hidden == 0
    assert rendered.view.linkbacks_hidden == 0
