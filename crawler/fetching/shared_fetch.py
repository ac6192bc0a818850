"""One fetch of a feed for every organisation that watches it (#16): the downloader's part.

``SharedFetchMiddleware`` answers a feed request of a poll from the fetch another organisation
made of the same URL within ``crawl.shared_fetch_seconds`` (kept in storage by the feed
pipeline): a 200 with the kept body, headers, final URL and redirects, or a 304 when the
poll's own validators name that body (the rules: ``crawler.feeds.shared``). The spider then
parses and the pipeline stores and matches it for this organisation as if it had fetched.

Only requests the poll marked (``SHARE_META``: a feed another organisation watches) are
looked up, so a database of one organisation costs nothing. It runs first among the
downloader middlewares: a served response never takes a download slot, a host permit or a
delay, and is counted as ``shared`` per host, not as bytes on the wire. Only a poll enables
it (its settings carry a ``SharedFetches``); every other crawl leaves it off.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from sqlalchemy.engine import Engine

from crawler.clock import CrawlClock
from crawler.feeds.shared import KeptFetch, answer, usable
from crawler.storage.db import session_scope
from crawler.storage.fetches import kept_fetch

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: The setting that carries a poll's ``SharedFetches`` (wrapped in ``pipelines.shared.Shared``).
SETTING = "MEDIAMON_SHARED_FETCH"
#: Request meta: the URL under which this feed request may be answered from (and its response
#: kept for) other organisations' fetches: the task's URL, as the pipeline keeps it; "" if not.
SHARE_META = "mediamon_share"
#: Request meta set on a served response: when the fetch it came from was made (ISO).
SERVED_META = "mediamon_shared_from"


@dataclass(frozen=True)
class SharedFetches:
    """What a poll needs to use and keep shared fetches: the database, its window, its body
    limit, and what decides which server answers a URL (``profile``)."""

    engine: Engine
    window_seconds: float
    max_bytes: int
    resolve: dict[str, str]
    proxy: str = ""
    allow_hosts: tuple[str, ...] = ()

    def profile(self, url: str) -> str:
        """A digest of what decides which server answers ``url`` and whether the address
        guard lets it be fetched: the host's static address, the proxy, the allow-list.
        Two organisations share a fetch only under the same profile."""
        host = (urlsplit(url).hostname or "").lower()
        parts = [self.resolve.get(host, ""), self.proxy, sorted(self.allow_hosts)]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _fetches(settings: Any) -> SharedFetches | None:
    holder = settings.get(SETTING)
    value = getattr(holder, "value", None)
    return value if isinstance(value, SharedFetches) else None


class SharedFetchMiddleware:
    """See the module docstring."""

    def __init__(self, fetches: SharedFetches, clock: CrawlClock, max_redirects: int) -> None:
        self.fetches = fetches
        self.clock = clock
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFetchMiddleware:
        fetches = _fetches(crawler.settings)
        if fetches is None or fetches.window_seconds <= 0:
            raise NotConfigured  # no arguments: Scrapy says nothing (only polls share fetches)
        clock = CrawlClock.from_settings(crawler.settings)
        return cls(fetches, clock, crawler.settings.getint("REDIRECT_MAX_TIMES", 5))

    def process_request(self, request: Request) -> Response | None:
        key = str(request.meta.get(SHARE_META) or "")
        if not key or request.meta.get("redirect_urls"):
            return None  # not shared, or already on the wire (a redirect of this fetch)
        now = self.clock.now()
        since = now - timedelta(seconds=self.fetches.window_seconds)
        try:
            with session_scope(self.fetches.engine) as session:
                kept = kept_fetch(session, key, self.fetches.profile(key), since)
        except Exception:  # storage trouble: fetch the feed as if nothing were kept
            logger.warning("could not read kept fetches of %s", request.url, exc_info=True)
            return None
        if kept is None or not usable(kept.fetched_at, now, self.fetches.window_seconds):
            return None
        if len(kept.body) > self.fetches.max_bytes or len(kept.redirects) > self.max_redirects:
            return None  # this organisation's limits would have refused it: fetch it itself
        return self._response(request, kept)

    def _response(self, request: Request, kept: KeptFetch) -> Response:
        sent_etag = (request.headers.get("If-None-Match") or b"").decode("latin-1")
        sent_since = (request.headers.get("If-Modified-Since") or b"").decode("latin-1")
        status = answer(kept, sent_etag, sent_since)
        if kept.redirects:
            request.meta["redirect_urls"] = [u for u, _ in kept.redirects]
            request.meta["redirect_reasons"] = [s for _, s in kept.redirects]
        request.meta[SERVED_META] = kept.fetched_at.isoformat()
        headers = Headers(kept.headers)
        url = kept.final_url or request.url
        body = kept.body if status == 200 else b""
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=status, headers=headers, body=body, request=request)
