"""The digest as an email: multipart/alternative (plain text first, then HTML).

Headers a mail team expects from an automated daily message: a Message-ID on the sender's
domain (kept across retries, so a duplicate would thread and collapse), ``Date``,
``List-Unsubscribe`` (RFC 2369) and ``Auto-Submitted`` (RFC 3834, so vacation responders stay
quiet).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from crawler.config import Digest

FROM_NAME = "mediamon"


def message_domain(sender: str) -> str:
    """The domain part of the sender: Message-IDs must be unique, and the sender's domain is
    the one we are entitled to use (a host name would change from machine to machine)."""
    domain = sender.rpartition("@")[2].strip().strip(">")
    return domain or "localhost"


def new_message_id(sender: str) -> str:
    return make_msgid(idstring="digest", domain=message_domain(sender))


def unsubscribe_target(digest: Digest) -> str:
    return digest.unsubscribe or f"mailto:{digest.sender}?subject=unsubscribe"


def compose_message(
    digest: Digest,
    *,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    now: datetime,
    recipients: Sequence[str],
    day: date | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr((FROM_NAME, digest.sender))
    msg["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["List-Unsubscribe"] = f"<{unsubscribe_target(digest)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    if day is not None:  # lets mail filters and tests tell digests apart without parsing
        msg["X-Mediamon-Day"] = day.isoformat()
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
