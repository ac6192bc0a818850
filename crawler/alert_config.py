"""The ``[[alerts]]`` rules and ``[alerting]`` settings of the config (#21).

Kept beside ``crawler.config`` (which composes them) so the config module stays small. Every
channel URL is checked with Apprise at load, so a typo in a Slack URL is a config error at
start naming the rule and the URL, not a silent failure at the first breaking story.
Environment references (``${SLACK_URL}``) are substituted by ``substitute_env`` with the
mapping ``crawler.config`` hands over: this module never reads the environment itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crawler.domain import MentionKind

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def parse_interval(value: str) -> timedelta:
    """``"15m"`` -> 15 minutes; units s, m, h, d."""
    match = _INTERVAL.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not an interval like '15m' or '1h': {value!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """``"22:00-07:00"`` -> (22:00, 07:00); the span may cross midnight."""
    match = _QUIET.match(value.strip())
    if not match:
        raise ValueError(f"not a span of hours like '22:00-07:00': {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if (h1, m1) == (h2, m2):
        raise ValueError(f"quiet hours start and end at the same time: {value!r}")
    return time(h1, m1), time(h2, m2)


def apprise_understands(url: str) -> bool:
    """Whether Apprise has a plugin that accepts this URL (what a send would use).

    Apprise is imported here, when a config names alert URLs: importing it costs every
    command that loads the config (``mediamon crawl`` included) ~0.1 CPU-s (issue #14)."""
    import apprise

    return bool(apprise.Apprise().add(url))


class AlertRule(_Frozen):
    """One alert rule: what it matches and where it goes."""

    name: str = Field(min_length=1)
    urls: tuple[str, ...] = ()
    """Apprise URLs; empty means the SMTP settings' email channel to ``recipients``."""
    recipients: tuple[str, ...] = ()
    """Email channel recipients (default: the digest's recipients)."""
    kinds: tuple[MentionKind, ...] = ()
    queries: tuple[str, ...] = ()
    min_weight: int = Field(default=0, ge=0, le=100)
    languages: tuple[str, ...] = ()
    spike: bool = False
    """Alert on spikes of the rule's queries (all queries when none given), not on each find."""
    mode: Literal["instant", "batch"] = "instant"
    interval: str = "15m"
    quiet_hours: str = ""

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        parse_interval(v)
        return v

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, v: str) -> str:
        if v:
            parse_quiet_hours(v)
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(x.lower() for x in v)

    @property
    def every(self) -> timedelta:
        return parse_interval(self.interval)

    @property
    def quiet(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours) if self.quiet_hours else None


class Alerting(_Frozen):
    """How the alert sender behaves, for every rule."""

    backfill_hours: float = Field(default=48, gt=0)
    """A find published longer ago than this when first seen goes to the digest, not alerts."""
    rate_limit_per_hour: int = Field(default=20, ge=1)
    """Messages per channel per hour; past it, one "and N more" summary."""
    max_attempts: int = Field(default=5, ge=1, le=50)
    backoff_seconds: float = Field(default=30, gt=0)
    """The first retry waits this long, each next one twice as long (capped at 6 hours)."""
    send_every_seconds: float = Field(default=10, gt=0)
    throttled_seconds: float = Field(default=60, gt=0, le=21_600)
    """A channel that answered 429 is retried no sooner than this. Apprise does not pass the
    ``Retry-After`` header on; set this to what the channel asks for (a minute suits Slack,
    Discord and most webhooks)."""
    timeout_seconds: float = Field(default=10, gt=0, le=300)
    inbox_url: str = ""
    """Linked from the "and N more" summary (the newsroom inbox)."""
    keep_days: int = Field(default=90, ge=1)
    """Sent deliveries and expanded outbox events older than this are deleted by the clean-up
    job (failed deliveries stay until requeued)."""
    spike_window_hours: int = Field(default=3, ge=1, le=24)
    """Spikes compare the finds of the last this-many hours ..."""
    spike_baseline_days: int = Field(default=28, ge=3, le=365)
    """... with the same hours of each of this many previous days (median and MAD)."""
    spike_min_count: int = Field(default=10, ge=1)
    """The floor: fewer finds than this in the window is never a spike."""
    spike_mads: float = Field(default=5.0, gt=0)
    """How many (scaled) MADs above the median a window must be to be a spike."""


class WebSub(_Frozen):
    """``[websub]``: subscribe to the hubs that watched feeds advertise (#21).

    The hub pushes new entries to ``mediamon serve`` at ``callback_url`` + ``/websub/<token>``
    (one unguessable token per subscription); polling goes on as the safety net.
    """

    enabled: bool = False
    callback_url: str = ""
    """The public base URL of ``mediamon serve`` as the hub reaches it (``https://...``)."""
    lease_seconds: int = Field(default=864_000, ge=60)
    """The lease asked for (hubs may grant another; the granted one counts)."""
    renew_before_seconds: int = Field(default=86_400, ge=30)
    """Renew a lease when it ends within this long (the websub job runs often enough)."""
    recheck_hours: float = Field(default=24, gt=0)
    """A feed without a hub is looked at for one again after this long."""
    check_every_seconds: float = Field(default=300, gt=0)
    """How often the websub job runs (discover, subscribe, renew, unsubscribe)."""
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    """A pushed feed document larger than this is refused (413)."""
    timeout_seconds: float = Field(default=15, gt=0, le=120)

    @field_validator("callback_url")
    @classmethod
    def _callback(cls, v: str) -> str:
        if v and not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v.rstrip("/")


def substitute_env(value: str, env: Mapping[str, str], where: str) -> str:
    """Replace ``${NAME}`` with the environment variable; a missing one is a config error."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ValueError(f"{where}: environment variable {name} is not set")
        return env[name]

    return _ENV_REF.sub(one, value)


def prepare_alerts(raw: Any, env: Mapping[str, str]) -> Any:
    """The ``alerts`` array with ``${ENV}`` substituted in every URL, each URL checked with
    Apprise. Errors quote the URL as written in the file, so a secret that came from the
    environment is never printed.

    :raises ValueError: naming the rule and the URL.
    """
    if not isinstance(raw, list):
        return raw
    out: list[Any] = []
    for index, rule in enumerate(raw):
        if isinstance(rule, Mapping) and isinstance(rule.get("urls"), list):
            where = f"alerts[{index}] ({rule.get('name', '')!r})"
            urls: list[Any] = []
            for written in rule["urls"]:
                if not isinstance(written, str):
                    urls.append(written)
                    continue
                url = substitute_env(written, env, f"{where}.urls")
                if not apprise_understands(url):
                    raise ValueError(f"{where}: Apprise does not understand the URL {written!r}")
                urls.append(url)
            rule = {**rule, "urls": urls}
        out.append(rule)
    return out


def check_alert_rules(
    rules: tuple[AlertRule, ...], queries: tuple[str, ...], *, has_email: bool
) -> None:
    """Cross-checks that need the whole config: rule names, query names, an email channel.

    :raises ValueError: naming the rule and what is wrong.
    """
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        where = f"alerts[{index}] ({rule.name!r})"
        if rule.name in seen:
            raise ValueError(f"{where}: duplicate rule name")
        seen.add(rule.name)
        for query in rule.queries:
            if query not in queries:
                known = ", ".join(queries) or "none"
                raise ValueError(f"{where}: unknown query {query!r} (queries: {known})")
        if not rule.urls and not rule.recipients and not has_email:
            raise ValueError(f"{where}: no urls and no recipients (nor digest.recipients) to email")
