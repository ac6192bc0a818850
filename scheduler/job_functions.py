"""In-process jobs (the digest and the clean-up). Crawling jobs run in children instead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from crawler.config import Config
from crawler.storage.db import session_scope
from crawler.storage.outbox import prune_outbox
from crawler.storage.retention import delete_expired
from scheduler.runtime import Runtime


def covered_day_due(config: Config, now: datetime) -> datetime | None:
    """The morning digest of local day D covers day D-1 and is due once D's send_at passed."""
    local = now.astimezone(config.organisation.tz)
    hour, minute = (int(x) for x in config.digest.send_at.split(":"))
    if local.time() < time(hour, minute):
        return None
    return datetime.combine(local.date() - timedelta(days=1), time(), tzinfo=local.tzinfo)


def digest(rt: Runtime, run_id: int) -> dict[str, Any]:
    """Send the morning digest once it is due, and retry failed sends whose backoff ran out."""
    from reports.send import retry_due_digests, send_digest

    now = rt.clock.now()
    stats: dict[str, Any] = {}
    day = covered_day_due(rt.config, now)
    if day is not None:
        outcome = send_digest(rt.config, rt.engine, day.date(), now)
        stats["day"] = day.date().isoformat()
        stats["outcome"] = outcome.status.value
        stats["message"] = outcome.message
    retried = retry_due_digests(rt.config, rt.engine, now)
    stats["retried"] = [f"{o.day}: {o.status.value}" for o in retried]
    return stats


def alerts(rt: Runtime, run_id: int) -> dict[str, Any]:
    """Expand new finds into alert deliveries and send what is due (#21)."""
    from reports.alerts.sender import send_due

    stats = send_due(rt.config, rt.engine, rt.clock.now())
    return {"idle": True} if stats.idle else stats.as_dict()


def websub(rt: Runtime, run_id: int) -> dict[str, Any]:
    """Subscribe to the hubs watched feeds advertise, renew leases, unsubscribe removed
    sources (#21); nothing at all without ``[websub] enabled``."""
    from crawler.websub.manager import run_pass

    stats = run_pass(rt.config, rt.engine, rt.clock.now())
    return {"idle": True} if stats.idle else stats.as_dict()


def cleanup(rt: Runtime, run_id: int) -> dict[str, Any]:
    now = rt.clock.now()
    with session_scope(rt.engine) as session:
        stats = delete_expired(
            session,
            now,
            runs_days=rt.config.retention.crawl_runs_days,
            receipts_days=rt.config.retention.receipts_days,
        )
        stats.update(prune_outbox(session, now, keep_days=rt.config.alerting.keep_days))
        return stats
