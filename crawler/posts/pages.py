"""Reading HTML for the inventory: archive pages (the last-resort route) and a post's own head.

Archive pages (the home page and its "Older posts" chain, ``/page/N/``) list posts as title
links: ``rel=bookmark`` in most WordPress themes, else the link in an ``<article>``'s
heading or ``.entry-title``. The next page is ``rel=next`` or WordPress's "Older posts"
(``.nav-previous``). A post's head says its ``rel=canonical`` (which may point to another
site: the post is kept as published, and flagged) and its ``rel=shortlink`` (``?p=ID`` or
``wp.me``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.matching.urls import canonicalize_url
from crawler.posts.model import ARCHIVE, FoundPost, RoutePage

__all__ = [
    "MAX_ARCHIVE_PAGES",
    "PostHead",
    "parse_archive",
    "parse_post_head",
    "same_site",
    "site_host",
]

#: The most archive pages one sync reads per site.
MAX_ARCHIVE_PAGES = 500
_TITLE_LINKS = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]",
    "//article//*[self::h1 or self::h2 or self::h3]//a[@href]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]//a[@href]",
)
_NEXT_LINKS = (
    "//link[@rel='next']/@href",
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' nav-previous ')]//a/@href",
    "//a[contains(concat(' ', normalize-space(@class), ' '), ' next ')]/@href",
)


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def site_host(url: str) -> str:
    """The host a site is known by (the WordPress.com API's site name), lower case."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def same_site(url: str, site_url: str) -> bool:
    """Whether ``url`` is on our site (``www.`` and scheme aside)."""
    return bool(_host(url)) and _host(url) == _host(site_url)


def _document(body: bytes) -> etree._Element | None:
    if not body.strip():
        return None
    try:
        return lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None


def parse_archive(body: bytes, *, url: str, site_url: str) -> RoutePage:
    """One archive page: the post links on it (our site only, the home page left out) and
    the next ("older") page."""
    doc = _document(body)
    if doc is None:
        return RoutePage()
    home = canonicalize_url(site_url)
    seen: set[str] = set()
    posts = []
    for query in _TITLE_LINKS:
        for link in doc.xpath(query):
            href = urljoin(url, str(link.get("href") or "").strip()).split("#", 1)[0]
            if not href or not same_site(href, site_url):
                continue
            key = canonicalize_url(href)
            if key == home or key in seen or "/page/" in urlsplit(href).path:
                continue
            seen.add(key)
            title = " ".join(link.text_content().split())
            posts.append(FoundPost(url=href, title=title, routes=(ARCHIVE,)))
        if posts:
            break
    next_url = ""
    for query in _NEXT_LINKS:
        found = [str(v).strip() for v in doc.xpath(query) if str(v).strip()]
        if found:
            candidate = urljoin(url, found[0])
            if same_site(candidate, site_url):
                next_url = candidate
            break
    return RoutePage(tuple(posts), next_url)


@dataclass(frozen=True, slots=True)
class PostHead:
    """What a post page says about itself in its ``<head>``."""

    canonical_link: str = ""
    shortlink: str = ""
    canonical_offsite: bool = False


def parse_post_head(body: bytes, *, url: str, site_url: str) -> PostHead:
    """The page's ``rel=canonical`` and ``rel=shortlink``; a canonical on another site is
    flagged (the post stays stored under the URL it is published at)."""
    doc = _document(body)
    if doc is None:
        return PostHead()
    found: dict[str, str] = {}
    for link in doc.xpath("//link[@rel][@href]"):
        rels = str(link.get("rel") or "").lower().split()
        for rel in ("canonical", "shortlink"):
            if rel in rels and rel not in found:
                found[rel] = urljoin(url, str(link.get("href") or "").strip())
    canonical = found.get("canonical", "")
    offsite = bool(canonical) and not same_site(canonical, site_url)
    return PostHead(canonical, found.get("shortlink", ""), offsite)
