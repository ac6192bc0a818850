"""The comment rows on the organisation's posts: reader comments, and the notifications that
coverage pages sent (pingbacks, trackbacks, webmentions, reblogs).

A pingback row carries what WordPress would have stored after verifying it: the source page's
``<title>`` as author and an excerpt cut from the page's own paragraph around the link. Comment
ids are assigned in date order with small random gaps, as on a real site with spam deleted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sampleweb.text.textgen import rng_for
from sampleweb.world.coverage_specs import BLOG_PAGES, PageSpec
from sampleweb.world.model import (
    BlogSite,
    CommentType,
    Href,
    InlineLink,
    NewsSite,
    ReblogSnapshot,
    WpComment,
    blog_html_title,
    news_html_title,
)
from sampleweb.world.press_articles import NEWS_PAGES
from sampleweb.world.reader_notes import READER_NOTES
from sampleweb.world.weave import wp_ping_excerpt


def comments(
    seed: str, blogs: tuple[BlogSite, ...], news: tuple[NewsSite, ...]
) -> tuple[WpComment, ...]:
    rows: list[tuple[str, WpComment]] = []
    for note in READER_NOTES:
        rows.append(
            (
                note.label,
                WpComment(
                    id=0,
                    post_id=note.post_id,
                    type=CommentType.COMMENT,
                    kind="comment",
                    author=note.author,
                    author_url=Href(note.author_site, "/") if note.author_site else None,
                    date=note.when,
                    day=note.day,
                    text=note.text,
                    by_organisation=note.by_organisation,
                    parent=0,
                    title=note.reply_to,  # temporarily holds the parent label
                ),
            )
        )
    specs = {(p.host, p.slug): p for p in (*BLOG_PAGES, *NEWS_PAGES)}
    for site in blogs:
        for page in site.pages:
            ps = specs.get((site.host, _slug_of(page.path)))
            if ps is not None and ps.notify:
                rows.extend(
                    _notifications(
                        ps,
                        page.path,
                        page.paragraphs,
                        page.links,
                        blog_html_title(site, page),
                        site.name,
                        site.owner,
                        page.reblog,
                    )
                )
    for nsite in news:
        for art in nsite.articles:
            ps = specs.get((nsite.host, _news_slug(art.path)))
            if ps is not None and ps.notify:
                rows.extend(
                    _notifications(
                        ps,
                        art.path,
                        art.paragraphs,
                        art.links,
                        news_html_title(nsite, art),
                        nsite.name,
                        art.author,
                        None,
                    )
                )
    rows.sort(key=lambda r: (r[1].date, r[0]))
    rng = rng_for(seed, "comment-ids")
    ids: dict[str, int] = {}
    next_id = 4801
    for label, _c in rows:
        ids[label] = next_id
        next_id += rng.choice((1, 1, 2, 3))
    out = []
    for label, c in rows:
        parent = ids[c.title] if c.kind == "comment" and c.title else 0
        title = "" if c.kind == "comment" else c.title
        out.append(replace(c, id=ids[label], parent=parent, title=title))
    return tuple(out)


def _slug_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _news_slug(path: str) -> str:
    last = _slug_of(path)
    if last.endswith(".html"):
        last = last[: -len(".html")].rsplit("-", 1)[0]
    if "-" in last and last[:8].isdigit():
        last = last.split("-", 1)[1]
    return last


def _notifications(
    ps: PageSpec,
    path: str,
    paragraphs: tuple[str, ...],
    links: tuple[InlineLink, ...],
    html_title: str,
    site_name: str,
    owner: str,
    reblog: ReblogSnapshot | None,
) -> list[tuple[str, WpComment]]:
    source = Href(ps.host, path)
    when = ps.published + timedelta(minutes=ps.notify_minutes)
    label = f"{ps.host}{path}"
    out: list[tuple[str, WpComment]] = []
    if ps.notify.startswith("reblog") and reblog is not None:
        out.append(
            (
                label + "#reblog",
                WpComment(
                    id=0,
                    post_id=reblog.post_id,
                    type=CommentType.COMMENT,
                    kind="reblog",
                    author=owner,
                    author_url=Href(ps.host, "/"),
                    date=when,
                    day=ps.day,
                    source=source,
                    note=reblog.note,
                    blog_name=site_name,
                    title=ps.title,
                ),
            )
        )
        if ps.notify == "reblog+pingback":
            out.append(
                (
                    label + "#pingback",
                    WpComment(
                        id=0,
                        post_id=reblog.post_id,
                        type=CommentType.PINGBACK,
                        kind="pingback",
                        author=html_title,
                        author_url=source,
                        date=when + timedelta(minutes=1),
                        day=ps.day,
                        source=source,
                        title=html_title,
                        excerpt=wp_ping_excerpt(reblog.excerpt, reblog.excerpt[:30]),
                    ),
                )
            )
        return out
    for link in links:
        assert link.post_id is not None
        para = paragraphs[link.paragraph]
        if ps.notify == "pingback":
            c = WpComment(
                id=0,
                post_id=link.post_id,
                type=CommentType.PINGBACK,
                kind="pingback",
                author=html_title,
                author_url=source,
                date=when,
                day=ps.day,
                source=source,
                title=html_title,
                excerpt=wp_ping_excerpt(para, link.anchor),
            )
        elif ps.notify == "trackback":
            text = " ".join(paragraphs)
            cut = text[:252]
            excerpt = (cut[: cut.rfind(" ")] + "\u2026") if len(text) > 252 else text
            c = WpComment(
                id=0,
                post_id=link.post_id,
                type=CommentType.TRACKBACK,
                kind="trackback",
                author=site_name,
                author_url=source,
                date=when,
                day=ps.day,
                source=source,
                title=ps.title,
                excerpt=excerpt,
                blog_name=site_name,
            )
        else:  # webmention
            c = WpComment(
                id=0,
                post_id=link.post_id,
                type=CommentType.WEBMENTION,
                kind="webmention",
                author=owner,
                author_url=Href(ps.host, "/"),
                date=when,
                day=ps.day,
                text=" ".join(paragraphs),
                source=source,
                title=ps.title,
            )
        out.append((f"{label}#{link.post_id}", c))
    return out
