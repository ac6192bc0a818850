"""The inbox's filters as URL parameters (#20), shared by the inbox, the API and the feed.

``?kind=press&kind=pingback&query=org&source=news.example&since=2026-11-01&until=2026-11-30
&lang=en&state=new&q="river prize"`` : every filter combinable, every one in the URL, so a
filtered view can be bookmarked or sent to a colleague. A bad value is a 400 with a one-line
reason, never a 500; unknown parameters are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from crawler.domain import MentionKind
from crawler.storage.inbox import STATES, InboxFilter

KINDS = tuple(k.value for k in MentionKind)
MAX_TEXT = 10_000


@dataclass(frozen=True, slots=True)
class Filters:
    """The parsed parameters, and the same again as a URL query (for links and cursors)."""

    kinds: tuple[str, ...] = ()
    query: str = ""
    source: str = ""
    since: str = ""
    until: str = ""
    lang: str = ""
    states: tuple[str, ...] = ()
    q: str = ""

    def pairs(self) -> list[tuple[str, str]]:
        out = [("kind", k) for k in self.kinds] + [("state", s) for s in self.states]
        for name in ("query", "source", "since", "until", "lang", "q"):
            value = getattr(self, name)
            if value:
                out.append((name, value))
        return out

    def url(self, **extra: str) -> str:
        return urlencode([*self.pairs(), *extra.items()])

    def active(self) -> bool:
        return bool(self.pairs())


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name} is not a date (YYYY-MM-DD).") from None


def parse_filters(params: QueryParams) -> Filters:
    kinds = tuple(dict.fromkeys(params.getlist("kind")))
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise HTTPException(400, f"Unknown kind; expected one of {', '.join(KINDS)}.")
    states = tuple(dict.fromkeys(params.getlist("state")))
    if any(s not in STATES for s in states):
        raise HTTPException(400, f"Unknown state; expected one of {', '.join(STATES)}.")
    text = {n: (params.get(n) or "").strip() for n in ("query", "source", "lang", "q")}
    if any(len(v) > MAX_TEXT for v in text.values()):
        raise HTTPException(400, f"A filter is longer than {MAX_TEXT} characters.")
    since, until = (params.get("since") or "").strip(), (params.get("until") or "").strip()
    _day(since, "since")
    _day(until, "until")
    return Filters(
        kinds, text["query"], text["source"], since, until, text["lang"], states, text["q"]
    )


def to_inbox_filter(f: Filters, orgs: tuple[str, ...] | None, timezone: str) -> InboxFilter:
    """The storage filter: days are whole days in ``timezone``, ``until`` inclusive."""
    tz = ZoneInfo(timezone)
    since, until = _day(f.since, "since"), _day(f.until, "until")
    return InboxFilter(
        orgs=orgs,
        kinds=f.kinds,
        query=f.query,
        source=f.source,
        since=datetime.combine(since, time(), tzinfo=tz).astimezone(UTC) if since else None,
        until=(
            (datetime.combine(until, time(), tzinfo=tz) + timedelta(days=1)).astimezone(UTC)
            if until
            else None
        ),
        language=f.lang,
        states=f.states,
        search=f.q,
    )
