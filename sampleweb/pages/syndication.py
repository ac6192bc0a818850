"""Serialisers for the syndication formats the world uses: RSS 2.0, Atom 1.0, JSON Feed 1.1,
sitemaps and Google News sitemaps.

One neutral item model (``FeedItem``) feeds every format, so a site can switch format without
touching its content code and the truth can list a feed's entries from the same items. The
output follows what real publishers emit (WordPress's RSS layout, ``content:encoded`` for full
text, ``atom:link rel=self``), not a minimal valid subset, so parsers meet realistic input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

RSS_NS = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
    '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
    '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
)

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=UTF-8",
    "atom": "application/atom+xml; charset=UTF-8",
    "jsonfeed": "application/feed+json; charset=UTF-8",
    "sitemap": "application/xml; charset=UTF-8",
    "news-sitemap": "application/xml; charset=UTF-8",
}


@dataclass(frozen=True, slots=True)
class FeedItem:
    title: str
    link: str
    guid: str
    published: datetime
    author: str = ""
    summary: str = ""  # plain text or escaped-HTML excerpt
    content_html: str = ""  # full content; empty for summary-only feeds
    categories: tuple[str, ...] = ()
    guid_is_permalink: bool = False
    updated: datetime | None = None
    comments_link: str = ""
    extra_xml: str = ""  # format-specific elements appended to the item (already XML)
    language: str = ""


@dataclass(frozen=True, slots=True)
class FeedMeta:
    title: str
    site_url: str
    self_url: str
    description: str = ""
    language: str = "en"
    generator: str = ""
    updated: datetime | None = None
    extra_xml: str = ""
    authors: tuple[str, ...] = field(default=())


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest(items: Sequence[FeedItem], default: datetime) -> datetime:
    return max((i.updated or i.published for i in items), default=default)


def rss(meta: FeedMeta, items: Sequence[FeedItem]) -> str:
    updated = meta.updated or newest(items, datetime(2026, 1, 1, tzinfo=UTC))
    out = [
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n\t{RSS_NS}\n\t>\n\n<channel>\n',
        f"\t<title>{escape(meta.title, quote=False)}</title>\n",
        f'\t<atom:link href="{escape(meta.self_url)}" rel="self" type="application/rss+xml" />\n',
        f"\t<link>{escape(meta.site_url, quote=False)}</link>\n",
        f"\t<description>{escape(meta.description, quote=False)}</description>\n",
        f"\t<lastBuildDate>{rfc822(updated)}</lastBuildDate>\n",
        f"\t<language>{meta.language}</language>\n",
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n",
    ]
    if meta.generator:
        out.append(f"\t<generator>{escape(meta.generator, quote=False)}</generator>\n")
    out.append(meta.extra_xml)
    for it in items:
        out.append("\t<item>\n")
        out.append(f"\t\t<title>{escape(it.title, quote=False)}</title>\n")
        out.append(f"\t\t<link>{escape(it.link, quote=False)}</link>\n")
        if it.comments_link:
            out.append(f"\t\t<comments>{escape(it.comments_link, quote=False)}</comments>\n")
        if it.author:
            out.append(f"\t\t<dc:creator>{cdata(it.author)}</dc:creator>\n")
        out.append(f"\t\t<pubDate>{rfc822(it.published)}</pubDate>\n")
        out.extend(f"\t\t<category>{cdata(c)}</category>\n" for c in it.categories)
        perma = "true" if it.guid_is_permalink else "false"
        out.append(f'\t\t<guid isPermaLink="{perma}">{escape(it.guid, quote=False)}</guid>\n')
        if it.summary:
            out.append(f"\t\t<description>{cdata(it.summary)}</description>\n")
        if it.content_html:
            out.append(f"\t\t<content:encoded>{cdata(it.content_html)}</content:encoded>\n")
        out.append(it.extra_xml)
        out.append("\t</item>\n")
    out.append("\t</channel>\n</rss>\n")
    return "".join(out)


def atom(meta: FeedMeta, items: Sequence[FeedItem], *, extra_ns: str = "") -> str:
    updated = meta.updated or newest(items, datetime(2026, 1, 1, tzinfo=UTC))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom"{extra_ns} xml:lang="{meta.language}">\n',
        f'\t<title type="text">{escape(meta.title, quote=False)}</title>\n',
        f'\t<subtitle type="text">{escape(meta.description, quote=False)}</subtitle>\n',
        f"\t<updated>{iso(updated)}</updated>\n",
        f'\t<link rel="alternate" type="text/html" href="{escape(meta.site_url)}" />\n',
        f"\t<id>{escape(meta.self_url, quote=False)}</id>\n",
        f'\t<link rel="self" type="application/atom+xml" href="{escape(meta.self_url)}" />\n',
    ]
    if meta.generator:
        out.append(f"\t<generator>{escape(meta.generator, quote=False)}</generator>\n")
    out.append(meta.extra_xml)
    for it in items:
        out.append("\t<entry>\n")
        if it.author:
            name = escape(it.author, quote=False)
            out.append(f"\t\t<author>\n\t\t\t<name>{name}</name>\n\t\t</author>\n")
        out.append(f'\t\t<title type="html">{cdata(escape(it.title, quote=False))}</title>\n')
        out.append(f'\t\t<link rel="alternate" type="text/html" href="{escape(it.link)}" />\n')
        out.append(f"\t\t<id>{escape(it.guid, quote=False)}</id>\n")
        out.append(f"\t\t<updated>{iso(it.updated or it.published)}</updated>\n")
        out.append(f"\t\t<published>{iso(it.published)}</published>\n")
        out.extend(
            f'\t\t<category scheme="{escape(meta.site_url)}" term="{escape(c)}" />\n'
            for c in it.categories
        )
        if it.summary:
            out.append(f'\t\t<summary type="html">{cdata(it.summary)}</summary>\n')
        if it.content_html:
            base = escape(it.link)
            out.append(
                f'\t\t<content type="html" xml:base="{base}">{cdata(it.content_html)}</content>\n'
            )
        out.append(it.extra_xml)
        out.append("\t</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def jsonfeed(meta: FeedMeta, items: Sequence[FeedItem]) -> str:
    doc: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "home_page_url": meta.site_url,
        "feed_url": meta.self_url,
        "description": meta.description,
        "language": meta.language,
        "authors": [{"name": a} for a in meta.authors],
        "items": [],
    }
    entries: list[dict[str, object]] = []
    for it in items:
        entry: dict[str, object] = {"id": it.guid, "url": it.link, "title": it.title}
        if it.content_html:
            entry["content_html"] = it.content_html
        else:
            entry["content_text"] = it.summary
        if it.summary:
            entry["summary"] = it.summary
        entry["date_published"] = it.published.astimezone(UTC).isoformat()
        if it.updated:
            entry["date_modified"] = it.updated.astimezone(UTC).isoformat()
        if it.author:
            entry["authors"] = [{"name": it.author}]
        if it.categories:
            entry["tags"] = list(it.categories)
        if it.language:
            entry["language"] = it.language
        entries.append(entry)
    doc["items"] = entries
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def sitemap(urls: Sequence[tuple[str, datetime]]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for loc, lastmod in urls:
        out.append(
            f"  <url>\n    <loc>{escape(loc, quote=False)}</loc>\n"
            f"    <lastmod>{iso(lastmod)}</lastmod>\n  </url>\n"
        )
    out.append("</urlset>\n")
    return "".join(out)


def sitemap_index(maps: Sequence[tuple[str, datetime]]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for loc, lastmod in maps:
        out.append(
            f"  <sitemap>\n    <loc>{escape(loc, quote=False)}</loc>\n"
            f"    <lastmod>{iso(lastmod)}</lastmod>\n  </sitemap>\n"
        )
    out.append("</sitemapindex>\n")
    return "".join(out)


def news_sitemap(
    publication: str, language: str, entries: Sequence[tuple[str, str, datetime]]
) -> str:
    """A Google News sitemap: (loc, title, publication date) per article."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"\n'
        '        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
    ]
    for loc, title, published in entries:
        out.append(
            f"  <url>\n    <loc>{escape(loc, quote=False)}</loc>\n    <news:news>\n"
            f"      <news:publication>\n"
            f"        <news:name>{escape(publication, quote=False)}</news:name>\n"
            f"        <news:language>{language}</news:language>\n      </news:publication>\n"
            f"      <news:publication_date>{iso(published)}</news:publication_date>\n"
            f"      <news:title>{escape(title, quote=False)}</news:title>\n"
            "    </news:news>\n  </url>\n"
        )
    out.append("</urlset>\n")
    return "".join(out)
