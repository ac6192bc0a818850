"""Pure alert policy (#21): which rule a find matches, backfill, quiet hours, backoff, text.

No storage and no network here: plain values in, decisions out, so every rule of the policy
is tested without a database or a channel.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from crawler.alert_config import AlertRule
from crawler.storage.mentions import MentionView

MAX_BACKOFF = timedelta(hours=6)


def is_backfill(mention: MentionView, window: timedelta) -> bool:
    """A find published longer ago than ``window`` when first seen is old news: digest only.

    A find without a published time counts as new (the first sighting is all we know).
    """
    if mention.published_at is None:
        return False
    return mention.first_seen_at - mention.published_at > window


def matches(rule: AlertRule, mention: MentionView) -> bool:
    """Whether a find is one this rule alerts about (every given criterion must hold)."""
    if rule.kinds and mention.kind not in rule.kinds:
        return False
    if rule.queries and not set(rule.queries) & set(mention.queries):
        return False
    if mention.source_weight < rule.min_weight:
        return False
    if rule.languages:
        language = mention.language.lower().split("-")[0]
        if language not in rule.languages:
            return False
    return True


def in_quiet_hours(quiet: tuple[time, time] | None, now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``now`` falls in [start, end) local time; the span may cross midnight."""
    if quiet is None:
        return False
    start, end = quiet
    local = now.astimezone(tz).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def backoff(attempts: int, base: timedelta, *, throttled: timedelta | None = None) -> timedelta:
    """Wait before retry number ``attempts`` (1 = first retry): base, 2x, 4x ... capped.

    ``throttled`` is the floor after a channel answered 429 (``alerting.throttled_seconds``):
    Apprise reports only the status, never the ``Retry-After`` header (its webhook plugins
    call ``requests`` themselves and keep the response), so the exact pause the channel asked
    for cannot be honoured; the floor is what the operator knows the channel asks for.
    """
    wait: timedelta = min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)
    return max(wait, throttled) if throttled is not None else wait


_BROADCAST = re.compile(r"@(everyone|here|channel|room)\b", re.IGNORECASE)


def defang(text: str) -> str:
    """Text from outside (titles, snippets) made inert in chat channels: no ``@everyone`` /
    ``@here`` / ``@channel`` / ``@room`` broadcast and no Slack ``<!...>`` command."""
    return _BROADCAST.sub("@\u200b\\1", text.replace("<!", "<\u200b!"))


def find_title(mention: MentionView) -> str:
    label = mention.kind.value
    title = defang(mention.title or mention.url)
    return f"[{label}] {title}"[:250]


def find_body(mention: MentionView) -> str:
    """The message text of one find: title, where, why it matched, link."""
    lines = [defang(mention.title or mention.url)]
    where = " · ".join(defang(x) for x in (mention.site, mention.author) if x)
    if where:
        lines.append(where)
    if mention.queries:
        lines.append("queries: " + ", ".join(mention.queries))
    if mention.target:
        lines.append("links to: " + defang(mention.target_title or mention.target))
    if mention.snippet:
        lines.append(defang(mention.snippet))
    lines.append(mention.url)
    return "\n".join(lines)


def summary_text(rule: str, count: int, inbox_url: str) -> tuple[str, str]:
    """The one message that stands for the finds past the rate limit."""
    title = f"mediamon {rule}: and {count} more"
    body = (
        f"and {count} more finds matched the rule {rule!r}; the hourly limit of this channel "
        "was reached, so they are not sent one by one."
    )
    if inbox_url:
        body += f"\nSee them all: {inbox_url}"
    return title, body


def batch_text(rule: str, mentions: list[MentionView], more: int) -> tuple[str, str]:
    """One message for a batch (batch mode, or finds held during quiet hours)."""
    total = len(mentions) + more
    title = f"mediamon {rule}: {total} new find{'s' if total != 1 else ''}"
    lines = [f"- {find_title(m)} {m.url}" for m in mentions]
    if more:
        lines.append(f"and {more} more")
    return title, "\n".join(lines)
