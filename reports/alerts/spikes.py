"""The spike model (#21): is a query's recent count unusual for THIS organisation?

For each query, the finds first seen in the last ``W`` hours (``spike_window_hours``, default
3) are compared with the same ``W`` hours of each of the previous ``D`` days
(``spike_baseline_days``, default 28), so a daily rhythm (busy mornings, quiet nights) is part
of the baseline. With ``m`` the median of those ``D`` counts and ``MAD`` their median absolute
deviation, scaled by 1.4826 (so it estimates a standard deviation) and at least 1:

    threshold = max(spike_min_count, m + spike_mads * max(1.4826 * MAD, 1))

A window at or over the threshold is a spike; it is alerted once and stays open until the
window falls below the midpoint of median and threshold (hysteresis: a count hovering at the
threshold does not alert again and again). Median and MAD ignore one-off bursts in the
history, and the floor keeps a quiet organisation (median 0) from alerting on 2 finds.
Pure: counts in, decision out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.storage.spikes import FindTime

MAD_SCALE = 1.4826
TOP_SOURCES = 3


@dataclass(frozen=True, slots=True)
class SpikeCheck:
    query: str
    count: int
    median: float
    threshold: float
    top_sources: tuple[tuple[str, int], ...]

    @property
    def is_spike(self) -> bool:
        return self.count >= self.threshold

    @property
    def is_over(self) -> bool:
        """Below the midpoint of median and threshold: the spike has ended."""
        return self.count < (self.median + self.threshold) / 2


def threshold(history: Sequence[int], floor: int, mads: float) -> tuple[float, float]:
    """(median, threshold) of the baseline counts."""
    median = float(statistics.median(history)) if history else 0.0
    mad = float(statistics.median([abs(x - median) for x in history])) if history else 0.0
    return median, max(float(floor), median + mads * max(MAD_SCALE * mad, 1.0))


def check(
    query: str,
    finds: Sequence[FindTime],
    now: datetime,
    *,
    window: timedelta,
    days: int,
    floor: int,
    mads: float,
) -> SpikeCheck:
    """The spike check of one query over finds covering [now - days - window, now)."""
    mine = [f for f in finds if query in f.queries]
    current = [f for f in mine if now - window <= f.seen_at < now]
    history = []
    for day in range(1, days + 1):
        end = now - timedelta(days=day)
        history.append(sum(1 for f in mine if end - window <= f.seen_at < end))
    median, limit = threshold(history, floor, mads)
    sites = Counter(f.site for f in current if f.site).most_common(TOP_SOURCES)
    return SpikeCheck(query, len(current), median, limit, tuple(sites))


def spike_text(rule: str, spike: SpikeCheck, window: timedelta) -> tuple[str, str]:
    hours = int(window.total_seconds() // 3600)
    title = f"mediamon {rule}: spike for {spike.query!r}"
    lines = [
        f"{spike.count} finds for {spike.query!r} in the last {hours} h, "
        f"usually {spike.median:g} (alert threshold {spike.threshold:g})."
    ]
    if spike.top_sources:
        lines.append("Top sources: " + ", ".join(f"{s} ({n})" for s, n in spike.top_sources))
    return title, "\n".join(lines)
