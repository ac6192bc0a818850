"""The HTTP(S) download handler: Scrapy's own, with this crawler's address guard on every
connection it opens.

Twisted resolves names through the reactor's one resolver, while the guard's host map and
allow-list belong to a crawl's config; several crawls may share a reactor. So each crawler's
handler builds its own ``GuardedResolver`` and opens its connections through a pool whose
endpoints, for the synchronous span of each ``connect`` (where Twisted's endpoints ask the
resolver), make the reactor's ``DispatchingResolver`` answer with that guard. Wrapping the
endpoint, not the pool call, also covers the connection Twisted opens later on its own when a
kept-alive one turns out to be closed. Redirects are new requests,
so every hop is checked; a kept-alive connection was checked when it was opened, and the pool
is per crawler, so no crawler reuses a connection another crawler's guard allowed.

A name the guard refused fails as ``AddressRefused`` with the reason ("address guard: ... is a
private address"): a final failure, not a retried "DNS error".

Scrapy offers no public hook for the connection pool, so this subclass replaces the pool its
parent built (``_pool``). Every crawl in the test suite goes through it, and the dispatcher
fails closed: if a Scrapy release changed that seam, every fetch would be refused, loudly,
rather than any fetch going unguarded.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import CannotResolveHostError
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.web.client import HTTPConnectionPool
from zope.interface import implementer  # type: ignore[import-untyped]

from crawler.fetching.resolver import AddressRefused, DispatchingResolver, GuardedResolver

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IProtocolFactory


@implementer(IStreamClientEndpoint)
class _GuardedEndpoint:
    """An endpoint whose every ``connect`` resolves names through one guard."""

    def __init__(
        self, endpoint: Any, dispatcher: DispatchingResolver, guard: GuardedResolver
    ) -> None:
        self._endpoint = endpoint
        self._dispatcher = dispatcher
        self._guard = guard

    def connect(self, protocolFactory: IProtocolFactory) -> Deferred[Any]:
        with self._dispatcher.resolving_for(self._guard):
            connected: Deferred[Any] = self._endpoint.connect(protocolFactory)
            return connected

    def __repr__(self) -> str:
        return repr(self._endpoint)


class GuardedConnectionPool(HTTPConnectionPool):
    """Opens every connection with the reactor's resolver answering for one guard."""

    def __init__(
        self, reactor: Any, dispatcher: DispatchingResolver, guard: GuardedResolver
    ) -> None:
        super().__init__(reactor, persistent=True)  # type: ignore[no-untyped-call]
        self._dispatcher = dispatcher
        self._guard = guard

    def getConnection(self, key: Hashable, endpoint: IStreamClientEndpoint) -> Deferred[Any]:
        guarded = _GuardedEndpoint(endpoint, self._dispatcher, self._guard)
        return super().getConnection(key, guarded)  # type: ignore[arg-type]  # zope interface


class GuardedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with a per-crawler guard (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        from twisted.internet import reactor

        dispatcher = DispatchingResolver.installed_on(reactor)
        self.guard = GuardedResolver.from_crawler(crawler, reactor)
        pool = GuardedConnectionPool(reactor, dispatcher, self.guard)
        pool.maxPersistentPerHost = self._pool.maxPersistentPerHost
        pool._factory = self._pool._factory  # Scrapy's lenient client factory
        self._pool = pool

    async def download_request(self, request: Request) -> Response:
        try:
            return await super().download_request(request)
        except CannotResolveHostError as exc:
            reason = self.guard.refusal_for(_host(request.url))
            if reason:
                raise AddressRefused(reason) from exc
            raise


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
