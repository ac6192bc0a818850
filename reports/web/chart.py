"""The inbox's volume chart: finds per day per query as a server-rendered SVG (#20).

No script and no chart library: a few polylines and labels whose coordinates are computed
here. Query names are text nodes, so Jinja escapes them like anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 640
HEIGHT = 160
PAD = 28
SERIES = 6


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: str
    total: int
    css: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    days: tuple[date, ...]
    series: tuple[Series, ...]
    peak: int
    first: str
    last: str


def volume_chart(counts: dict[tuple[date, str], int], last_day: date, days: int) -> Chart:
    """A chart of ``days`` days ending ``last_day``; the busiest ``SERIES`` queries drawn."""
    span = tuple(last_day - timedelta(days=days - 1 - i) for i in range(days))
    totals: dict[str, int] = {}
    for (_day, name), n in counts.items():
        totals[name] = totals.get(name, 0) + n
    names = sorted(totals, key=lambda n: (-totals[n], n))[:SERIES]
    peak = max([counts.get((d, n), 0) for d in span for n in names] or [0]) or 1
    step = (WIDTH - 2 * PAD) / max(days - 1, 1)
    series = []
    for i, name in enumerate(names):
        coords = []
        for j, day in enumerate(span):
            x = PAD + j * step
            y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * counts.get((day, name), 0) / peak
            coords.append(f"{x:.1f},{y:.1f}")
        series.append(Series(name or "(no query)", " ".join(coords), totals[name], f"s{i}"))
    return Chart(
        WIDTH, HEIGHT, span, tuple(series), peak, span[0].isoformat(), span[-1].isoformat()
    )
