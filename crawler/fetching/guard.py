"""The address guard's rule, as pure functions (DESIGN.md "Safety rules").

A fetch may reach only globally reachable unicast addresses. Everything else (SSRF: a
receiver source, a discovered link or a redirect pointing at the intranet, at this machine or
at a cloud metadata service) is refused unless the config allows it explicitly.

**Classification** (``classify``) uses ``ipaddress``'s properties, which follow the IANA
IPv4 and IPv6 Special-Purpose Address Registries, plus the registry rows that Python's table
gets wrong or lacks on some versions (``_SPECIAL``). IPv6 forms that carry an IPv4 address
are unwrapped and the IPv4 address is judged too: IPv4-mapped (``::ffff:0:0/96``), 6to4
(``2002::/16``), Teredo (``2001::/32``, server and client), and the NAT64 well-known prefix
(``64:ff9b::/96``); the deprecated IPv4-compatible form (``::a.b.c.d``), local-use NAT64
(``64:ff9b:1::/48``) and site-local (``fec0::/10``) are refused outright.

**Allowing** (``AllowList``): an explicit ``crawl.allow_hosts`` entry is one of

* ``name`` - this host name, at whatever address it resolves to, on any port;
* ``name:port`` - the same, on that port only;
* ``address``, ``address/prefix`` - any name resolving into it, on any port;
* ``address:port``, ``[v6address]:port`` - the same, on that port only.

A URL from the config (a source, a site, a feed) adds only ``name:port`` for its own port,
and only when its address is configured too: an IP-literal host, or a name in the static
``crawl.resolve`` map (which then is the only address it resolves to). Other configured names
reach public addresses only: a third-party news host whose DNS points inward is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["AllowList", "AllowRule", "check_address", "classify"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: IANA special-purpose rows that are not globally reachable (or are deprecated) and that
#: ``ipaddress`` misses on some Python versions; checked after its properties.
_SPECIAL: tuple[tuple[IPNetwork, str], ...] = (
    (ipaddress.ip_network("0.0.0.0/8"), "a this-network address"),
    (ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol assignment"),
    (ipaddress.ip_network("192.0.2.0/24"), "a documentation address"),
    (ipaddress.ip_network("192.88.99.0/24"), "a deprecated 6to4 relay address"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address"),
    (ipaddress.ip_network("198.51.100.0/24"), "a documentation address"),
    (ipaddress.ip_network("203.0.113.0/24"), "a documentation address"),
    (ipaddress.ip_network("240.0.0.0/4"), "a reserved address"),
    (ipaddress.ip_network("::/96"), "a deprecated IPv4-compatible address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (ipaddress.ip_network("100::/64"), "a discard-only address"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("3fff::/20"), "a documentation address"),
    (ipaddress.ip_network("5f00::/16"), "an SRv6 SID address"),
    (ipaddress.ip_network("fc00::/7"), "a unique-local address"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _own_problem(address: IPAddress) -> str | None:
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    for network, label in _SPECIAL:
        if address.version == network.version and address in network:
            return label
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def _embedded(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """IPv4 addresses an IPv6 address carries, with the name of the wrapping."""
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    if address in _NAT64:
        found.append(("NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)))
    return found


def classify(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address (``"a loopback address"``), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            problem = _own_problem(address.ipv4_mapped)
            return f"an IPv4-mapped {problem}" if problem else None
        for wrapping, inner in _embedded(address):
            problem = _own_problem(inner)
            if problem:
                return f"a {wrapping} address wrapping {inner}, {problem}"
        if address in _NAT64:
            # Globally reachable per IANA (Python < 3.13 calls it reserved): the translated
            # IPv4 address, judged above, is what decides.
            return None
    return _own_problem(address)


@dataclass(frozen=True, slots=True)
class AllowRule:
    """One allowed (host name | network, port) pair; None means any."""

    host: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    def matches(self, host: str, address: IPAddress, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.host is not None:
            return host == self.host
        return self.network is not None and address in self.network

    @classmethod
    def parse(cls, entry: str) -> AllowRule | None:
        """One ``crawl.allow_hosts`` entry (see the module docstring), or None if malformed."""
        text = entry.strip().lower().rstrip(".")
        if not text:
            return None
        port: int | None = None
        if text.startswith("["):  # [v6]:port or [v6]
            inner, _, rest = text[1:].partition("]")
            text = inner
            if rest.startswith(":") and rest[1:].isdigit():
                port = int(rest[1:])
        elif text.count(":") == 1:  # name:port or v4:port
            name, _, number = text.partition(":")
            if not number.isdigit():
                return None
            text, port = name, int(number)
        try:
            return cls(network=ipaddress.ip_network(text, strict=False), port=port)
        except ValueError:
            pass
        if "/" in text or ":" in text:
            return None
        return cls(host=text, port=port)

    def spelled(self) -> str:
        """The entry back as text (what the Scrapy setting carries)."""
        if self.host is not None:
            base = self.host
        elif self.network is not None and self.network.num_addresses == 1:
            base = str(self.network.network_address)
        else:
            base = str(self.network)
        if self.port is None:
            return base
        return f"[{base}]:{self.port}" if ":" in base else f"{base}:{self.port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _url_port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


@dataclass(frozen=True, slots=True)
class AllowList:
    """What may be fetched although it is not public (see the module docstring)."""

    rules: tuple[AllowRule, ...] = ()

    @classmethod
    def of(
        cls,
        entries: Iterable[str],
        urls: Iterable[str] = (),
        resolve: Mapping[str, str] | None = None,
    ) -> AllowList:
        """From ``crawl.allow_hosts`` entries plus configured URLs with configured addresses."""
        rules = [rule for rule in (AllowRule.parse(e) for e in entries) if rule is not None]
        static = {k.lower().rstrip("."): v for k, v in (resolve or {}).items()}
        for url in urls:
            try:
                parts = urlsplit(url)
                host, port = (parts.hostname or "").rstrip("."), parts.port
            except ValueError:
                continue
            if not host:
                continue
            if _is_ip(host) or host in static:
                rules.append(AllowRule(host=host, port=_url_port(parts.scheme, port)))
        unique = dict.fromkeys(rules)
        return cls(tuple(unique))

    @property
    def entries(self) -> list[str]:
        """The rules spelled as entries, sorted (what ``MEDIAMON_ALLOW_HOSTS`` carries)."""
        return sorted({rule.spelled() for rule in self.rules})

    def allows(self, host: str, address: IPAddress, port: int | None) -> bool:
        name = host.lower().rstrip(".")
        return any(rule.matches(name, address, port) for rule in self.rules)


def check_address(host: str, ip: str, allowed: AllowList, port: int | None = None) -> str | None:
    """Why ``host`` resolved to ``ip`` may not be fetched on ``port``, or None when it may.

    >>> check_address("intranet.example", "10.0.0.1", AllowList())
    'address guard: 10.0.0.1 is a private address'
    """
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"address guard: {ip!r} is not an IP address"
    problem = classify(address)
    if problem is None:
        return None
    if allowed.allows(host, address, port):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        inner = address.ipv4_mapped
        if allowed.allows(host, inner, port):
            return None
        return f"address guard: {inner} is {problem.removeprefix('an IPv4-mapped ')}"
    return f"address guard: {address} is {problem}"
