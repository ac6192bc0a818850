"""One outlet, one name (#18): the digest names each outlet once, whatever its pages said.

Pages of one site arrive by several routes (a feed titled "Celestial Ledger", a crawl that
only knew the host, a linkback found under ``host:8080``), so the stored ``site`` of its
mentions differs, and the digest listed "celestialledger.test (7 items)" beside "Celestial
Ledger (1 item)". Here an outlet is a registrable host (``crawler.matching.sites.site_of``:
blog platforms split per blog), and its name is chosen once: the configured source's name for
that host, else the site's own name as its pages gave it (``og:site_name`` or the feed's
title; the most common wins), else the host without its port.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from crawler.matching.sites import site_of
from crawler.storage.mentions import MentionView
from crawler.storage.reporting import SourceStatus

_HOSTLIKE = re.compile(r"^[a-z0-9.-]+\.[a-z0-9-]+(:\d+)?$|^[a-z0-9.-]+:\d+$", re.IGNORECASE)


def outlet_key(url_or_host: str) -> str:
    """The outlet a URL (or a bare host name) belongs to: its registrable host, no port."""
    text = url_or_host if "//" in url_or_host else f"//{url_or_host}"
    try:
        host = (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return site_of(host) or host


def _own_name(site: str) -> bool:
    """Whether a stored ``site`` is a name the site gave itself, not a host (with a port)."""
    return bool(site.strip()) and not _HOSTLIKE.match(site.strip())


def outlet_names(
    mentions: Iterable[MentionView], sources: Iterable[SourceStatus] = ()
) -> dict[str, str]:
    """outlet key -> its one display name (see the module docstring)."""
    configured: dict[str, str] = {}
    for source in sorted(sources, key=lambda s: (s.name.casefold(), s.name)):
        key = outlet_key(source.url)
        if key and source.type != "own":  # our own blogs' sources are named by the runner
            configured.setdefault(key, source.name)
    named: dict[str, Counter[str]] = {}
    hosts: dict[str, Counter[str]] = {}
    for m in mentions:
        key = outlet_key(m.url)
        hosts.setdefault(key, Counter())[_host(m.url) or key] += 1
        if _own_name(m.site):
            named.setdefault(key, Counter())[m.site.strip()] += 1
    return {
        key: configured.get(key) or _most(named.get(key)) or _most(seen) or key
        for key, seen in hosts.items()
    }


def _most(counts: Counter[str] | None) -> str:
    """The most common value (ties: alphabetical), or "" for none."""
    if not counts:
        return ""
    return min(counts, key=lambda n: (-counts[n], n.casefold(), n))


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def name_outlets(
    mentions: Sequence[MentionView],
    sources: Iterable[SourceStatus],
    seen: Iterable[str],
) -> tuple[list[MentionView], frozenset[str]]:
    """The mentions with ``site`` set to their outlet's one name, and the names of the
    outlets seen before (``seen`` holds stored site strings and host names: an outlet is
    seen if any of its mentions' stored names, or its host, is among them)."""
    names = outlet_names(mentions, sources)
    seen_set = set(seen)
    seen_keys = {outlet_key(s) for s in seen_set if not _own_name(s)}
    for m in mentions:
        if m.site in seen_set:
            seen_keys.add(outlet_key(m.url))
    renamed = [replace(m, site=names.get(outlet_key(m.url), m.site)) for m in mentions]
    return renamed, frozenset(names[k] for k in seen_keys if k in names)
