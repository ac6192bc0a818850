"""The digest view model: golden-tested from stored mentions of every kind, and its rules one
by one on plain input."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from crawler.domain import MentionKind
from crawler.storage.db import session_scope
from crawler.storage.reporting import SourceStatus
from reports.dates import day_window, default_day
from reports.gather import load_digest_input
from reports.model import DigestView, Limits, as_dict
from reports.send import own_sites
from reports.view import build_digest
from tests.reports.factories import digest_input, mention_view
from tests.reports.sample import DAY, NOW, ORG, TZ, seed

GOLDEN = Path(__file__).parents[1] / "golden" / "digest_view.json"


def sample_view(engine: Engine) -> DigestView:
    config = seed(engine)
    with session_scope(engine) as s:
        data = load_digest_input(s, ORG, TZ, DAY, NOW, own_sites(config))
    return build_digest(data)


def test_view_model_matches_golden_file_on_both_databases(engine: Engine) -> None:
    """Stored mentions of every kind -> the view model, compared as JSON. Regenerate with
    UPDATE_GOLDEN=1 after an intended change, and review the diff."""
    got = json.dumps(as_dict(sample_view(engine)), indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8")


def test_sample_day_decisions(sqlite_engine: Engine) -> None:
    view = sample_view(sqlite_engine)
    assert view.subject == "Orbis Union coverage — Mon 2 Nov 2026: 15 new"
    assert view.total == 15
    kinds = {c.kind: c for c in view.counts}
    assert set(kinds) == {k.value for k in MentionKind}
    assert (kinds["press"].today, kinds["press"].previous, kinds["press"].change) == (6, 4, "+2")
    assert view.total_count.previous == 7
    # Linkbacks: grouped by our post, kinds in a fixed order, our reply marked.
    [standards, report] = view.linkbacks
    assert standards.title == "Why open standards matter"
    assert [g.kind for g in standards.groups] == ["pingback", "trackback", "link", "comment"]
    assert [g.kind for g in report.groups] == ["pingback", "reblog", "webmention"]
    comments = standards.groups[-1].items
    assert [c.our_reply for c in comments] == [False, True]
    assert report.groups[1].items[0].note.startswith("Reblogged this on")
    # Press: the wire story's original leads, with its pickups; heavier sources first.
    lead = view.press[0]
    assert lead.title == "Orbis Union backs open standards for public data"
    # The configured name of an outlet wins over its host (#18).
    assert [p.site for p in lead.pickups] == ["Tech Chronicle", "wire.example"]
    assert [s.text for s in lead.snippet if s.marked] == ["Orbis Union"]
    assert view.press_count == 7
    assert len(view.press) == 5
    # Outlets never seen before the day, excluding our own blog; one late arrival.
    sites = [o.site for o in view.outlets]
    assert "wire.example" in sites
    assert "dailyplanet.example" not in sites
    assert "blog.orbis.example" not in sites
    assert [(a.title, a.days_late) for a in view.late] == [
        ("From the archive: a decade of Orbis Union", 13)
    ]
    # Health footer.
    assert [s.name for s in view.health.failing] == ["Broken Wire", "Gone Times"]
    assert [s.name for s in view.health.silent] == ["Quiet Gazette"]
    assert [r.detail for r in view.health.run_errors] == ["exit 1: crawl timed out after 600 s"]
    assert [r.source for r in view.health.rejected] == ["https://spam.example/casino"]
    # Chart: 14 days ending on the day, the day's bar the longest.
    assert len(view.chart) == 14
    assert view.chart[-1].is_day
    assert view.chart[-1].coverage_pct + view.chart[-1].linkbacks_pct == 100


def test_empty_day_still_says_something(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    quiet = DAY + timedelta(days=1)
    with session_scope(sqlite_engine) as s:
        data = load_digest_input(s, ORG, TZ, quiet, NOW + timedelta(days=1))
    view = build_digest(data)
    assert view.empty
    assert view.total == 0
    assert view.subject == "Orbis Union coverage — Tue 3 Nov 2026: no new coverage"
    # Checked on the 2nd, not on the 3rd: the day says so (#18), never "0 of 7 checked".
    assert view.empty_line == "No new coverage; no source was checked on this day, 0 errors"
    assert view.linkbacks == ()
    assert view.press == ()
    assert view.total_count.previous == 15


def test_day_is_local_midnight_to_midnight_across_dst() -> None:
    tz = ZoneInfo("Europe/Zurich")
    autumn = day_window(date(2026, 10, 25), tz)  # clocks go back: 25 hours
    assert autumn.until - autumn.since == timedelta(hours=25)
    assert autumn.since == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    just_before = mention_view(first_seen_at=datetime(2026, 11, 1, 22, 59, tzinfo=UTC))
    assert day_window(DAY, tz).since > just_before.first_seen_at


def test_default_day_is_yesterday_in_the_organisations_timezone() -> None:
    tz = ZoneInfo("Pacific/Auckland")
    # 20:00 UTC on 2 Nov is already 3 Nov (09:00) in Auckland: the digest covers 2 Nov.
    assert default_day(datetime(2026, 11, 2, 20, 0, tzinfo=UTC), tz) == date(2026, 11, 2)
    assert default_day(datetime(2026, 11, 2, 20, 0, tzinfo=UTC), ZoneInfo("UTC")) == date(
        2026, 11, 1
    )


def test_story_without_recorded_original_leads_with_earliest_published() -> None:
    early = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    a = mention_view(story_id=7, published_at=early + timedelta(hours=2), source_weight=5)
    b = mention_view(story_id=7, published_at=early)
    c = mention_view(story_id=7, published_at=None)
    view = build_digest(digest_input([a, b, c], story_originals={7: None}))
    [story] = view.press
    assert story.title == b.title
    assert [p.title for p in story.pickups] == [a.title, c.title]
    assert story.weight == 5


def test_press_ordered_by_weight_then_discovery() -> None:
    t = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    light_early = mention_view(first_seen_at=t, source_weight=1)
    heavy_late = mention_view(first_seen_at=t + timedelta(hours=3), source_weight=4)
    light_late = mention_view(first_seen_at=t + timedelta(hours=1), source_weight=1)
    view = build_digest(digest_input([light_late, heavy_late, light_early]))
    assert [s.title for s in view.press] == [heavy_late.title, light_early.title, light_late.title]


def test_late_means_published_more_than_two_days_before() -> None:
    def published(d: int) -> datetime:
        return datetime(2026, 11, d, 12, 0, tzinfo=UTC)

    items = [mention_view(published_at=published(d)) for d in (1, 2)]
    items += [mention_view(published_at=datetime(2026, 10, 31, 12, 0, tzinfo=UTC))]
    items += [mention_view(published_at=datetime(2026, 10, 30, 12, 0, tzinfo=UTC))]
    items += [mention_view(published_at=None)]
    view = build_digest(digest_input(items))
    assert [a.days_late for a in view.late] == [3]


def test_busy_day_is_capped_but_counted() -> None:
    items = [mention_view() for _ in range(30)]
    items += [mention_view(MentionKind.PINGBACK) for _ in range(30)]
    view = build_digest(digest_input(items), Limits(stories=10, linkbacks=12))
    assert view.total == 60
    assert len(view.press) == 10
    assert view.press_hidden == 20
    assert sum(len(g.items) for p in view.linkbacks for g in p.groups) == 12
    assert view.linkbacks_hidden == 18


def test_silent_and_failing_sources() -> None:
    old = datetime(2026, 10, 1, tzinfo=UTC)

    def source(name: str, **kw: object) -> SourceStatus:
        fields: dict[str, object] = {
            "name": name,
            "url": f"https://{name}.example/",
            "kind": "press",
            "type": "feed",
            "health": "ok",
            "checked_at": datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
            "last_status": 200,
            "last_error": "",
            "disabled_reason": "",
            "created_at": old,
            "last_new_at": datetime(2026, 11, 1, tzinfo=UTC),
            "checked_between": True,
        }
        fields.update(kw)
        return SourceStatus(**fields)  # type: ignore[arg-type]

    sources = [
        source("fresh"),
        source("quiet", last_new_at=datetime(2026, 10, 20, tzinfo=UTC)),
        source("new", created_at=datetime(2026, 10, 30, tzinfo=UTC), last_new_at=None),
        source("own", type="own", last_new_at=None),
        source("off", disabled_reason="removed", last_new_at=None),
        source("bad", health="failing", last_status=500, last_error="Internal\nServer Error"),
    ]
    health = build_digest(digest_input([], sources=sources)).health
    assert [(s.name, s.detail) for s in health.silent] == [
        ("quiet", "nothing new since 20 Oct 2026")
    ]
    assert [s.name for s in health.failing] == ["bad"]
    assert health.failing[0].detail.startswith("HTTP 500 · Internal ·")
    assert health.sources_checked == 6
