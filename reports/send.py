"""Render, archive and send one digest, at most once: the entry points the CLI and the
scheduler call.

``send_digest`` is safe to call any number of times, from any number of processes: the
digests row is created by an upsert, then claimed by one conditional UPDATE
(``crawler.storage.digests.claim_for_sending``); only the claimant writes the archive and talks
to the SMTP server. Every other caller returns an outcome saying why it did nothing.
"""

from __future__ import annotations

import enum
import ssl
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.domain import DigestState
from crawler.storage.db import session_scope
from crawler.storage.digests import (
    STUCK_AFTER,
    DigestRecord,
    claim_for_sending,
    due_retries,
    ensure_digest,
    get_digest,
    mark_failed,
    mark_sent,
    note_uncertain,
    release_stuck,
)
from reports.archive import (
    DigestFiles,
    archive_dir,
    digest_paths,
    full_digest_path,
    write_digest,
    write_full_digest,
)
from reports.compose import compose_message, new_message_id
from reports.dates import day_window
from reports.gather import load_digest_input
from reports.links import NO_LINK, MoreLink, more_link
from reports.mailer import MailError, deliver
from reports.model import DEFAULT_LIMITS, DigestInput, DigestView, Limits
from reports.render import render_html, render_text
from reports.view import build_digest


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    day: date
    view: DigestView
    html: str
    text: str
    full_html: str = ""
    """The uncut HTML when the email had to be cut ("" when nothing was left out)."""

    def archive_full(self, directory: Path) -> None:
        """Archive the uncut digest the email's "and N more" links to, when it was cut."""
        if self.full_html:
            write_full_digest(directory, self.day, self.full_html)


class SendStatus(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    IN_PROGRESS = "in_progress"
    """Another process holds the claim right now."""
    NOT_DUE = "not_due"
    """Failed before; the next automatic attempt is later."""
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    """The connection broke after the message was handed over: left in ``sending``."""
    STUCK = "stuck"
    """In ``sending`` for over 30 minutes: reported, not resent (at most once)."""
    NO_RECIPIENTS = "no_recipients"
    TOO_EARLY = "too_early"
    """The day is not over in the organisation's timezone: sending now would freeze a partial
    day as "the" digest (it goes out once), so it is refused; previews are fine."""


OK_STATUSES = frozenset(
    {SendStatus.SENT, SendStatus.ALREADY_SENT, SendStatus.IN_PROGRESS, SendStatus.NOT_DUE}
)


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: SendStatus
    day: date
    message: str
    """One line for a person: what happened and what happens next."""
    message_id: str = ""
    files: DigestFiles | None = None
    delivered: tuple[str, ...] = ()
    attempts: int = 0
    next_attempt_at: datetime | None = None
    total: int = 0

    @property
    def ok(self) -> bool:
        """False when someone should look (a failure, an uncertain or stuck send)."""
        return self.status in OK_STATUSES


def own_sites(config: Config) -> list[str]:
    """Host names of the organisation's own sites, as documents.site records them."""
    hosts = [urlsplit(s.url).hostname or "" for s in config.organisation.sites]
    return [h for host in hosts if host for h in (host, host.removeprefix("www."))]


def render_digest(
    config: Config,
    engine: Engine,
    day: date,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
    archive: Path | None = None,
) -> RenderedDigest:
    """Query, build the view model and render both versions (no files, no state).
    ``archive``: the directory the digest will be archived in, where "and N more" links to
    the full digest when ``[web] base_url`` is not set."""
    org = config.organisation
    with session_scope(engine) as session:
        data = load_digest_input(session, org.name, org.timezone, day, now, own_sites(config))
    full = full_digest_path(archive, day) if archive is not None else None
    return fit_digest(data, limits, more_link(config.web.base_url, full, day))


#: The email's HTML and text together stay under this many bytes: Gmail clips a message
#: at about 102 KB behind "[Message clipped]", hiding the end (the health footer included).
EMAIL_BUDGET = 85_000
#: The fewest items a section is cut to while fitting the budget.
_FLOOR = 5


def _smaller(limits: Limits) -> Limits:
    def cut(n: int) -> int:
        return max(_FLOOR, n * 3 // 5)

    return replace(
        limits,
        stories=cut(limits.stories),
        linkbacks=cut(limits.linkbacks),
        outlets=cut(limits.outlets),
        late=cut(limits.late),
        health_items=cut(limits.health_items),
    )


#: No cap: the full digest the email's "and N more" links to.
UNCUT = Limits(stories=10**9, linkbacks=10**9, outlets=10**9, late=10**9, health_items=10**9)


def _cut(view: DigestView) -> bool:
    return bool(
        view.press_hidden
        or view.linkbacks_hidden
        or view.older_hidden
        or view.outlets_hidden
        or view.late_hidden
    )


def fit_digest(
    data: DigestInput, limits: Limits = DEFAULT_LIMITS, more: MoreLink = NO_LINK
) -> RenderedDigest:
    """Build and render the digest, cutting its long sections (each says "and N more" and
    links to ``more``: the inbox, or the full digest rendered here as ``full_html``) until
    the email fits ``EMAIL_BUDGET`` on the busiest day (#18). The counts, the chart and the
    health line at the top always cover everything."""
    while True:
        view = build_digest(data, limits, more)
        html, text = render_html(view), render_text(view)
        size = len(html.encode("utf-8")) + len(text.encode("utf-8"))
        smaller = _smaller(limits)
        if size <= EMAIL_BUDGET or smaller == limits:
            full = render_html(build_digest(data, UNCUT)) if _cut(view) else ""
            return RenderedDigest(day=data.day, view=view, html=html, text=text, full_html=full)
        limits = smaller


def write_preview(
    config: Config, engine: Engine, day: date, now: datetime, directory: Path
) -> DigestFiles:
    """``mediamon digest --out DIR``: the files a send would produce, without sending or
    touching the digest's state (the Message-ID is a fresh one, not recorded)."""
    rendered = render_digest(config, engine, day, now, archive=directory)
    message = compose_message(
        config.digest,
        subject=rendered.view.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=new_message_id(config.digest.sender),
        now=now,
        day=day,
        recipients=config.digest.recipients,
    )
    rendered.archive_full(directory)
    return write_digest(directory, day, rendered.html, rendered.text, bytes(message))


def _outcome(
    status: SendStatus,
    record: DigestRecord,
    message: str,
    files: DigestFiles | None = None,
    total: int = 0,
) -> SendOutcome:
    return SendOutcome(
        status,
        record.day,
        message,
        message_id=record.message_id,
        files=files,
        delivered=record.recipients,
        attempts=record.attempts,
        next_attempt_at=record.next_attempt_at,
        total=total,
    )


def _not_claimable(
    record: DigestRecord, now: datetime, ignore_backoff: bool = False
) -> SendOutcome | None:
    """Why ``record`` cannot be sent now, or None when it can be claimed."""
    day = record.day
    if record.state is DigestState.SENT:
        when = f"{record.sent_at:%Y-%m-%d %H:%M} UTC" if record.sent_at else "an unknown time"
        return _outcome(
            SendStatus.ALREADY_SENT,
            record,
            f"digest for {day} was already sent at {when} (Message-ID {record.message_id}); "
            "nothing sent",
        )
    if record.state is DigestState.SENDING:
        if record.rendered_at is not None and record.rendered_at < now - STUCK_AFTER:
            return _outcome(
                SendStatus.STUCK,
                record,
                f"digest for {day} has been 'sending' since {record.rendered_at:%Y-%m-%d %H:%M} "
                f"UTC ({record.last_error or 'its sender stopped'}); it may have been delivered, "
                "so it is not resent: check the mail server's log, then use --resend-stuck",
            )
        return _outcome(
            SendStatus.IN_PROGRESS,
            record,
            f"digest for {day} is being sent by another process; nothing sent",
        )
    due = record.next_attempt_at is None or record.next_attempt_at <= now
    if not (due or ignore_backoff):
        return _outcome(
            SendStatus.NOT_DUE,
            record,
            f"digest for {day} failed ({record.last_error}); next attempt after "
            f"{record.next_attempt_at:%Y-%m-%d %H:%M} UTC",
        )
    return None


def send_digest(
    config: Config,
    engine: Engine,
    day: date,
    now: datetime,
    *,
    ssl_context: ssl.SSLContext | None = None,
    resend_stuck: bool = False,
    ignore_backoff: bool = False,
) -> SendOutcome:
    """Render, archive and email the digest of ``day`` unless it was sent already.

    Never raises for a mail failure: the outcome says what happened, the digests row records
    it (``failed`` with the reason and the next attempt, for ``due_retries``).

    :param ssl_context: for STARTTLS/SSL (default: the system's trust store).
    :param resend_stuck: a person's decision to resend a digest stuck in ``sending`` for over
        30 minutes (its first send may have been delivered).
    :param ignore_backoff: retry a failed digest now rather than at its ``next_attempt_at``
        (``mediamon digest --send`` by hand; the scheduler respects the backoff).
    """
    org = config.organisation.name
    recipients = config.digest.recipients
    if not recipients:
        return SendOutcome(
            SendStatus.NO_RECIPIENTS, day, "digest.recipients is empty in the config; not sent"
        )
    ends = day_window(day, config.organisation.tz).until
    if now < ends:
        return SendOutcome(
            SendStatus.TOO_EARLY,
            day,
            f"{day} is not over yet in {config.organisation.timezone} (it ends "
            f"{ends:%Y-%m-%d %H:%M} UTC); a digest is sent once, for a whole day: preview it "
            "with --out, or send yesterday's",
        )
    files = digest_paths(archive_dir(config), day)
    with session_scope(engine) as session:
        record = get_digest(session, org, day)
        if record is not None and resend_stuck and release_stuck(session, org, day, now):
            record = get_digest(session, org, day)
    if record is not None:
        reason = _not_claimable(record, now, ignore_backoff)
        if reason is not None:
            return reason
    rendered = render_digest(config, engine, day, now, archive=files.html.parent)
    with session_scope(engine) as session:
        ensure_digest(session, org, day, now, str(files.eml))
        claimed = claim_for_sending(
            session,
            org,
            day,
            now,
            new_message_id(config.digest.sender),
            ignore_backoff=ignore_backoff,
        )
        record = get_digest(session, org, day)
    assert record is not None
    if not claimed:
        return _not_claimable(record, now, ignore_backoff) or SendOutcome(
            SendStatus.IN_PROGRESS, day, f"digest for {day} was claimed by another process"
        )
    return _send_claimed(config, engine, rendered, record, now, files, ssl_context)


def _send_claimed(
    config: Config,
    engine: Engine,
    rendered: RenderedDigest,
    record: DigestRecord,
    now: datetime,
    files: DigestFiles,
    ssl_context: ssl.SSLContext | None,
) -> SendOutcome:
    """We hold the claim: archive, deliver, and record the result, whatever happens (a
    digest must never be left in ``sending`` by an error we saw)."""
    org, day = record.org, record.day
    done = {r.casefold() for r in record.recipients}
    pending = [r for r in config.digest.recipients if r.casefold() not in done]
    total = rendered.view.total
    try:
        message = compose_message(
            config.digest,
            subject=rendered.view.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=record.message_id,
            now=now,
            day=day,
            recipients=config.digest.recipients,
        )
        rendered.archive_full(files.html.parent)
        write_digest(files.html.parent, day, rendered.html, rendered.text, bytes(message))
        accepted = deliver(
            config.smtp, message, config.digest.sender, pending, ssl_context=ssl_context
        )
    except MailError as exc:
        with session_scope(engine) as session:
            if exc.uncertain:
                final = note_uncertain(session, org, day, exc.reason)
                note = f"{exc.reason}; left in 'sending' and not retried automatically"
                return _outcome(SendStatus.UNCERTAIN, final, note, files, total)
            final = mark_failed(session, org, day, now, exc.reason, exc.accepted)
        retry = f"; will retry after {final.next_attempt_at:%Y-%m-%d %H:%M} UTC"
        note = f"digest for {day} not sent: {exc.reason}{retry}"
        return _outcome(SendStatus.FAILED, final, note, files, total)
    except Exception as exc:
        with session_scope(engine) as session:
            mark_failed(session, org, day, now, f"{type(exc).__name__}: {exc}")
        raise
    with session_scope(engine) as session:
        final = mark_sent(session, org, day, now, accepted)
    note = f"digest for {day} sent to {', '.join(final.recipients)} (Message-ID {final.message_id})"
    return _outcome(SendStatus.SENT, final, note, files, total)


def retry_due_digests(
    config: Config, engine: Engine, now: datetime, *, ssl_context: ssl.SSLContext | None = None
) -> list[SendOutcome]:
    """The scheduler's retry job: send every failed digest of this organisation that is due."""
    with session_scope(engine) as session:
        due = [r for r in due_retries(session, now) if r.org == config.organisation.name]
    return [send_digest(config, engine, r.day, now, ssl_context=ssl_context) for r in due]
