"""Proxies only from the config, and the address guard before a request goes to one.

The guard (``crawler.fetching.resolver``) checks every address a connection is made to. With a
proxy, the connection is made to the proxy, and the target's name is resolved by the proxy:
the guard would see only the proxy's address. So:

* proxies from the environment (``http_proxy``, ``https_proxy``) are never used: the settings
  switch Scrapy's ``HttpProxyMiddleware`` off unless ``crawl.proxy`` is set, and this
  middleware drops any ``proxy`` a request carries in its meta;
* with ``crawl.proxy`` set, this middleware resolves the target through the guarded resolver
  first and refuses the request (``AddressRefused``, a final failure) when no allowed address
  is left; only then does the request get the configured proxy.

A proxy resolves the name again, and a name can answer differently the second time: the proxy
should refuse internal addresses itself (docs/receiver.md says how to set up Squid for that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHostResolution, IResolutionReceiver
from zope.interface import provider  # type: ignore[import-untyped]

from crawler.fetching.resolver import AddressRefused, GuardedResolver

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

SETTING_PROXY = "MEDIAMON_PROXY"

__all__ = ["SETTING_PROXY", "AddressRefused", "ProxyGuardMiddleware"]


@provider(IResolutionReceiver)
class _Collect:
    def __init__(self, done: Deferred[list[Any]]) -> None:
        self._done = done
        self._addresses: list[Any] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        return None

    def addressResolved(self, address: Any) -> None:
        self._addresses.append(address)

    def resolutionComplete(self) -> None:
        self._done.callback(self._addresses)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class ProxyGuardMiddleware:
    """See the module docstring."""

    def __init__(self, proxy: str, guard: GuardedResolver | None) -> None:
        self.proxy = proxy
        self.guard = guard

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyGuardMiddleware:
        proxy = str(crawler.settings.get(SETTING_PROXY) or "")
        if not proxy:
            return cls("", None)
        from twisted.internet import reactor

        # This crawler's own guard (its config's host map and allow-list), asked directly.
        return cls(proxy, GuardedResolver.from_crawler(crawler, reactor))

    def process_request(self, request: Request) -> Deferred[None] | None:
        guard = self.guard
        if not self.proxy or guard is None:
            request.meta.pop("proxy", None)
            return None
        try:
            parts = urlsplit(request.url)
            host = (parts.hostname or "").lower()
            port = parts.port or _default_port(parts.scheme)
        except ValueError as exc:
            raise IgnoreRequest(f"bad URL: {exc}") from None
        done: Deferred[list[Any]] = Deferred()
        guard.resolveHostName(_Collect(done), host, port)  # type: ignore[arg-type]  # zope

        def decide(addresses: list[Any]) -> None:
            if not addresses:
                reason = guard.refusal_for(host) or f"address guard: {host} did not resolve"
                raise AddressRefused(reason)
            request.meta["proxy"] = self.proxy
            return None

        return done.addCallback(decide)
