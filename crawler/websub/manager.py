"""The websub job (#21): discover hubs, subscribe, renew leases, unsubscribe removed sources.

One pass, run by the daemon every ``websub.check_every_seconds`` (``mediamon run --once --job
websub`` runs it by hand; ``mediamon websub list`` shows the subscriptions):

1. a subscription whose source left the config is unsubscribed;
2. each watched feed not subscribed yet and not looked at within ``recheck_hours`` is
   fetched once: a hub in its ``Link`` header or document is asked to subscribe (and asked
   again when it has not verified our intent within ``recheck_hours``);
3. an active subscription whose lease ends within ``renew_before_seconds`` is renewed (same
   callback, same secret; it stays active meanwhile, so no push is lost).

The row is written (and committed) *before* the hub is asked: a hub may verify our intent
before it even answers the request, and the callback must know the subscription by then.
Polling goes on for every feed: it is the safety net if a hub stops pushing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.storage.db import session_scope
from crawler.storage.websub import (
    Subscription,
    checked_since,
    note_error,
    record_checks,
    request,
    set_state,
    source_ids,
    subscriptions,
)
from crawler.websub import http
from crawler.websub.protocol import State, advertised, due_for_renewal, new_secret, new_token

log = logging.getLogger(__name__)

#: A feed fetched for discovery is read this far (hubs are named near the top).
DISCOVERY_MAX_BYTES = 1_000_000
_LIVE = (State.SUBSCRIBING.value, State.ACTIVE.value)


@dataclass
class PassStats:
    checked: int = 0
    subscribed: int = 0
    renewed: int = 0
    unsubscribed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        """Nothing done and nothing failed: a pass whose every hub request failed is not
        "nothing to do" (its errors must reach the run's record and `mediamon status`)."""
        done = self.checked or self.subscribed or self.renewed or self.unsubscribed
        return not (done or self.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "subscribed": self.subscribed,
            "renewed": self.renewed,
            "unsubscribed": self.unsubscribed,
            "errors": self.errors[:20],
        }


def callback_url(config: Config, token: str) -> str:
    return f"{config.websub.callback_url}/websub/{token}"


def ask_hub(config: Config, sub: Subscription, mode: str) -> str:
    """POST the (un)subscription request to the hub; returns "" or the reason it failed."""
    settings = config.websub
    form = {
        "hub.callback": callback_url(config, sub.token),
        "hub.mode": mode,
        "hub.topic": sub.topic,
    }
    if mode == "subscribe":
        form |= {"hub.lease_seconds": str(settings.lease_seconds), "hub.secret": sub.secret}
    try:
        answer = http.request(
            config, "POST", sub.hub, body=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=settings.timeout_seconds, max_bytes=4096,
        )  # fmt: skip
    except http.FetchError as exc:
        return str(exc)
    if not 200 <= answer.status < 300:
        text = answer.body.decode("utf-8", "replace").strip()[:200]
        return f"hub answered {answer.status}: {text}"
    return ""


def _discover(config: Config, url: str) -> tuple[str, str, str]:
    """(hub, topic, error) of a watched feed."""
    try:
        answer = http.request(
            config, "GET", url, timeout=config.websub.timeout_seconds,
            max_bytes=DISCOVERY_MAX_BYTES,
        )  # fmt: skip
    except http.FetchError as exc:
        return "", "", str(exc)
    if answer.status != 200:
        return "", "", f"HTTP {answer.status}"
    found = advertised(url, answer.header_values("link"), answer.body)
    return (found.hub, found.topic, "") if found else ("", "", "")


def run_pass(config: Config, engine: Engine, now: datetime) -> PassStats:
    """One pass of the websub job (see the module docstring)."""
    stats = PassStats()
    settings = config.websub
    if not settings.enabled:
        return stats
    org = config.organisation.name
    with session_scope(engine) as session:
        ids = source_ids(session, [s.url for s in config.sources])
        subs = subscriptions(session, org)
        recent = checked_since(session, now - timedelta(hours=settings.recheck_hours))
    wanted = {ids[s.url]: s.url for s in config.sources if s.url in ids}
    by_source = {s.source_id: s for s in subs if s.source_id is not None}
    stale = now - timedelta(hours=settings.recheck_hours)
    for sub in subs:
        if sub.source_id in wanted:
            continue
        if sub.state in _LIVE:
            _unsubscribe(config, engine, sub, now, stats)
        elif sub.state == State.UNSUBSCRIBING.value:
            _unsubscribe_again(config, engine, sub, now, stale, stats)
    checks: list[tuple[int, str, str]] = []
    for source_id, url in wanted.items():
        known = by_source.get(source_id)
        if known is not None and known.state in _LIVE:
            unanswered = known.state == State.SUBSCRIBING.value and known.requested_at < stale
            if not unanswered:  # a hub that never verified is asked again, once a recheck
                continue
        elif source_id in recent:
            continue
        hub, topic, error = _discover(config, url)
        stats.checked += 1
        checks.append((source_id, hub, error))
        if error:
            stats.errors.append(f"{url}: {error}")
        if hub:
            _subscribe(config, engine, org, source_id, topic, hub, now, stats)
    with session_scope(engine) as session:
        record_checks(session, checks, now)
    before = timedelta(seconds=settings.renew_before_seconds)
    for sub in subs:
        live = sub.state == State.ACTIVE.value and sub.source_id in wanted
        if live and due_for_renewal(sub.expires_at, now, before):
            error = ask_hub(config, sub, "subscribe")
            _note(engine, sub, error, stats, "renew")
            stats.renewed += 0 if error else 1
    return stats


def _subscribe(
    config: Config, engine: Engine, org: str, source_id: int, topic: str, hub: str,
    now: datetime, stats: PassStats,
) -> None:  # fmt: skip
    with session_scope(engine) as session:
        sub = request(
            session, org, source_id, topic, hub, state=State.SUBSCRIBING.value,
            token=new_token(), secret=new_secret(), now=now,
        )  # fmt: skip
    error = ask_hub(config, sub, "subscribe")
    if error:
        with session_scope(engine) as session:
            set_state(session, sub.id, State.UNSUBSCRIBED.value, now, error=error)
        stats.errors.append(f"subscribe {topic}: {error}")
        return
    stats.subscribed += 1


def _unsubscribe(
    config: Config, engine: Engine, sub: Subscription, now: datetime, stats: PassStats
) -> None:
    with session_scope(engine) as session:
        set_state(session, sub.id, State.UNSUBSCRIBING.value, now, requested=True)
    error = ask_hub(config, sub, "unsubscribe")
    _note(engine, sub, error, stats, "unsubscribe")
    stats.unsubscribed += 0 if error else 1


def _unsubscribe_again(
    config: Config,
    engine: Engine,
    sub: Subscription,
    now: datetime,
    stale: datetime,
    stats: PassStats,
) -> None:
    """An unsubscription the hub never confirmed (its request failed, or the hub never
    verified it). Once the lease has run out the hub has dropped us by itself, so it is
    simply over; until then it is asked again, once per ``recheck_hours``, rather than on
    every pass (a hub that is down must not be hammered) or never (it would go on pushing,
    and every push would be refused, for the rest of the lease)."""
    if sub.expires_at is not None and sub.expires_at <= now:
        with session_scope(engine) as session:
            set_state(session, sub.id, State.UNSUBSCRIBED.value, now, error="lease ended")
        stats.unsubscribed += 1
        return
    if sub.requested_at < stale:
        _unsubscribe(config, engine, sub, now, stats)


def _note(engine: Engine, sub: Subscription, error: str, stats: PassStats, what: str) -> None:
    if not error:
        return
    log.warning("websub %s of %s failed: %s", what, sub.topic, error)
    stats.errors.append(f"{what} {sub.topic}: {error}")
    with session_scope(engine) as session:
        note_error(session, sub.id, f"{what}: {error}")
