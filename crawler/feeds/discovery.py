"""Feed discovery for a source given as a site URL: what to try, in order, and how to read
the answers. Pure; the spider does the fetching.

1. ``<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">`` in the page;
2. the common feed paths (``/feed/``, ``/rss``, ``/atom.xml``, ``/feed.json``, ``/index.xml``);
3. the sitemaps: ``Sitemap:`` lines of robots.txt, ``/sitemap.xml``, ``/news-sitemap.xml``
   (then the source becomes a ``site`` source polled through its sitemap).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.feeds.links import absolute_link

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rdf",
    "application/x.atom+xml": "atom",
}
COMMON_FEED_PATHS = ("/feed/", "/rss", "/atom.xml", "/feed.json", "/index.xml")
DEFAULT_SITEMAP_PATHS = ("/sitemap.xml", "/news-sitemap.xml")
#: Comment feeds are linked as alternates too; they are not the site's feed.
_COMMENT_HINTS = ("comments feed", "comment feed", "/comments/feed")


@dataclass(frozen=True, slots=True)
class Discovered:
    """One discovered URL: a feed (``rss``/``atom``/``json``/``rdf``) or a ``sitemap``."""

    url: str
    type: str
    title: str = ""

    def as_json(self) -> dict[str, str]:
        return {"url": self.url, "type": self.type, "title": self.title}


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def feed_links(page: bytes | str, base: str) -> list[Discovered]:
    """Feeds a page advertises, in page order, comment feeds last, without duplicates."""
    if not page or not page.strip():
        return []
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return []
    base_href = root.xpath("string(//base/@href)")
    base = urljoin(base, str(base_href)) if base_href else base
    found: list[Discovered] = []
    comments: list[Discovered] = []
    seen: set[str] = set()
    for link in root.xpath("//link[@href]"):
        rel = {r.lower() for r in str(link.get("rel", "")).split()}
        kind = FEED_TYPES.get(str(link.get("type", "")).split(";")[0].strip().lower())
        if "alternate" not in rel or kind is None:
            continue
        url = absolute_link(str(link.get("href")), base)
        if not url or url in seen:
            continue
        seen.add(url)
        title = str(link.get("title") or "").strip()
        item = Discovered(url, kind, title)
        is_comments = any(h in f"{title.lower()} {url.lower()}" for h in _COMMENT_HINTS)
        (comments if is_comments else found).append(item)
    return found + comments


def common_feed_urls(site_url: str) -> list[str]:
    root = site_root(site_url)
    return [urljoin(root, path) for path in COMMON_FEED_PATHS]


def robots_sitemaps(robots_txt: str, base: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt (any case, anywhere in the file)."""
    out: list[str] = []
    for line in robots_txt.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap":
            url = absolute_link(value.strip(), base)
            if url and url not in out:
                out.append(url)
    return out


def default_sitemap_urls(site_url: str) -> list[str]:
    root = site_root(site_url)
    return [urljoin(root, path) for path in DEFAULT_SITEMAP_PATHS]


def robots_url(site_url: str) -> str:
    return urljoin(site_root(site_url), "/robots.txt")
