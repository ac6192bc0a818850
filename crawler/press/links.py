"""Links to our posts: which of a page's links point at one of the organisation's posts.

Only links of the main text count (the extractor keeps those; a feed entry's own HTML is its
main text). A link in a sidebar, a "related" box, a footer or a reader comment is the site's
furniture or a reader's words, not the outlet linking to us; the sample web's ``link``
linkbacks and ``mentions[].target`` are all in article bodies, and a comms team asking "who
linked to our post" means the article. Links are recognised after canonicalisation
(``crawler.matching.PostIndex``: scheme, ``www.``, trailing slash, tracking parameters,
fragments, AMP and mobile variants, WordPress shortlinks), and a page never links to itself.

Canonicalising every link of every page would cost as much as extracting it, so links are
first filtered by host: only links to a host that has posts are looked up. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from crawler.matching import PostIndex, canonicalize_url
from crawler.press.model import Link

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")


def bare_host(url: str) -> str:
    """The host of ``url`` without ``www.``-like prefixes and port, lower case ("" if none)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            return host[len(prefix) :]
    return host


class PostLinks:
    """The organisation's posts, ready to recognise links to them and pages that are them."""

    def __init__(
        self,
        posts: Iterable[tuple[str, int | None]],
        own_sites: Iterable[str] = (),
        shortlinks: Iterable[tuple[str, str]] = (),
    ):
        entries = list(posts)
        shorts = list(shortlinks)
        self.index = PostIndex(entries, shorts)
        hosts = [url for url, _ in entries] + [short for short, _ in shorts]
        self.hosts = frozenset(bare_host(url) for url in hosts) - {""}
        self.own_hosts = frozenset(bare_host(url) for url in own_sites) - {""}

    def __len__(self) -> int:
        return len(self.index)

    def targets(self, links: Sequence[Link], page_urls: Sequence[str] = ()) -> dict[str, str]:
        """Canonical URL of each post ``links`` point at -> the anchor text of the first link
        to it, in link order."""
        if not self.hosts or not links:
            return {}
        own = {canonicalize_url(u) for u in page_urls}
        out: dict[str, str] = {}
        for url, anchor in links:
            if bare_host(url) not in self.hosts:
                continue
            post = self.index.lookup(url)
            if post is not None and post not in own:
                out.setdefault(post, anchor)
        return out

    def is_ours(self, page_urls: Sequence[str]) -> bool:
        """Whether a page fetched under these URLs is one of our posts or on our own sites:
        the organisation's own pages are never coverage of it."""
        for url in page_urls:
            host = bare_host(url)
            if host in self.own_hosts:
                return True
            if host in self.hosts and self.index.lookup(url) is not None:
                return True
        return False
