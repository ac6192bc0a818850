"""``build_digest``: plain rows in, the digest's view model out. Pure, so it is golden-tested.

Decisions made here (and nowhere else):

- a mention belongs to the day it was *discovered* (``first_seen_at``), so nothing is missed
  or counted twice however late a page was published;
- linkbacks are grouped by our post, then by kind in a fixed order; comments written by the
  organisation are flagged as "our reply";
- press and blog mentions are grouped by story: the original (the story's recorded original,
  else the earliest published) leads and the pickups follow as "also in …"; stories are
  ordered by source weight, then time;
- a "new outlet" is a site with no mention before the day; a "late arrival" was found on the
  day but published more than two days before it;
- all web text is cleaned (control and bidi-override characters removed, whitespace collapsed)
  and clipped to a readable length here, so the templates never have to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler.domain import LINKBACK_KINDS, MentionKind
from crawler.linkbacks.verify import RESPONSE_NOTES
from crawler.storage.mentions import MentionView
from reports.dates import date_label, datetime_label, day_label, short_day_label, time_label
from reports.health import build_health
from reports.highlight import highlight
from reports.links import NO_LINK, MoreLink
from reports.model import (
    DEFAULT_LIMITS,
    ChartBar,
    DigestInput,
    DigestView,
    KindCount,
    LateArrival,
    Limits,
    LinkbackGroup,
    LinkbackItem,
    Outlet,
    Pickup,
    PostLinkbacks,
    StoryView,
)
from reports.outlets import name_outlets
from reports.text import clip, safe_url

CHART_DAYS = 14
AVERAGE_DAYS = 7
LATE_AFTER_DAYS = 2
TEXT_BAR_WIDTH = 30
COVERAGE_KINDS = (MentionKind.PRESS, MentionKind.BLOG)
KIND_ORDER = (*COVERAGE_KINDS, *LINKBACK_KINDS)
SINGULAR = {
    MentionKind.PRESS: "Press",
    MentionKind.BLOG: "Blog",
    MentionKind.REBLOG: "Reblog",
    MentionKind.PINGBACK: "Pingback",
    MentionKind.TRACKBACK: "Trackback",
    MentionKind.WEBMENTION: "Webmention",
    MentionKind.LINK: "Link",
    MentionKind.COMMENT: "Comment",
}
PLURAL = {
    MentionKind.PRESS: "Press articles",
    MentionKind.BLOG: "Blog posts",
    MentionKind.REBLOG: "Reblogs",
    MentionKind.PINGBACK: "Pingbacks",
    MentionKind.TRACKBACK: "Trackbacks",
    MentionKind.WEBMENTION: "Webmentions",
    MentionKind.LINK: "Links",
    MentionKind.COMMENT: "Comments",
}
COUNTED = {
    MentionKind.PRESS: ("press article", "press articles"),
    MentionKind.BLOG: ("blog post", "blog posts"),
    MentionKind.REBLOG: ("reblog", "reblogs"),
    MentionKind.PINGBACK: ("pingback", "pingbacks"),
    MentionKind.TRACKBACK: ("trackback", "trackbacks"),
    MentionKind.WEBMENTION: ("webmention", "webmentions"),
    MentionKind.LINK: ("link", "links"),
    MentionKind.COMMENT: ("comment", "comments"),
}
LINKBACK_ORDER = (
    MentionKind.PINGBACK,
    MentionKind.TRACKBACK,
    MentionKind.REBLOG,
    MentionKind.WEBMENTION,
    MentionKind.LINK,
    MentionKind.COMMENT,
)


#: A post this much older than the day is an "older post"...
OLDER_POST_DAYS = 30
#: ...and a linkback on it dated this much before the day was not the day's news.
OLDER_FIND_DAYS = 2


def build_digest(
    data: DigestInput, limits: Limits = DEFAULT_LIMITS, more: MoreLink = NO_LINK
) -> DigestView:
    """The whole digest for ``data.day`` as display-ready data; ``more`` is where the
    sections cut at ``limits`` are whole."""
    tz = ZoneInfo(data.timezone)
    day = data.day
    counts, total_count = _counts(data.counts, day)
    total = total_count.today
    label = day_label(day)
    # One outlet, one name (#18): every section below sees the same name for a site.
    mentions, seen = name_outlets(
        data.mentions, data.sources, data.sites_seen_before | data.own_sites
    )
    coverage = [m for m in mentions if m.kind in COVERAGE_KINDS]
    found = [m for m in mentions if m.kind not in COVERAGE_KINDS]
    day_start = data.window.since
    linkbacks = [m for m in found if not _on_older_post(m, day_start)]
    older = [m for m in found if _on_older_post(m, day_start)]
    posts, linkbacks_hidden = _linkbacks(linkbacks, tz, limits.linkbacks)
    older_posts, older_hidden = _linkbacks(older, tz, limits.linkbacks)
    stories, story_count = _stories(coverage, data.story_originals, tz, limits.stories)
    outlets = _outlets(mentions, seen)
    late = _late(mentions, day, tz)
    health = build_health(data, tz, limits.health_items)
    noun = "new" if total else "no new coverage"
    return DigestView(
        org=data.org,
        day=day.isoformat(),
        day_label=label,
        timezone=data.timezone,
        subject=f"{data.org} coverage — {label}: {f'{total} new' if total else noun}",
        total=total,
        summary=_summary(counts, total),
        empty=total == 0,
        empty_line=(
            f"No new coverage; {health.checks}, "
            f"{health.errors} error{'s' if health.errors != 1 else ''}"
        ),
        counts=counts,
        total_count=total_count,
        chart=_chart(data.counts, day),
        chart_max=max((sum(data.counts.get(d, {}).values()) for d in _days(day)), default=0),
        linkbacks=posts,
        linkback_count=len(linkbacks),
        linkbacks_hidden=linkbacks_hidden,
        press=tuple(stories),
        press_count=len(coverage),
        press_hidden=story_count - len(stories),
        outlets=tuple(outlets[: limits.outlets]),
        outlets_hidden=max(len(outlets) - limits.outlets, 0),
        late=tuple(late[: limits.late]),
        late_hidden=max(len(late) - limits.late, 0),
        health=health,
        generated=f"Generated {datetime_label(data.now, tz)} ({data.timezone})",
        more_url=more.url,
        more_label=more.label,
        older_linkbacks=older_posts,
        older_count=len(older),
        older_post_count=len({m.target for m in older}),
        linkback_post_count=len({m.target for m in linkbacks}),
        older_hidden=older_hidden,
    )


#: A webmention that is a social response (brid.gy: like, repost, reply) is shown as such.
RESPONSE_LABELS = {note: response.capitalize() for response, note in RESPONSE_NOTES.items()}


def _response_label(m: MentionView) -> str:
    return RESPONSE_LABELS.get(m.note, "") if m.kind is MentionKind.WEBMENTION else ""


def _on_older_post(m: MentionView, day_start: datetime) -> bool:
    """Found on the day, but on a post older than ``OLDER_POST_DAYS`` and itself dated more
    than ``OLDER_FIND_DAYS`` before the day: the backlog a first harvest of an established
    blog brings in, which is news to us but not the day's news (#16). A fresh comment on an
    old post stays with the day's linkbacks."""
    if m.target_published_at is None or m.published_at is None:
        return False
    return m.target_published_at < day_start - timedelta(
        days=OLDER_POST_DAYS
    ) and m.published_at < day_start - timedelta(days=OLDER_FIND_DAYS)


def _days(day: date, n: int = CHART_DAYS) -> list[date]:
    return [day - timedelta(days=i) for i in range(n - 1, -1, -1)]


def _kind_count(kind: str, label: str, today: int, previous: int, week: Sequence[int]) -> KindCount:
    change = today - previous
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return KindCount(
        kind=kind,
        label=label,
        today=today,
        previous=previous,
        change=f"{sign}{abs(change)}",
        trend="up" if change > 0 else "down" if change < 0 else "flat",
        average=f"{sum(week) / len(week):.1f}",
    )


def _counts(
    counts: Mapping[date, Mapping[str, int]], day: date
) -> tuple[tuple[KindCount, ...], KindCount]:
    week = [day - timedelta(days=i) for i in range(1, AVERAGE_DAYS + 1)]
    previous = day - timedelta(days=1)

    def n(d: date, kind: str | None = None) -> int:
        per_kind = counts.get(d, {})
        return sum(per_kind.values()) if kind is None else per_kind.get(kind, 0)

    rows = []
    for kind in KIND_ORDER:
        today, prev, past = n(day, kind), n(previous, kind), [n(d, kind) for d in week]
        if today or prev or any(past):
            rows.append(_kind_count(kind.value, PLURAL[kind], today, prev, past))
    total = _kind_count("total", "All", n(day), n(previous), [n(d) for d in week])
    return tuple(rows), total


def _summary(counts: Sequence[KindCount], total: int) -> str:
    if not total:
        return "No new coverage"
    parts = [f"{c.today} {COUNTED[MentionKind(c.kind)][c.today != 1]}" for c in counts if c.today]
    return f"{total} new: " + ", ".join(parts)


def _chart(counts: Mapping[date, Mapping[str, int]], day: date) -> tuple[ChartBar, ...]:
    coverage_kinds = {k.value for k in COVERAGE_KINDS}
    rows = []
    for d in _days(day):
        per_kind = counts.get(d, {})
        cov = sum(v for k, v in per_kind.items() if k in coverage_kinds)
        rows.append((d, cov, sum(per_kind.values()) - cov))
    top = max((c + lb for _, c, lb in rows), default=0)
    bars = []
    for d, cov, lb in rows:
        cov_pct = round(100 * cov / top) if top else 0
        lb_pct = min(round(100 * lb / top) if top else 0, 100 - cov_pct)
        width = round(TEXT_BAR_WIDTH * (cov + lb) / top) if top else 0
        bars.append(
            ChartBar(
                day=d.isoformat(),
                label=short_day_label(d),
                total=cov + lb,
                coverage=cov,
                linkbacks=lb,
                coverage_pct=cov_pct,
                linkbacks_pct=lb_pct,
                rest_pct=100 - cov_pct - lb_pct,
                is_day=d == day,
                text_bar="█" * max(width, 1 if cov + lb else 0),
            )
        )
    return tuple(bars)


def _title(m: MentionView) -> str:
    """The page title, or a readable form of its URL when the page had none."""
    if m.title.strip():
        return clip(m.title, 200)
    parts = urlsplit(m.url)
    return clip(f"{parts.netloc}{parts.path}" or m.url, 120)


def _site(m: MentionView) -> str:
    return clip(m.site or urlsplit(m.url).netloc, 80)


def _linkbacks(
    mentions: Sequence[MentionView], tz: ZoneInfo, limit: int
) -> tuple[tuple[PostLinkbacks, ...], int]:
    by_post: dict[str, list[MentionView]] = {}
    for m in mentions:
        by_post.setdefault(m.target, []).append(m)
    ordered = sorted(
        by_post.items(),
        key=lambda kv: (-len(kv[1]), _post_title(kv[0], kv[1]).casefold(), kv[0]),
    )
    posts: list[PostLinkbacks] = []
    budget, hidden = limit, 0
    for target, items in ordered:
        items = sorted(items, key=lambda m: (LINKBACK_ORDER.index(m.kind), m.first_seen_at, m.id))
        shown, rest = items[: max(budget, 0)], items[max(budget, 0) :]
        budget -= len(shown)
        hidden += len(rest)
        if not shown:
            continue
        groups = []
        for kind in LINKBACK_ORDER:
            of_kind = [_linkback_item(m, tz) for m in shown if m.kind is kind]
            if of_kind:
                groups.append(LinkbackGroup(kind.value, PLURAL[kind], tuple(of_kind)))
        posts.append(
            PostLinkbacks(
                target=safe_url(target),
                title=_post_title(target, items),
                count=len(items),
                groups=tuple(groups),
                hidden=len(rest),
            )
        )
    return tuple(posts), hidden


def _post_title(target: str, items: Sequence[MentionView]) -> str:
    titles = [m.target_title for m in items if m.target_title.strip()]
    if titles:
        return clip(titles[0], 200)
    if not target:
        return "(post not identified)"
    parts = urlsplit(target)
    return clip(f"{parts.netloc}{parts.path}", 120)


def _linkback_item(m: MentionView, tz: ZoneInfo) -> LinkbackItem:
    return LinkbackItem(
        kind=m.kind.value,
        kind_label=_response_label(m) or SINGULAR[m.kind],
        title=_title(m),
        url=safe_url(m.url),
        site=_site(m),
        author=clip(m.author, 80),
        date=date_label(m.published_at, tz),
        found=time_label(m.first_seen_at, tz),
        context=clip(m.context, 300),
        note=clip(m.note, 300),
        our_reply=m.kind is MentionKind.COMMENT and m.by_organisation,
    )


def _stories(
    mentions: Sequence[MentionView],
    originals: Mapping[int, int | None],
    tz: ZoneInfo,
    limit: int,
) -> tuple[list[StoryView], int]:
    """The first ``limit`` stories (only those are built) and how many there are."""
    by_doc: dict[int, MentionView] = {}
    for m in sorted(mentions, key=lambda m: (m.first_seen_at, m.id)):
        by_doc.setdefault(m.document_id, m)
    groups: dict[tuple[str, int], list[MentionView]] = {}
    for m in by_doc.values():
        key = ("story", m.story_id) if m.story_id is not None else ("doc", m.document_id)
        groups.setdefault(key, []).append(m)
    stories = []
    for (label, ident), items in groups.items():
        original_id = originals.get(ident) if label == "story" else None
        lead = next((m for m in items if m.document_id == original_id), None)
        if lead is None:
            lead = min(
                items,
                key=lambda m: (m.published_at is None, m.published_at or m.first_seen_at, m.id),
            )
        pickups = sorted(
            (m for m in items if m is not lead),
            key=lambda m: (-m.source_weight, m.first_seen_at, m.id),
        )
        weight = max(m.source_weight for m in items)
        found = min(m.first_seen_at for m in items)
        stories.append((weight, found, lead.id, lead, pickups))
    stories.sort(key=lambda s: (-s[0], s[1], s[2]))
    views = [_story(lead, pickups, weight, tz) for weight, _, _, lead, pickups in stories[:limit]]
    return views, len(stories)


def _story(
    lead: MentionView, pickups: Iterable[MentionView], weight: int, tz: ZoneInfo
) -> StoryView:
    return StoryView(
        kind=lead.kind.value,
        kind_label=SINGULAR[lead.kind],
        title=_title(lead),
        url=safe_url(lead.url),
        site=_site(lead),
        source=clip(lead.source_name, 80),
        author=clip(lead.author, 80),
        date=date_label(lead.published_at, tz),
        found=time_label(lead.first_seen_at, tz),
        snippet=highlight(_clean_snippet(lead.snippet), lead.hits, lead.terms),
        queries=tuple(clip(q, 60) for q in lead.queries),
        terms=tuple(clip(t, 60) for t in lead.terms),
        weight=weight,
        pickups=tuple(
            Pickup(
                title=_title(p),
                url=safe_url(p.url),
                site=_site(p),
                date=date_label(p.published_at, tz),
            )
            for p in pickups
        ),
    )


_SNIPPET_CLEAN = dict.fromkeys((*range(32), 127), " ") | dict.fromkeys(
    (*range(0x202A, 0x202F), *range(0x2066, 0x206A)), "\u200b"
)


def _clean_snippet(snippet: str) -> str:
    """Hits are offsets into the stored snippet, so only same-length cleaning is allowed
    here: control characters become spaces, bidi overrides zero-width spaces."""
    return snippet.translate(_SNIPPET_CLEAN)


def _outlets(mentions: Sequence[MentionView], seen: frozenset[str]) -> list[Outlet]:
    fresh = [
        m for m in mentions if m.site and m.site not in seen and m.kind is not MentionKind.COMMENT
    ]
    counts = Counter(m.site for m in fresh)
    first: dict[str, MentionView] = {}
    for m in sorted(fresh, key=lambda m: (m.first_seen_at, m.id)):
        first.setdefault(m.site, m)
    ordered = sorted(counts, key=lambda s: (-counts[s], s.casefold(), s))
    return [
        Outlet(
            site=clip(site, 80),
            count=counts[site],
            title=_title(first[site]),
            url=safe_url(first[site].url),
            kind_label=SINGULAR[first[site].kind],
        )
        for site in ordered
    ]


def _late(mentions: Sequence[MentionView], day: date, tz: ZoneInfo) -> list[LateArrival]:
    cutoff = day - timedelta(days=LATE_AFTER_DAYS)
    seen: set[int] = set()
    out: list[tuple[datetime, int, LateArrival]] = []
    for m in mentions:
        if m.published_at is None or m.document_id in seen:
            continue
        published = m.published_at.astimezone(tz).date()
        if published >= cutoff:
            continue
        seen.add(m.document_id)
        arrival = LateArrival(
            title=_title(m),
            url=safe_url(m.url),
            site=_site(m),
            kind_label=SINGULAR[m.kind],
            published=date_label(m.published_at, tz),
            days_late=(day - published).days,
        )
        out.append((m.published_at, m.id, arrival))
    out.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in out]
