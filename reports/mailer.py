"""Hand a message to an SMTP server, and say precisely what happened when that fails.

Supports plain SMTP, STARTTLS and implicit TLS (``smtp.security``), optional login, and the
configured timeout. Every failure becomes a ``MailError`` with a one-line reason and two facts
the exactly-once logic needs:

- ``accepted``: recipients the server did take (a partial refusal still delivers to the
  others, so a retry must skip them);
- ``uncertain``: the connection broke *after* the message body was handed over and before the
  server's verdict; the message may have been delivered, so it must not be retried blindly.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from typing import TYPE_CHECKING

from crawler.config import Smtp

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class MailError(Exception):
    """A failed delivery; ``str()`` is the reason (never contains the password)."""

    def __init__(
        self, reason: str, *, accepted: Sequence[str] = (), uncertain: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.accepted = tuple(accepted)
        self.uncertain = uncertain


class _TrackingSMTP(smtplib.SMTP):
    """Notes when the message body has been sent, to tell a failure before delivery from one
    where only the server's reply was lost."""

    body_sent = False
    _in_data = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: ReadableBuffer | str) -> None:
        super().send(s)
        if self._in_data and not (isinstance(s, str) and s.lower().startswith("data")):
            self.body_sent = True


class _TrackingSMTPSSL(_TrackingSMTP, smtplib.SMTP_SSL):
    pass


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}".strip()


def _timed_out(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError | socket.timeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _open(smtp: Smtp, context: ssl.SSLContext) -> _TrackingSMTP:
    if smtp.security == "ssl":
        return _TrackingSMTPSSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    return _TrackingSMTP(smtp.host, smtp.port, timeout=smtp.timeout)


def deliver(
    smtp: Smtp,
    message: EmailMessage,
    sender: str,
    recipients: Sequence[str],
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[str, ...]:
    """Send ``message`` to ``recipients`` (the envelope; headers are the message's own).
    Returns the recipients accepted (all of them: anything less raises).

    :param ssl_context: for STARTTLS and SSL; defaults to the system trust store. Tests pass
        one that trusts their self-signed certificate.
    :raises MailError: on any failure, with ``accepted`` and ``uncertain`` filled in.
    """
    where = f"{smtp.host}:{smtp.port}"
    context = ssl_context or ssl.create_default_context()
    client: _TrackingSMTP | None = None
    try:
        client = _open(smtp, context)
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        refused = client.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"SMTP login refused by {where} for user {smtp.username!r}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{r} ({_reply(c, m)})" for r, (c, m) in exc.recipients.items())
        raise MailError(f"all recipients refused by {where}: {detail}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(
            f"sender {sender} refused by {where}: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(
            f"SMTP server {where} refused the message: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP server {where}: {exc}") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with SMTP server {where} failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        uncertain = client is not None and client.body_sent
        if isinstance(exc, ConnectionRefusedError):
            reason = f"cannot connect to SMTP server {where}: connection refused"
        elif isinstance(exc, socket.gaierror):
            reason = f"cannot resolve SMTP server host {smtp.host!r}: {exc.strerror or exc}"
        elif _timed_out(exc):
            reason = f"SMTP server {where} did not answer within {smtp.timeout:g} s"
        else:
            reason = f"SMTP connection to {where} failed: {exc}"
        if uncertain:
            reason += " (after the message was sent; it may have been delivered)"
        raise MailError(reason, uncertain=uncertain) from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    accepted = tuple(r for r in recipients if r not in refused)
    if refused:
        detail = "; ".join(f"{r} ({_reply(c, m)})" for r, (c, m) in refused.items())
        raise MailError(f"recipient refused by {where}: {detail}", accepted=accepted)
    return accepted
