"""Calendar days in the organisation's timezone, and how dates are written in the digest.

A digest covers one calendar day *where the organisation is*, so "Monday" starts at local
midnight whatever the server's zone; across a DST change the day is 23 or 25 hours long.
Dates are spelled out with fixed English names instead of ``strftime("%a")`` so the output
does not depend on the machine's locale (and golden files stay stable).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crawler.storage.reporting import DayWindow

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_window(day: date, tz: ZoneInfo) -> DayWindow:
    """[local midnight, next local midnight) as UTC datetimes."""
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return DayWindow(day=day, since=start, until=end)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def default_day(now: datetime, tz: ZoneInfo) -> date:
    """The day a digest sent at ``now`` covers: yesterday, in the organisation's timezone.

    The digest is read in the morning, so it reports the whole of the previous (complete)
    day; a digest of "today so far" would miss everything found after it was sent, and the
    next morning's digest would not show it either. ``--date`` always names the covered day.
    """
    return local_today(now, tz) - timedelta(days=1)


def day_label(day: date) -> str:
    """``Mon 2 Nov 2026``"""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day_label(day: date) -> str:
    """``Mon 2 Nov``"""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def date_label(value: datetime | None, tz: ZoneInfo) -> str:
    """``2 Nov 2026`` in the organisation's timezone, or ``""`` when unknown."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def datetime_label(value: datetime | None, tz: ZoneInfo) -> str:
    """``2 Nov 2026, 14:05`` in the organisation's timezone, or ``""`` when unknown."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{date_label(value, tz)}, {local:%H:%M}"


def time_label(value: datetime, tz: ZoneInfo) -> str:
    """``14:05`` in the organisation's timezone."""
    return f"{value.astimezone(tz):%H:%M}"
