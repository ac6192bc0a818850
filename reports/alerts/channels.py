"""Send one alert message through a rule's channels: Apprise URLs, or the SMTP email channel.

Each channel is tried on its own and the indexes of those that took the message are returned,
so a retry after a partial failure skips them (no duplicate in the Slack channel because the
Teams webhook was down). Webhook-style channels (``json://``, ``form://``, ``xml://``) carry an
``Idempotency-Key`` header (and, for JSON, a ``delivery`` field) with the delivery id, so a
receiver can drop the one resend a crash between send and commit may cause.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

import apprise

from crawler.alert_config import AlertRule
from crawler.config import Config
from reports.compose import compose_message, message_domain
from reports.mailer import MailError, deliver
from reports.render import environment, inline_css

log = logging.getLogger(__name__)

_WEBHOOK_SCHEMES = ("json", "jsons", "form", "forms", "xml", "xmls")
_STATUS = re.compile(r"error=(\d{3})")


@dataclass(frozen=True, slots=True)
class Message:
    org: str
    rule: str
    title: str
    body: str
    key: str
    """The idempotency key: ``mediamon-<delivery id>``."""


@dataclass(frozen=True, slots=True)
class Outcome:
    done: tuple[int, ...]
    """Indexes of the rule's channels that have taken the message (before and now)."""
    total: int
    error: str = ""
    throttled: bool = False
    """A channel answered 429 Too Many Requests."""

    @property
    def ok(self) -> bool:
        return len(self.done) == self.total


def channel_count(rule: AlertRule) -> int:
    return len(rule.urls) or 1


def with_delivery_params(url: str, key: str, timeout: float) -> str:
    """The URL with the idempotency key (webhook schemes) and Apprise's socket timeouts."""
    scheme = url.split("://", 1)[0].lower()
    params: list[str] = []
    if scheme in _WEBHOOK_SCHEMES:
        params.append(f"+Idempotency-Key={key}")
        if scheme.startswith("json"):
            params.append(f":delivery={key}")
    if "rto=" not in url:
        params.append(f"rto={timeout:g}")
    if "cto=" not in url:
        params.append(f"cto={timeout:g}")
    return url + ("&" if "?" in url else "?") + "&".join(params)


def _apprise_send(url: str, message: Message, timeout: float) -> tuple[bool, str, bool]:
    """(ok, reason, throttled) of one Apprise URL."""
    notifier = apprise.Apprise()
    if not notifier.add(with_delivery_params(url, message.key, timeout)):
        return False, "Apprise does not understand the URL", False
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = bool(notifier.notify(title=message.title, body=message.body))
        logged = str(captured.getvalue())
    if ok:
        return True, "", False
    lines = [line.split(" - ")[-1] for line in logged.splitlines() if line.strip()]
    reason = " ".join(lines).strip() or "the channel refused the message"
    codes = _STATUS.findall(logged)
    return False, reason[:500], "429" in codes


def _email(config: Config, rule: AlertRule, message: Message, now: datetime) -> None:
    """The SMTP settings as the rule's channel, in the digest's look."""
    lines = message.body.splitlines()
    alert = {"org": message.org, "rule": message.rule, "title": message.title, "lines": lines}
    env = environment()
    html = inline_css(env.get_template("alert.html.j2").render(alert=alert))
    text = env.get_template("alert.txt.j2").render(alert=alert)
    recipients = list(rule.recipients or config.digest.recipients)
    domain = message_domain(config.digest.sender)
    email = compose_message(
        config.digest,
        subject=message.title,
        text=text,
        html=html,
        message_id=make_msgid(idstring=message.key, domain=domain),
        now=now,
        recipients=recipients,
    )
    email["X-Mediamon-Alert"] = message.key
    deliver(config.smtp, email, config.digest.sender, recipients)


def send_message(
    config: Config, rule: AlertRule, message: Message, done: Sequence[int], now: datetime
) -> Outcome:
    """Try every channel of the rule that has not yet taken this message."""
    total = channel_count(rule)
    taken = set(done)
    errors: list[str] = []
    throttled = False
    timeout = config.alerting.timeout_seconds
    if not rule.urls and 0 not in taken:
        try:
            _email(config, rule, message, now)
            taken.add(0)
        except MailError as exc:
            errors.append(f"email: {exc.reason}")
    for index, url in enumerate(rule.urls):
        if index in taken:
            continue
        ok, reason, was_throttled = _apprise_send(url, message, timeout)
        if ok:
            taken.add(index)
        else:
            scheme = url.split("://", 1)[0]
            errors.append(f"channel {index + 1} ({scheme}://): {reason}")
            throttled = throttled or was_throttled
    return Outcome(tuple(sorted(taken)), total, "; ".join(errors), throttled)


@dataclass(frozen=True, slots=True)
class ChannelResult:
    label: str
    """The channel as safe to print: scheme and host, never a token."""
    ok: bool
    reason: str


def channel_label(url: str) -> str:
    """Apprise's privacy form of the URL (tokens and passwords elided), without options."""
    plugin = apprise.Apprise.instantiate(url)
    if not plugin:
        return url.split("://", 1)[0] + "://"
    return str(plugin.url(privacy=True)).split("?", 1)[0]  # type: ignore[no-untyped-call]


def probe_rule(config: Config, rule: AlertRule, now: datetime) -> list[ChannelResult]:
    """Send a test message through each of the rule's channels (``mediamon alerts test``)."""
    message = Message(
        org=config.organisation.name,
        rule=rule.name,
        title=f"mediamon test alert for rule {rule.name!r}",
        body=f"This is a test of the alert rule {rule.name!r} of {config.organisation.name}.",
        key=f"mediamon-test-{int(now.timestamp())}",
    )
    if not rule.urls:
        outcome = send_message(config, rule, message, (), now)
        recipients = ", ".join(rule.recipients or config.digest.recipients)
        return [ChannelResult(f"email to {recipients}", outcome.ok, outcome.error)]
    results: list[ChannelResult] = []
    for index, url in enumerate(rule.urls):
        others = [i for i in range(len(rule.urls)) if i != index]
        outcome = send_message(config, rule, message, others, now)
        results.append(ChannelResult(channel_label(url), outcome.ok, outcome.error))
    return results
