"""The alert sender (#21): expand outbox events into deliveries, claim what is due, send.

One pass (``send_due``) is what the daemon's ``alerts`` job and ``mediamon alerts send`` run:

1. every new find's outbox event is checked against the rules (pure ``policy``): backfill
   and finds no longer alertable are skipped; each matching (rule, find) gets a delivery row,
   unique on that pair;
2. per rule, outside its quiet hours and when its batch interval is up, the due deliveries
   are claimed (a conditional state change, so a racing sender gets none of them);
3. instant rules send each find up to the channel's hourly limit; the rest become ONE
   "and N more" summary (at most one an hour, the rest wait for the next hour); batch rules
   and finds held through quiet hours become one batch message;
4. each message goes to every channel that has not taken it yet; failures are retried with
   exponential backoff and marked failed with the reason after ``max_attempts``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.alert_config import AlertRule
from crawler.config import Config
from crawler.storage import outbox
from crawler.storage import spikes as spike_store
from crawler.storage.db import session_scope
from crawler.storage.mentions import MentionView
from reports.alerts import policy, spikes
from reports.alerts.channels import Message, send_message

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
#: How long a claim holds before another sender may take the delivery over (a dead sender).
CLAIM_LEASE = timedelta(minutes=10)
#: Finds listed one by one in a batch message; the rest are counted.
BATCH_LISTED = 20


@dataclass
class SendStats:
    expanded: int = 0
    queued: int = 0
    sent: int = 0
    summarised: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    spikes: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        """Nothing expanded, sent, retried, failed or detected: a pass not worth recording."""
        return not (
            self.expanded or self.sent or self.summarised or self.retrying or self.failed
        ) and not (self.held or self.spikes or self.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "expanded": self.expanded,
            "queued": self.queued,
            "sent": self.sent,
            "summarised": self.summarised,
            "retrying": self.retrying,
            "failed": self.failed,
            "held": self.held,
            "spikes": self.spikes,
            "errors": self.errors[:20],
        }


def new_token() -> str:
    """A sender's identity for its claims (unique per pass, so two passes never mix)."""
    return uuid.uuid4().hex[:16]


def expand(config: Config, engine: Engine, now: datetime, stats: SendStats) -> None:
    """Turn pending outbox events into deliveries of the rules they match."""
    org = config.organisation.name
    window = timedelta(hours=config.alerting.backfill_hours)
    while True:
        with session_scope(engine) as session:
            events = outbox.pending_events(session, org)
            if not events:
                return
            pairs: list[tuple[str, int]] = []
            for event in events:
                mention = event.mention
                if mention is None or event.backfill or policy.is_backfill(mention, window):
                    continue
                pairs += [
                    (r.name, mention.id)
                    for r in config.alerts
                    if not r.spike and policy.matches(r, mention)
                ]
            outbox.add_deliveries(session, org, pairs, now)
            outbox.mark_expanded(session, [e.id for e in events], now)
        stats.expanded += len(events)
        stats.queued += len(pairs)


def send_due(config: Config, engine: Engine, now: datetime, *, token: str = "") -> SendStats:
    """One sender pass: expand, then send what is due for every rule."""
    token = token or new_token()
    stats = SendStats()
    expand(config, engine, now, stats)
    for rule in config.alerts:
        _send_rule(config, engine, rule, now, token, stats)
    return stats


def _send_rule(
    config: Config, engine: Engine, rule: AlertRule, now: datetime, token: str, stats: SendStats
) -> None:
    org = config.organisation.name
    tz = config.organisation.tz
    if rule.spike:
        _check_spikes(config, engine, rule, now, stats)
    if policy.in_quiet_hours(rule.quiet, now, tz):
        return
    with session_scope(engine) as session:
        if rule.mode == "batch":
            last = outbox.last_message_at(session, org, rule.name, summaries=True)
            if last is not None and last + rule.every > now:
                return
        ids = outbox.claim_due(session, org, rule.name, now, now + CLAIM_LEASE, token)
    if not ids:
        return
    with session_scope(engine) as session:
        deliveries = outbox.load_deliveries(session, org, ids)
    messages = [d for d in deliveries if d.mention is None and d.summary_count]
    gone = [d.id for d in deliveries if d.mention is None and not d.summary_count]
    finds = [d for d in deliveries if d.mention is not None]
    held = [d for d in finds if policy.in_quiet_hours(rule.quiet, d.created_at, tz)]
    batched = finds if rule.mode == "batch" else (held if len(held) > 1 else [])
    in_batch = {d.id for d in batched}
    single = [d for d in finds if d.id not in in_batch]
    with session_scope(engine) as session:
        outbox.set_state(session, gone, outbox.SKIPPED, token, now=now)
        if batched:
            title, body = policy.batch_text(
                rule.name, [_view(d.mention) for d in batched[:BATCH_LISTED]],
                max(len(batched) - BATCH_LISTED, 0),
            )  # fmt: skip
            message_id = outbox.add_message(
                session, org, rule.name, title=title, body=body, count=len(batched),
                now=now, until=now + CLAIM_LEASE, token=token,
            )  # fmt: skip
            outbox.set_state(session, [d.id for d in batched], outbox.SUMMARISED, token, now=now)
            stats.summarised += len(batched)
            messages += outbox.load_deliveries(session, org, [message_id])
        budget = config.alerting.rate_limit_per_hour - outbox.sent_since(
            session, org, rule.name, now - HOUR
        )
        budget = max(budget - len(messages), 0)
        overflow = single[budget:]
        single = single[:budget]
        if overflow:
            messages += _summarise(config, session, rule, overflow, now, token, stats)
    for delivery in [*single, *messages]:
        _deliver(config, engine, rule, delivery, now, token, stats)


def _check_spikes(
    config: Config, engine: Engine, rule: AlertRule, now: datetime, stats: SendStats
) -> None:
    """Open (and queue one message for) each new spike of the rule's queries; close the
    spikes that are over. Every pass recomputes from stored finds, so a restart loses nothing."""
    org = config.organisation.name
    settings = config.alerting
    window = timedelta(hours=settings.spike_window_hours)
    queries = rule.queries or tuple(q.name for q in config.queries)
    since = now - timedelta(days=settings.spike_baseline_days) - window
    with session_scope(engine) as session:
        finds = spike_store.find_times(session, org, since, now)
        for query in queries:
            result = spikes.check(
                query, finds, now, window=window, days=settings.spike_baseline_days,
                floor=settings.spike_min_count, mads=settings.spike_mads,
            )  # fmt: skip
            open_id = spike_store.open_spike(session, org, rule.name, query)
            if open_id is not None:
                if result.is_over:
                    spike_store.end_spike(session, open_id, now)
                continue
            if not result.is_spike:
                continue
            if spike_store.start_spike(
                session, org, rule.name, query, now, result.count, result.median
            ):
                title, body = spikes.spike_text(rule.name, result, window)
                outbox.add_message(
                    session, org, rule.name, title=title, body=body, count=result.count, now=now
                )
                stats.spikes += 1


def _view(mention: MentionView | None) -> MentionView:
    assert mention is not None
    return mention


def _summarise(
    config: Config,
    session: Session,
    rule: AlertRule,
    overflow: list[outbox.Delivery],
    now: datetime,
    token: str,
    stats: SendStats,
) -> list[outbox.Delivery]:
    """Past the hourly limit: one "and N more" message an hour; later overflow waits."""
    org = config.organisation.name
    ids = [d.id for d in overflow]
    last = outbox.last_message_at(session, org, rule.name, summaries=True)
    if last is not None and last + HOUR > now:
        outbox.set_state(session, ids, outbox.PENDING, token, now=last + HOUR)
        stats.held += len(ids)
        return []
    title, body = policy.summary_text(rule.name, len(ids), config.alerting.inbox_url)
    message_id = outbox.add_message(
        session, org, rule.name, title=title, body=body, count=len(ids),
        now=now, until=now + CLAIM_LEASE, token=token,
    )  # fmt: skip
    outbox.set_state(session, ids, outbox.SUMMARISED, token, now=now)
    stats.summarised += len(ids)
    return outbox.load_deliveries(session, org, [message_id])


def _deliver(
    config: Config,
    engine: Engine,
    rule: AlertRule,
    delivery: outbox.Delivery,
    now: datetime,
    token: str,
    stats: SendStats,
) -> None:
    if delivery.mention is not None:
        title, body = policy.find_title(delivery.mention), policy.find_body(delivery.mention)
    else:
        title, body = delivery.title, delivery.body
    message = Message(
        org=config.organisation.name,
        rule=rule.name,
        title=title,
        body=body,
        key=f"mediamon-{delivery.id}",
    )
    outcome = send_message(config, rule, message, delivery.channels_done, now)
    attempts = delivery.attempts + 1
    if outcome.ok:
        state, next_at, error = outbox.SENT, None, ""
        stats.sent += 1
    elif attempts >= config.alerting.max_attempts:
        state, next_at = outbox.FAILED, None
        error = f"after {attempts} attempts: {outcome.error}"
        stats.failed += 1
        log.error("alert %s of rule %s failed: %s", delivery.id, rule.name, error)
    else:
        state, error = outbox.PENDING, outcome.error
        base = timedelta(seconds=config.alerting.backoff_seconds)
        floor = timedelta(seconds=config.alerting.throttled_seconds)
        next_at = now + policy.backoff(
            attempts, base, throttled=floor if outcome.throttled else None
        )
        stats.retrying += 1
        log.warning("alert %s of rule %s: %s (retry at %s)", delivery.id, rule.name, error, next_at)
    if error:
        stats.errors.append(f"{rule.name}: {error}")
    with session_scope(engine) as session:
        outbox.record_attempt(
            session, delivery.id, token, state=state, now=now, next_attempt_at=next_at,
            channels_done=outcome.done, error=error,
        )  # fmt: skip
