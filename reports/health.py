"""The digest's health footer: is the monitoring itself working?

A quiet day is only good news if the sources were actually checked, so the footer lists
sources that fail or are gone, sources that have said nothing new for a week (a feed that
silently stopped updating looks exactly like a quiet outlet), the day's failed runs, and
linkback receipts rejected that day.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from crawler.domain import SourceHealth, SourceType
from crawler.storage.reporting import SourceStatus
from reports.dates import date_label, datetime_label
from reports.model import DigestInput, HealthView, ReceiptIssue, RunIssue, SourceIssue
from reports.text import clip

SILENT_AFTER = timedelta(days=7)
UNHEALTHY = (SourceHealth.FAILING.value, SourceHealth.DEAD.value)


def _failure_detail(s: SourceStatus, tz: ZoneInfo) -> str:
    parts = []
    if s.last_status:
        parts.append(f"HTTP {s.last_status}")
    if s.last_error:
        parts.append(clip(s.last_error.splitlines()[0] if s.last_error.strip() else "", 160))
    if s.checked_at is not None:
        parts.append(f"last checked {datetime_label(s.checked_at, tz)}")
    return " · ".join(p for p in parts if p) or "no details recorded"


def _note(data: DigestInput, tz: ZoneInfo, checked: int) -> str:
    """What to say instead of "N of M sources checked" when that would not be the truth:
    the footer counts only checks inside the day's window, bounded on both sides."""
    since, until = data.window.since, data.window.until
    if since > data.now:
        return "this day has not happened yet"
    if data.started_at is None or until <= data.started_at:
        started = data.started_at
        return (
            f"monitoring started on {date_label(started, tz)}" if started else "not monitored yet"
        )
    if checked == 0:
        return "no source was checked on this day"
    return ""


def build_health(data: DigestInput, tz: ZoneInfo, limit: int) -> HealthView:
    until = data.window.until
    cutoff = until - SILENT_AFTER
    failing, silent = [], []
    for s in data.sources:
        if s.health in UNHEALTHY:
            failing.append(SourceIssue(clip(s.name, 80), s.url, s.health, _failure_detail(s, tz)))
        elif s.type != SourceType.OWN and not s.disabled_reason and s.created_at < cutoff:
            if s.last_new_at is None:
                detail = "nothing new since it was added"
            elif s.last_new_at < cutoff:
                detail = f"nothing new since {date_label(s.last_new_at, tz)}"
            else:
                continue
            if s.checked_at is None or s.checked_at < cutoff:
                detail += "; not checked for over a week"
            silent.append(SourceIssue(clip(s.name, 80), s.url, "silent", detail))
    runs = [
        RunIssue(
            job=clip(r.job, 60),
            at=datetime_label(r.started_at, tz),
            detail=clip(
                f"exit {r.exit_status}" + (f": {r.error}" if r.error else "")
                if r.exit_status not in (None, 0)
                else r.error,
                240,
            ),
        )
        for r in data.failed_runs
    ]
    rejected = [
        ReceiptIssue(
            protocol=r.protocol,
            source=clip(r.source, 160),
            target=clip(r.target, 160),
            reason=clip(r.reason, 200) or "no reason recorded",
            at=datetime_label(r.at, tz),
        )
        for r in data.rejected_receipts
    ]
    lists = (failing, silent, runs, rejected)
    hidden = sum(max(len(x) - limit, 0) for x in lists)
    checked = sum(1 for s in data.sources if s.checked_between)
    return HealthView(
        sources_total=len(data.sources),
        sources_checked=checked,
        note=_note(data, tz, checked),
        errors=len(runs),
        failing=tuple(failing[:limit]),
        silent=tuple(silent[:limit]),
        run_errors=tuple(runs[:limit]),
        rejected=tuple(rejected[:limit]),
        hidden=hidden,
        failed_alerts=data.failed_alerts,
    )
