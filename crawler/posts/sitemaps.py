"""Reading a site's sitemaps as a stream: post URLs out, memory bounded whatever the size.

A sitemap (or sitemap index) may hold 50,000 entries and 50 MB; building a tree of it, as
``crawler.feeds.sitemaps`` does for the small news sitemaps it polls, would hold every
element at once. ``iter_sitemap`` feeds the (possibly gzipped) body to lxml's pull parser
in chunks, hands out each ``<url>`` or ``<sitemap>`` as soon as it closes and then drops it
from the tree, so memory stays at one chunk plus one entry. Entities are never expanded and
nothing is fetched by the parser.

``wanted_children`` picks, from an index, the sitemaps that list posts (WordPress core's
``wp-sitemap-posts-post-N.xml``, Yoast's ``post-sitemapN.xml``, Jetpack's ``sitemap-N.xml``),
leaving pages, taxonomies, authors, images and videos alone.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

__all__ = [
    "CHUNK",
    "MAX_SITEMAPS",
    "MAX_UNCOMPRESSED",
    "SitemapItem",
    "iter_sitemap",
    "robots_sitemaps",
    "sitemap_candidates",
    "wanted_children",
]

CHUNK = 64 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # the sitemap protocol's own limit
#: The most child sitemaps one sync fetches per site (each holds up to 50,000 URLs).
MAX_SITEMAPS = 200
_NOT_POSTS = re.compile(
    r"(taxonom|categor|tag|user|author|page-sitemap|posts-page|image|video|news|attachment)",
    re.IGNORECASE,
)
_POSTS = re.compile(r"(posts-post|post-sitemap|sitemap-posts|sitemap-\d+\.xml)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SitemapItem:
    """One entry: a page (``kind`` ``url``) or a child sitemap (``sitemap``)."""

    kind: str
    loc: str
    lastmod: datetime | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _chunks(body: bytes, chunk: int) -> Iterator[bytes]:
    """The body in chunks, gunzipped on the fly (at most ``MAX_UNCOMPRESSED`` bytes out)."""
    view = memoryview(body)
    if not body.startswith(b"\x1f\x8b"):
        for start in range(0, len(view), chunk):
            yield bytes(view[start : start + chunk])
        return
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    produced = 0
    for start in range(0, len(view), chunk):
        try:
            out = inflate.decompress(bytes(view[start : start + chunk]), chunk * 4)
            while out:
                produced += len(out)
                if produced > MAX_UNCOMPRESSED:
                    return
                yield out
                out = inflate.decompress(inflate.unconsumed_tail, chunk * 4)
        except zlib.error:
            return


def iter_sitemap(body: bytes, *, base: str = "", chunk: int = CHUNK) -> Iterator[SitemapItem]:
    """Every entry of a sitemap or sitemap index, streamed (see the module docstring).

    A document that breaks off stops the stream at the last complete entry.
    """
    parser = etree.XMLPullParser(
        events=("end",), resolve_entities=False, no_network=True, huge_tree=False, recover=True
    )
    for data in _chunks(body, chunk):
        try:
            parser.feed(data)
        except etree.XMLSyntaxError:
            return
        yield from _drain(parser, base)
    try:
        parser.close()
    except etree.XMLSyntaxError:
        return
    yield from _drain(parser, base)


def _drain(parser: etree.XMLPullParser, base: str) -> Iterator[SitemapItem]:
    for _event, element in parser.read_events():
        kind = _local(element.tag)
        if kind not in ("url", "sitemap"):
            continue
        loc = ""
        lastmod = None
        for child in element:
            name = _local(child.tag)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name in ("lastmod", "publication_date") and lastmod is None:
                lastmod = _date(child.text or "")
            elif name == "news":
                for part in child:
                    if _local(part.tag) == "publication_date":
                        lastmod = _date(part.text or "") or lastmod
        element.clear()
        parent = element.getparent()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]
        if loc:
            yield SitemapItem(kind, urljoin(base, loc) if base else loc, lastmod)


def wanted_children(children: list[str]) -> list[str]:
    """The child sitemaps that list posts: the named post sitemaps when the index has any,
    else every child that is not plainly something else; at most ``MAX_SITEMAPS``."""
    posts = [c for c in children if _POSTS.search(c.rsplit("/", 1)[-1])]
    posts = [c for c in posts if not _NOT_POSTS.search(c.rsplit("/", 1)[-1])]
    chosen = posts or [c for c in children if not _NOT_POSTS.search(c.rsplit("/", 1)[-1])]
    return chosen[:MAX_SITEMAPS]


def robots_sitemaps(body: bytes, base: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute."""
    out = []
    for line in body.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap" and value.strip():
            out.append(urljoin(base, value.strip()))
    return out


def sitemap_candidates(site_url: str) -> list[str]:
    """Where WordPress and its plugins put the sitemap when robots.txt names none."""
    root = site_url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return [f"{root}/wp-sitemap.xml", f"{root}/sitemap_index.xml", f"{root}/sitemap.xml"]
