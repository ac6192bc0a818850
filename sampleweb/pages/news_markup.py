# ruff: noqa: E501  (markup is kept on whole lines, as in the themes and pages it imitates)
"""News article pages inside realistic boilerplate, in several site layouts.

Main-text extraction is only tested if the page around the article looks like a newspaper's:
a cookie banner, navigation, the article, share tools, "Related stories", reader comments, a
sidebar with "Most read", a newsletter box and sometimes partner content, and a footer. The
decoys live in exactly those boxes. Every layout marks the article body with
``itemprop="articleBody"`` (schema.org, as most publishers do) so tests can locate it, but each
uses its own class names and ordering so an extractor cannot rely on one template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sampleweb.pages.html import Ctx, esc, paragraphs_html
from sampleweb.text import banks_en, banks_it
from sampleweb.world.model import Article, NewsSite, news_html_title


@dataclass(frozen=True, slots=True)
class Layout:
    body_class: str
    header_class: str
    nav_class: str
    article_class: str
    headline_class: str
    byline_class: str
    body_class_name: str
    related_title: str
    most_read_title: str
    comments_title: str
    share_label: str
    newsletter_title: str
    footer_links: tuple[str, ...]
    sidebar_first: bool = False


LAYOUTS: dict[str, Layout] = {
    "wire": Layout(
        "wire-story",
        "masthead",
        "topnav",
        "story",
        "story__headline",
        "story__byline",
        "story__body",
        "More from the wire",
        "Top stories",
        "Comments",
        "Share",
        "Wire briefing",
        ("About Continental Wire", "Licensing", "Contact", "Privacy"),
    ),
    "gazette": Layout(
        "article-page",
        "site-header",
        "main-nav",
        "article",
        "headline",
        "byline",
        "article-body",
        "Related stories",
        "Most read",
        "Reader comments",
        "Share this article",
        "Newsletter",
        ("About us", "Advertise", "Contact", "Privacy policy", "Cookie settings"),
    ),
    "times": Layout(
        "layout-article",
        "mt-header",
        "mt-nav",
        "mt-article",
        "mt-title",
        "mt-meta",
        "mt-article__content",
        "More on this story",
        "Trending",
        "Join the conversation",
        "Share",
        "The Meridian Morning",
        ("Subscribe", "Corrections", "Contact us", "Terms"),
        sidebar_first=True,
    ),
    "herald": Layout(
        "story-page",
        "nh-top",
        "nh-menu",
        "nh-story",
        "nh-story__title",
        "nh-story__byline",
        "nh-story__text",
        "You may also like",
        "Most popular",
        "Your say",
        "Share",
        "Herald newsletter",
        ("About", "Contact", "Privacy", "Accessibility"),
    ),
    "gazzetta": Layout(
        "articolo",
        "testata",
        "menu-sezioni",
        "articolo-principale",
        "titolo",
        "firma",
        "testo-articolo",
        "Leggi anche",
        "I più letti",
        "Commenti",
        "Condividi",
        "Newsletter",
        ("Chi siamo", "Contatti", "Privacy", "Pubblicità"),
    ),
    "bulk": Layout(
        "article",
        "header",
        "nav",
        "entry",
        "entry-title",
        "entry-meta",
        "entry-body",
        "Related",
        "Popular",
        "Comments",
        "Share",
        "Newsletter",
        ("About", "Contact", "Privacy"),
    ),
}

_MONTHS_IT = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


def _date_label(art: Article) -> str:
    d = art.published
    if art.lang == "it":
        return f"{d.day} {_MONTHS_IT[d.month - 1]} {d.year}, ore {d:%H:%M}"
    return f"{d.day} {d:%B %Y}, {d:%H:%M}"


def feed_link(site: NewsSite, ctx: Ctx) -> str:
    if not site.feed_path:
        return ""
    kind = {
        "rss": "application/rss+xml",
        "atom": "application/atom+xml",
        "jsonfeed": "application/feed+json",
    }[site.feed_format]
    return f'<link rel="alternate" type="{kind}" title="{esc(site.name)}" href="{esc(ctx.url(site.host, site.feed_path))}">\n'


def page_head(site: NewsSite, ctx: Ctx, title: str, extra: str = "") -> str:
    return (
        f'<!doctype html>\n<html lang="{site.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{feed_link(site, ctx)}{extra}</head>\n"
    )


def masthead(site: NewsSite, lay: Layout, ctx: Ctx) -> str:
    bank = banks_it if site.lang == "it" else banks_en
    nav = "".join(f'<li><a href="/{s}/">{esc(s.capitalize())}</a></li>' for s in site.sections)
    search = "Cerca" if site.lang == "it" else "Search"
    accept = "Accetta" if site.lang == "it" else "Accept all"
    return (
        f'<div id="cookie-consent" class="consent-banner" role="dialog"><p>{esc(bank.COOKIE[0])}</p>'
        f"<button>{accept}</button> <button>Settings</button></div>\n"
        f'<header class="{lay.header_class}"><a class="logo" href="{ctx.url(site.host)}">{esc(site.name)}</a>\n'
        f'<nav class="{lay.nav_class}"><ul>{nav}</ul></nav>\n'
        f'<form class="search" action="/search"><input type="search" name="q" placeholder="{search}"></form></header>\n'
    )


def footer(site: NewsSite, lay: Layout) -> str:
    links = " | ".join(
        f'<a href="/{esc(label.lower().replace(" ", "-"))}/">{esc(label)}</a>'
        for label in lay.footer_links
    )
    rights = "Tutti i diritti riservati" if site.lang == "it" else "All rights reserved"
    return f'<footer class="site-footer"><nav class="footer-links">{links}</nav><p>&copy; 2026 {esc(site.name)}. {rights}.</p></footer>\n'


def article_page(site: NewsSite, art: Article, ctx: Ctx) -> str:
    """The full HTML page of one article."""
    lay = LAYOUTS.get(site.layout, LAYOUTS["bulk"])
    url = ctx.url(site.host, art.path)
    bank = banks_it if site.lang == "it" else banks_en
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": art.title,
            "datePublished": art.published.isoformat(),
            "author": {"@type": "Person", "name": art.author},
            "publisher": {"@type": "Organization", "name": site.name},
            "mainEntityOfPage": url,
            "inLanguage": art.lang,
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    extra = (
        f'<meta name="description" content="{esc(art.summary)}">\n<link rel="canonical" href="{esc(url)}">\n'
        f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(art.title)}">\n'
        f'<meta property="og:url" content="{esc(url)}">\n<meta property="og:site_name" content="{esc(site.name)}">\n'
        f'<meta property="article:published_time" content="{art.published.isoformat()}">\n'
        f'<meta name="author" content="{esc(art.author)}">\n'
        f'<script type="application/ld+json">{ld}</script>\n'
    )
    by = "Di" if site.lang == "it" else "By"
    article = (
        f'<article class="{lay.article_class}" itemscope itemtype="https://schema.org/NewsArticle">\n'
        f'<header><p class="kicker"><a href="/{art.section}/">{esc(art.section.capitalize())}</a></p>\n'
        f'<h1 class="{lay.headline_class}" itemprop="headline">{esc(art.title)}</h1>\n'
        f'<p class="{lay.byline_class}">{by} <span class="author" itemprop="author">{esc(art.author)}</span> &middot; '
        f'<time datetime="{art.published.isoformat()}" itemprop="datePublished">{_date_label(art)}</time></p></header>\n'
        f'<div class="{lay.body_class_name}" itemprop="articleBody">\n{paragraphs_html(art.paragraphs, art.links, ctx)}\n</div>\n'
        f'<div class="share-tools">{lay.share_label}: <a href="#" class="share-fb">Facebook</a> '
        '<a href="#" class="share-x">X</a> <a href="#" class="share-mail">Email</a></div>\n'
        f'<ul class="tags">{"".join(f"<li><a href=/tag/{esc(t)}/>{esc(t)}</a></li>" for t in art.tags)}</ul>\n'
        "</article>\n"
    )
    related = "".join(f'<li><a href="{esc(h.path)}">{esc(h.title)}</a></li>' for h in art.related)
    related_box = (
        f'<section class="related-stories"><h2>{lay.related_title}</h2><ul>{related}</ul></section>\n'
        if related
        else ""
    )
    comments = "".join(
        f'<li class="reader-comment"><p class="comment-author">{esc(c.author)}</p>'
        f'<time datetime="{c.date.isoformat()}">{c.date:%d/%m/%Y %H:%M}</time><p class="comment-text">{esc(c.text)}</p></li>'
        for c in art.comments
    )
    post_label = "Invia" if site.lang == "it" else "Post comment"
    comments_box = (
        f'<section class="comments" id="comments"><h2>{lay.comments_title} ({len(art.comments)})</h2>'
        f'<ol class="comment-list">{comments}</ol><form class="comment-form"><textarea name="comment"></textarea>'
        f"<button>{post_label}</button></form></section>\n"
    )
    most = "".join(f'<li><a href="{esc(h.path)}">{esc(h.title)}</a></li>' for h in art.most_read)
    promo = (
        f'<section class="partner-content"><h2>Partner content</h2><p><a href="/partners/">{esc(art.promo)}</a></p></section>'
        if art.promo
        else ""
    )
    sidebar = (
        f'<aside class="sidebar"><section class="most-read"><h2>{lay.most_read_title}</h2><ol>{most}</ol></section>{promo}'
        f'<section class="newsletter"><h2>{lay.newsletter_title}</h2><p>{esc(bank.NEWSLETTER[0])}</p>'
        '<form><input type="email" name="email"><button>OK</button></form></section>'
        '<div class="ad-slot" aria-label="Advertisement">Advertisement</div></aside>\n'
    )
    main = f'<main id="main" class="content">\n{article}{related_box}{comments_box}</main>\n'
    inner = sidebar + main if lay.sidebar_first else main + sidebar
    return (
        page_head(site, ctx, news_html_title(site, art), extra)
        + f'<body class="{lay.body_class}">\n'
        + masthead(site, lay, ctx)
        + f'<div class="page-wrap">\n{inner}</div>\n'
        + footer(site, lay)
        + "</body>\n</html>\n"
    )
