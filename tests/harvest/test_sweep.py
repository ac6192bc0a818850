"""The slow sweep of older posts (#16): every post is harvested once when first known, whatever
its age; then by age while recent; then once per ``sweep_days``, each post at its own moment
of the cycle so that no day carries the whole archive. A driven clock, no sleeps."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.harvest.policy import harvest_due, last_sweep_at, sweep_offset
from crawler.runs.linkbacks import select_posts
from crawler.storage.db import make_engine
from crawler.storage.linkbacks import HarvestPost
from crawler.storage.migrate import upgrade
from sampleweb.server.router import SampleWeb
from tests.harvest.conftest import NOW, write_config
from tests.helpers import in_child

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
D = timedelta(days=1)
H = timedelta(hours=1)


def _post(i: int, published: datetime, last: datetime | None = None) -> HarvestPost:
    url = f"https://blog.example.org/{published:%Y/%m/%d}/post-{i}/"
    return HarvestPost(
        id=i,
        url=url.replace("https://", "http://"),
        canonical_url=url,
        title=f"Post {i}",
        published_at=published,
        created_at=T0,
        wp_post_id=i,
        platform="wordpress",
        site_url="http://blog.example.org/",
        comment_feed_url="",
        last_harvested_at=last,
    )


def _archive(n: int) -> list[HarvestPost]:
    """``n`` posts, one every 3 days back from 90 days ago: all older than ``recent_days``."""
    return [_post(i, T0 - 90 * D - 3 * i * D) for i in range(n)]


def test_the_offset_is_stable_and_inside_the_cycle() -> None:
    key = "https://blog.example.org/2019/03/04/old/"
    assert sweep_offset(key, 30) == sweep_offset(key, 30)
    assert timedelta(0) <= sweep_offset(key, 30) < 30 * D
    assert timedelta(0) <= sweep_offset(key, 7) < 7 * D
    assert sweep_offset(key, 30) != sweep_offset(key + "x", 30)


@pytest.mark.parametrize("sweep_days", [1, 7, 30])
def test_the_last_sweep_moment_is_within_one_cycle_of_now(sweep_days: int) -> None:
    key = "https://blog.example.org/2019/03/04/old/"
    for hours in range(0, 24 * 40, 5):
        now = T0 + hours * H
        moment = last_sweep_at(key, now, sweep_days)
        assert now - sweep_days * D < moment <= now
        # The moment only moves when the cycle turns: a fixed point per cycle.
        assert last_sweep_at(key, moment, sweep_days) == moment


def test_an_old_post_harvested_since_its_moment_waits_for_the_next() -> None:
    post = _post(1, T0 - 400 * D)
    moment = last_sweep_at(post.canonical_url, T0, 30)
    key = post.canonical_url
    assert harvest_due(post.published_at, moment - H, T0, 60, key=key, sweep_days=30)
    assert not harvest_due(post.published_at, moment + H, T0, 60, key=key, sweep_days=30)
    assert not harvest_due(post.published_at, moment, T0, 60, key=key, sweep_days=30)
    # ... until its moment of the next cycle.
    later = moment + 30 * D
    assert harvest_due(post.published_at, moment, later, 60, key=key, sweep_days=30)
    assert not harvest_due(post.published_at, moment, later - H, 60, key=key, sweep_days=30)


def test_recent_posts_keep_their_age_schedule() -> None:
    young = _post(1, T0 - 3 * D, last=T0 - 5 * H)
    assert select_posts([young], T0, 60, sweep_days=30) == []
    assert select_posts([young], T0 + H, 60, sweep_days=30) == [young]


def test_first_harvest_then_one_sweep_per_cycle_spread_over_the_days() -> None:
    """300 old posts, a run every 6 hours for 90 days: all harvested on the first run, then
    each exactly once per 30-day cycle, and no day carries much more than its share."""
    posts = _archive(300)
    last: dict[int, datetime | None] = dict.fromkeys((p.id for p in posts), None)
    per_day: Counter[int] = Counter()
    per_post: Counter[int] = Counter()
    first = True
    for hour in range(0, 90 * 24 + 1, 6):  # runs up to and including day 90
        now = T0 + hour * H
        current = [replace(p, last_harvested_at=last[p.id]) for p in posts]
        due = select_posts(current, now, 60, sweep_days=30)
        if first:
            assert len(due) == len(posts)  # the whole archive, whatever its age
            first = False
            for p in due:
                last[p.id] = now
            continue
        for p in due:
            last[p.id] = now
            per_day[hour // 24] += 1
            per_post[p.id] += 1
    assert set(per_post.values()) == {3}  # 90 days: three sweeps each, not one more
    share = len(posts) / 30
    assert max(per_day.values()) <= 2.5 * share  # spread: no day holds the archive
    assert len(per_day) >= 80  # nearly every day carries part of it


def test_the_cycle_length_is_configurable() -> None:
    posts = _archive(50)
    swept = [replace(p, last_harvested_at=T0 - 8 * D) for p in posts]
    assert len(select_posts(swept, T0, 60, sweep_days=7)) == len(posts)  # all past a cycle
    monthly = select_posts(swept, T0, 60, sweep_days=30)
    assert 0 < len(monthly) < len(posts)  # about 8/30 of them have had their moment


@pytest.mark.slow
def test_a_harvest_with_no_arguments_reads_every_old_post_once(
    web: SampleWeb, sqlite_url: str, tmp_path: Path
) -> None:
    """The new user's day one: the blog's posts are all older than ``recent_days``, and
    ``mediamon linkbacks`` with no arguments still harvests every one, then none again until
    its moment of the sweep."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    engine.dispose()
    config = write_config(tmp_path / "mediamon.toml", web)
    day1 = [p for p in web.truth()["posts"] if p["day"] == 1]
    polled = in_child("poll", str(config), sqlite_url, timeout=60, all_sources=True, now=NOW)
    assert polled.exit_status == 0, polled.error
    later = NOW + 200 * D  # every post is far past recent_days (60)
    first = in_child("harvest", str(config), sqlite_url, timeout=90, now=later)
    assert first.exit_status == 0, first.error
    assert first.posts == len(day1)
    assert first.new > 0  # their linkbacks, never collected before
    again = in_child("harvest", str(config), sqlite_url, timeout=90, now=later + H)
    assert again.exit_status == 0, again.error
    assert again.posts == 0


def test_the_sweep_is_configured_and_checked() -> None:
    from pydantic import ValidationError

    from crawler.config import Linkbacks

    assert Linkbacks().sweep_days == 30
    assert Linkbacks(sweep_days=7).sweep_days == 7
    with pytest.raises(ValidationError):
        Linkbacks(sweep_days=0)
