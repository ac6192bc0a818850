"""Which site a host belongs to: the registrable domain, with blog platforms split per blog.

One rule shared by everything that limits or groups by "site": the receiver's per-sender rate
limit and fair queue, and (issue 16) the crawler's per-site download slots. Six subdomains of
``spam.example`` are one sender; ``a.blogspot.com`` and ``b.blogspot.com`` are two.

* The public-suffix list **with its private section** (``blogspot.com``, ``github.io`` ... are
  suffixes there), from the snapshot bundled with ``tldextract``; the list is never fetched at
  run time, so the answer does not depend on the network or on when the process started.
* ``BLOG_PLATFORMS``: multi-tenant blog hosts that the private section does not list (or lists
  only partly), where every subdomain is somebody else's blog. On those, the blog's own
  subdomain is the site (``alice.wordpress.com``).
* Names under a suffix the list does not know (``news.test``) follow the list's default rule
  ``*`` (the last label is the suffix: ``news.test``); IP addresses are their own site.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

__all__ = ["BLOG_PLATFORMS", "platform_of", "site_key", "site_of", "site_of_url"]

#: Hosts whose subdomains are separate blogs of separate people.
BLOG_PLATFORMS = frozenset(
    {
        "wordpress.com",
        "blogspot.com",
        "blogger.com",
        "substack.com",
        "tumblr.com",
        "medium.com",
        "ghost.io",
        "livejournal.com",
        "typepad.com",
        "hashnode.dev",
        "micro.blog",
        "bearblog.dev",
        "over-blog.com",
        "weebly.com",
        "wixsite.com",
        "home.blog",
        "github.io",
        "gitlab.io",
        "neocities.org",
    }
)


@lru_cache(maxsize=1)
def _extractor() -> Any:
    """The bundled public-suffix snapshot, private section included; never fetched."""
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8192)
def site_of(host: str) -> str:
    """The site ``host`` belongs to (lower case, no trailing dot); ``""`` for no host."""
    host = host.strip().lower().rstrip(".")
    if not host or _is_ip(host):
        return host.strip("[]")
    labels = host.split(".")
    for depth in range(1, len(labels)):
        parent = ".".join(labels[depth:])
        if parent in BLOG_PLATFORMS:
            return ".".join(labels[depth - 1 :])
    try:
        result = _extractor()(host)
    except Exception:  # a name tldextract cannot split: fall back to the default rule
        result = None
    registered = str(getattr(result, "top_domain_under_public_suffix", "") or "")
    if registered and getattr(result, "suffix", ""):
        return registered
    return ".".join(labels[-2:])


def platform_of(host: str, extra: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(platform, blog) when ``host`` is a blog on a multi-tenant platform of
    ``BLOG_PLATFORMS`` or ``extra`` (the config's ``[crawl] blog_platforms``):
    ``("wordpress.com", "alice.wordpress.com")``; else ``("", "")``. The blog is its own
    download slot; the platform carries the platform-wide cap."""
    host = host.strip().lower().rstrip(".")
    labels = host.split(".")
    for depth in range(1, len(labels)):
        parent = ".".join(labels[depth:])
        if parent in BLOG_PLATFORMS or parent in extra:
            return parent, ".".join(labels[depth - 1 :])
    return "", ""


def site_of_url(url: str) -> str:
    """``site_of`` the URL's host; ``""`` for a URL without one."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return site_of(host)


def site_key(host: str, extra: frozenset[str] = frozenset()) -> str:
    """The download slot of ``host``: its site (``site_of``).

    The registrable domain with the public-suffix list's private section, and blog platforms
    split per blog, so ``a.blogspot.com`` and ``b.blogspot.com``, or ``alice.wordpress.com``
    and ``bob.wordpress.com``, get a slot each instead of one busy blog throttling thousands
    of unrelated ones (#16); the receiver groups senders by the same rule. Hosts without a
    name (IP addresses) are their own slot. ``extra`` are the config's further platforms
    (``[crawl] blog_platforms``).
    """
    return platform_of(host, extra)[1] or site_of(host) or host
