"""The address guard's rule, as a pure function (DESIGN.md "Safety rules").

A fetch may not reach loopback, private, link-local, multicast, reserved or unspecified
addresses (SSRF: a receiver source, a discovered link or a redirect pointing at the intranet
or at a cloud metadata service) unless the host name or the address is explicitly allowed:
by ``config.crawl.allow_hosts``, or because the URL itself came from the config.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class AllowList:
    """Host names and addresses that may resolve to non-public addresses (lower case)."""

    hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, hosts: Iterable[str], urls: Iterable[str] = ()) -> AllowList:
        """From explicit host names / IPs plus the hosts of trusted (configured) URLs."""
        names = {h.strip().lower().rstrip(".") for h in hosts if h.strip()}
        for url in urls:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if host:
                names.add(host.lower().rstrip("."))
        return cls(frozenset(names))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower().rstrip(".") in self.hosts


def _problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a non-public address"
    return None


def check_address(host: str, ip: str, allowed: AllowList) -> str | None:
    """Why ``host`` resolved to ``ip`` may not be fetched, or None when it may.

    >>> check_address("intranet.example", "10.0.0.1", AllowList())
    'address guard: 10.0.0.1 is a private address'
    """
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"address guard: {ip!r} is not an IP address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    problem = _problem(address)
    if problem is None or host in allowed or str(address) in allowed:
        return None
    return f"address guard: {address} is {problem}"
