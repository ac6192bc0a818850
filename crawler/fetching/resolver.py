"""The address guard as a Scrapy DNS resolver (setting ``TWISTED_DNS_RESOLVER``).

Twisted's HTTP agent resolves every connection, the first request and every redirect alike,
through the reactor's name resolver; wrapping it is the one place where the guard sees the
*resolved* address, so a public name pointing at 10.0.0.1 (or a redirect to 127.0.0.1) is
refused after DNS, not judged by its spelling. It also applies ``config.crawl.resolve``, the
static host map (like ``curl --resolve``) the sample web and staging use.

The endpoint connects to exactly the addresses delivered here, so the address checked is the
address connected to: a name that answers a public address first and a private one on the
next lookup (DNS rebinding) is judged per lookup, never by an earlier answer. The port of the
connection is checked too, because allow-list entries may name one (``crawler.fetching.guard``).
``MEDIAMON_UPSTREAM_RESOLVER`` replaces the system resolver behind the guard (tests drive DNS
answers with it).

A refused name resolves to nothing, which Scrapy reports as ``CannotResolveHostError``; the
reason is kept in a small registry so the spider can record "address guard: 10.0.0.1 is a
private address" on the source instead of "DNS error".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider  # type: ignore[import-untyped]

from crawler.fetching.guard import AllowList, check_address

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: host name -> why it was refused (last refusal wins). Per process: one crawl per process.
_REFUSALS: dict[str, str] = {}
_MAX_REFUSALS = 10_000

SETTING_RESOLVE = "MEDIAMON_RESOLVE"
SETTING_ALLOW = "MEDIAMON_ALLOW_HOSTS"
#: An ``IHostnameResolver`` (or its import path) to ask instead of the system resolver: tests
#: drive DNS answers with it (rebinding), as ``crawl.resolve`` does for fixed answers.
SETTING_UPSTREAM = "MEDIAMON_UPSTREAM_RESOLVER"


def refusal_for(host: str | None) -> str | None:
    """Why the guard refused ``host`` in this process, if it did."""
    return _REFUSALS.get((host or "").lower().rstrip("."))


def _refuse(host: str, reason: str) -> None:
    if len(_REFUSALS) >= _MAX_REFUSALS:
        _REFUSALS.clear()
    _REFUSALS[host] = reason


def _address(ip: str, port: int) -> IPv4Address | IPv6Address:
    if ":" in ip:
        return IPv6Address("TCP", ip, port)
    return IPv4Address("TCP", ip, port)


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - Twisted never cancels resolutions here
        return None


@provider(IResolutionReceiver)
class _GuardedReceiver:
    """Collects what the real resolver finds and forwards only the allowed addresses."""

    def __init__(self, receiver: Any, host: str, allowed: AllowList, port: int) -> None:
        self._receiver = receiver
        self._host = host
        self._allowed = allowed
        self._port = port
        self._addresses: list[Any] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        self._addresses.append(address)

    def resolutionComplete(self) -> None:
        deliver(
            self._receiver, self._host, self._addresses, self._allowed, began=True, port=self._port
        )


def deliver(
    receiver: Any,
    host: str,
    addresses: Sequence[Any],
    allowed: AllowList,
    *,
    began: bool,
    port: int | None = None,
) -> None:
    """Forward the allowed ``addresses`` to ``receiver``; remember why others were refused.

    The receiver is the connecting endpoint: it connects to exactly the addresses forwarded
    here, so the address checked is the address connected to (a name that answers a public
    address now and a private one on the next lookup gets each lookup checked on its own).
    ``port`` is the port the connection is for (allow-list entries may name one).
    """
    if not began:
        receiver.resolutionBegan(_Resolution(host))
    refusals: list[str] = []
    for address in addresses:
        target_port = port if port else getattr(address, "port", None)
        problem = check_address(host, str(getattr(address, "host", "")), allowed, target_port)
        if problem is None:
            receiver.addressResolved(address)
        else:
            refusals.append(problem)
    if addresses and len(refusals) == len(addresses):
        _refuse(host, refusals[0])
    receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """Static map first, then the system resolver; every answer goes through the guard."""

    def __init__(
        self,
        reactor: Any,
        static: Mapping[str, str],
        allowed: AllowList,
        upstream: Any = None,
    ) -> None:
        self.reactor = reactor
        original = reactor.nameResolver
        self._original = upstream or getattr(original, "_original", original)
        self._static = {k.lower().rstrip("."): v for k, v in static.items()}
        self._allowed = allowed

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        static = settings.getdict(SETTING_RESOLVE)
        allowed = AllowList.of(settings.getlist(SETTING_ALLOW))
        upstream = settings.get(SETTING_UPSTREAM)
        if isinstance(upstream, str) and upstream:
            upstream = load_object(upstream)()
        return cls(reactor, static, allowed, upstream or None)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        host = hostName.lower().rstrip(".")
        static = self._static.get(host)
        if static is not None:
            deliver(
                resolutionReceiver,
                host,
                [_address(static, portNumber)],
                self._allowed,
                began=False,
                port=portNumber,
            )
            return _Resolution(host)  # type: ignore[return-value]  # zope declares the interface
        receiver = _GuardedReceiver(resolutionReceiver, host, self._allowed, portNumber)
        return self._original.resolveHostName(  # type: ignore[no-any-return]
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )
