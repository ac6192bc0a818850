"""Where a digest's reader finds what the email leaves out (#18 item 8).

A busy day's email is cut to fit under Gmail's clipping size; each cut section ends with
"and N more" and a link to the whole list: the day in the web inbox when ``[web] base_url``
says where the newsroom is served, else the full (uncut) digest in the archive beside the
email's copy. Never a command to type: the reader of a digest is often not the person who
runs mediamon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class MoreLink:
    """The link of "and N more": its address and the words it is shown as."""

    url: str = ""
    label: str = ""


NO_LINK = MoreLink()


def inbox_day_url(base_url: str, day: date) -> str:
    """The web inbox filtered to ``day`` (the inbox reads the dates in the org's zone)."""
    query = urlencode([("since", day.isoformat()), ("until", day.isoformat())])
    return f"{base_url.rstrip('/')}/?{query}"


def more_link(base_url: str, full_digest: Path | None, day: date) -> MoreLink:
    """The inbox when the newsroom has an address, else the archived full digest."""
    if base_url:
        return MoreLink(
            inbox_day_url(base_url, day), f"all finds of {day.isoformat()} in the inbox"
        )
    if full_digest is not None:
        path = full_digest.resolve()
        return MoreLink(path.as_uri(), f"the full digest ({path})")
    return NO_LINK
