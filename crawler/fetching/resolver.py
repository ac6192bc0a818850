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

Each crawler has its own guard (its own config's host map and allow-list), so several crawls
can share one process and one reactor. Twisted asks the *reactor's* name resolver, so the
reactor gets one ``DispatchingResolver``; a crawler's download handler
(``crawler.fetching.handler``) makes it answer with that crawler's guard for exactly the
synchronous span in which the crawler opens a connection. A lookup outside any such span
finds no guard and resolves to nothing (fail closed).

A refused name resolves to nothing, which Scrapy reports as ``CannotResolveHostError``; the
guard remembers why, so the handler turns the failure into ``AddressRefused`` ("address
guard: 10.0.0.1 is a private address") instead of "DNS error".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
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

_MAX_REFUSALS = 10_000

SETTING_RESOLVE = "MEDIAMON_RESOLVE"
SETTING_ALLOW = "MEDIAMON_ALLOW_HOSTS"
#: An ``IHostnameResolver`` (or its import path) to ask instead of the system resolver: tests
#: drive DNS answers with it (rebinding), as ``crawl.resolve`` does for fixed answers.
SETTING_UPSTREAM = "MEDIAMON_UPSTREAM_RESOLVER"


class AddressRefused(IgnoreRequest):
    """The guard refused every address of the target; the message says why (a final failure,
    never retried)."""


def _host_key(host: str | None) -> str:
    return (host or "").lower().rstrip(".")


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

    def __init__(
        self,
        receiver: Any,
        host: str,
        allowed: AllowList,
        port: int,
        refuse: Callable[[str, str], None],
    ) -> None:
        self._receiver = receiver
        self._host = host
        self._allowed = allowed
        self._port = port
        self._refuse = refuse
        self._addresses: list[Any] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        self._addresses.append(address)

    def resolutionComplete(self) -> None:
        deliver(
            self._receiver,
            self._host,
            self._addresses,
            self._allowed,
            began=True,
            port=self._port,
            refuse=self._refuse,
        )


def deliver(
    receiver: Any,
    host: str,
    addresses: Sequence[Any],
    allowed: AllowList,
    *,
    began: bool,
    port: int | None = None,
    refuse: Callable[[str, str], None] | None = None,
) -> None:
    """Forward the allowed ``addresses`` to ``receiver``; tell ``refuse`` why, when none is.

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
    if addresses and len(refusals) == len(addresses) and refuse is not None:
        refuse(host, refusals[0])
    receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """One crawler's guard: its static map first, then the system resolver; every answer goes
    through its allow-list, and it remembers why it refused a name."""

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
        self._refusals: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        static = settings.getdict(SETTING_RESOLVE)
        allowed = AllowList.of(settings.getlist(SETTING_ALLOW))
        upstream = settings.get(SETTING_UPSTREAM)
        if isinstance(upstream, str) and upstream:
            upstream = load_object(upstream)()
        return cls(reactor, static, allowed, upstream or None)

    def refusal_for(self, host: str | None) -> str | None:
        """Why this guard refused ``host`` (its last refusal), if it did."""
        return self._refusals.get(_host_key(host))

    def _refuse(self, host: str, reason: str) -> None:
        if len(self._refusals) >= _MAX_REFUSALS:
            self._refusals.clear()
        self._refusals[_host_key(host)] = reason

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
                refuse=self._refuse,
            )
            return _Resolution(host)  # type: ignore[return-value]  # zope declares the interface
        receiver = _GuardedReceiver(
            resolutionReceiver, host, self._allowed, portNumber, self._refuse
        )
        return self._original.resolveHostName(  # type: ignore[no-any-return]
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )


@implementer(IHostnameResolver)
class DispatchingResolver:
    """The reactor's name resolver: it answers with the guard of the crawler that is opening a
    connection right now (``resolving_for``), and with nothing otherwise.

    Twisted's endpoints ask the reactor's resolver synchronously while a connection is being
    opened, so the span of one ``getConnection`` call names the crawler exactly. Failing
    closed outside such a span means that no lookup can slip past every crawler's guard.
    Scrapy installs it from ``TWISTED_DNS_RESOLVER``; the download handler installs it too
    (``installed_on``), so the guard never depends on that setting.
    """

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor
        original = reactor.nameResolver
        #: The resolver behind every guard (the system's, unless a guard was given another).
        self._original = getattr(original, "_original", original)
        self._current: GuardedResolver | None = None

    @classmethod
    def from_crawler(cls, _crawler: Crawler, reactor: Any) -> DispatchingResolver:
        return cls.installed_on(reactor)

    @classmethod
    def installed_on(cls, reactor: Any) -> DispatchingResolver:
        """The dispatcher on ``reactor``, installed now if another resolver is there."""
        present = reactor.nameResolver
        if isinstance(present, cls):
            return present
        dispatcher = cls(reactor)
        reactor.installNameResolver(dispatcher)
        return dispatcher

    def install_on_reactor(self) -> None:
        if self.reactor.nameResolver is not self:
            self.reactor.installNameResolver(self)

    @contextmanager
    def resolving_for(self, guard: GuardedResolver) -> Iterator[None]:
        """Lookups made inside this block are answered by ``guard``."""
        previous, self._current = self._current, guard
        try:
            yield
        finally:
            self._current = previous

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        guard = self._current
        if guard is None:
            host = _host_key(hostName)
            deliver(resolutionReceiver, host, [], AllowList(), began=False, port=portNumber)
            return _Resolution(host)  # type: ignore[return-value]  # zope declares the interface
        return guard.resolveHostName(
            resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics
        )
